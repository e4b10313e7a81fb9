namespace RoutedEmail.Storage.Abstractions;

/// <summary>Prepares the store at start: creates or migrates the schema.</summary>
public interface IStorageInitializer
{
    /// <summary>Applies pending migrations; the service is not ready until this returns.</summary>
    Task InitializeAsync(CancellationToken cancellationToken);

    /// <summary>The folder the store keeps its files in, also used for the generated admin token.</summary>
    string DataDirectory { get; }
}
