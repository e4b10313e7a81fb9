using Microsoft.Extensions.Options;
using RoutedEmail.Server.Hosting;
using RoutedEmail.Storage.Abstractions;

namespace RoutedEmail.Server.Security;

/// <summary>
/// The operator's admin token: <c>Admin:Token</c> when set, otherwise the content of <c>admin-token</c> in the data
/// directory, which the first start creates readable by the service's user only.
/// </summary>
internal sealed partial class AdminToken(
    IOptions<AdminOptions> options, IStorageInitializer storage, ILogger<AdminToken> logger)
{
    /// <summary>The name of the generated token file in the data directory.</summary>
    public const string FileName = "admin-token";

    private const int MinLength = 32;

    private byte[]? _hash;

    /// <summary>Loads or generates the token. Call once at start, after the data directory exists.</summary>
    /// <exception cref="InvalidOperationException">The configured token is too short.</exception>
    public void Initialize()
    {
        var configured = options.Value.Token;
        if (!string.IsNullOrEmpty(configured))
        {
            if (configured.Length < MinLength || configured.Any(char.IsWhiteSpace))
            {
                throw new InvalidOperationException(
                    $"Admin:Token is invalid: it has {configured.Length} characters and must have at least " +
                    $"{MinLength}, with no spaces. Set a longer random token, or unset it to have one generated.");
            }

            _hash = SecretTokens.Hash(configured);
            Log.UsingConfiguredToken(logger);
            return;
        }

        var path = Path.Combine(storage.DataDirectory, FileName);
        var stored = File.Exists(path) ? File.ReadAllText(path).Trim() : string.Empty;
        if (stored.Length == 0)
        {
            stored = WriteNewToken(path);
            Log.GeneratedToken(logger, path);
        }
        else
        {
            Log.UsingTokenFile(logger, path);
        }

        _hash = SecretTokens.Hash(stored);
    }

    /// <summary>Checks a presented bearer token in constant time.</summary>
    public bool Matches(string presented) =>
        _hash is not null && SecretTokens.Matches(presented, _hash);

    /// <summary>
    /// Writes a new token to a temporary file that only this user can read, flushes it to disk and renames it into
    /// place, so a crash leaves either no token file or a complete one.
    /// </summary>
    private static string WriteNewToken(string path)
    {
        var token = SecretTokens.Create();
        var temporary = path + ".tmp";
        var fileOptions = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            fileOptions.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using (var stream = new FileStream(temporary, fileOptions))
        {
            stream.Write(System.Text.Encoding.UTF8.GetBytes(token + "\n"));
            stream.Flush(flushToDisk: true);
        }

        File.Move(temporary, path, overwrite: true);
        return token;
    }

    private static partial class Log
    {
        [LoggerMessage(2001, LogLevel.Information, "Admin token generated into {Path}, readable by this user only")]
        public static partial void GeneratedToken(ILogger logger, string path);

        [LoggerMessage(2002, LogLevel.Information, "Admin token read from {Path}")]
        public static partial void UsingTokenFile(ILogger logger, string path);

        [LoggerMessage(2003, LogLevel.Information, "Admin token taken from the Admin:Token setting")]
        public static partial void UsingConfiguredToken(ILogger logger);
    }
}
