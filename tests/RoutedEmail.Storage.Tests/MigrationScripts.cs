using RoutedEmail.Storage.Sql;

namespace RoutedEmail.Storage.Tests;

/// <summary>Reads the migration scripts that the storage assembly embeds, to run one of them again in a test.</summary>
internal static class MigrationScripts
{
    /// <summary>Reads the script of the dialect folder (<c>Sqlite</c> or <c>Postgres</c>) with the file name.</summary>
    public static string Read(string dialect, string fileName)
    {
        var assembly = typeof(SqlDatabase).Assembly;
        var suffix = $".Migrations.{dialect}.{fileName}";
        var name = assembly.GetManifestResourceNames().Single(
            resource => resource.EndsWith(suffix, StringComparison.Ordinal));
        using var stream = assembly.GetManifestResourceStream(name)!;
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
