namespace RoutedEmail.Storage;

/// <summary>Where and how the service stores its state; bound from the <c>Storage</c> configuration section.</summary>
public sealed class StorageOptions
{
    /// <summary>The configuration section name.</summary>
    public const string SectionName = "Storage";

    /// <summary>The store: <c>Sqlite</c> (the default) or <c>Postgres</c>.</summary>
    public string Provider { get; set; } = "Sqlite";

    /// <summary>
    /// The folder for the SQLite database and the generated admin token file. Default: <c>data</c>, relative to
    /// the working directory.
    /// </summary>
    public string DataDirectory { get; set; } = "data";

    /// <summary>The database connection string; used by the PostgreSQL store only.</summary>
    public string? ConnectionString { get; set; }
}
