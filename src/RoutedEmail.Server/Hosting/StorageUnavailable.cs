using System.Data.Common;
using Microsoft.Data.Sqlite;

namespace RoutedEmail.Server.Hosting;

/// <summary>
/// Recognizes failures that mean the database cannot be used for now, as opposed to a bug: PostgreSQL unreachable,
/// the connection pool exhausted, or a SQLite file that cannot be written, for example because the disk is full.
/// </summary>
internal static class StorageUnavailable
{
    /// <summary>The seconds a client is asked to wait before it retries, in the <c>Retry-After</c> header.</summary>
    public const string RetryAfterSeconds = "5";

    /// <summary>The message of every 503 returned because of such a failure.</summary>
    public const string Message =
        "The service cannot reach its database, or cannot write to it, at the moment, so nothing of the request was " +
        "stored. Retry in a few seconds; re-sending the same request is safe.";

    // SQLite result codes for a full disk, an I/O error and a file that cannot be opened.
    private const int SqliteFull = 13;
    private const int SqliteIoError = 10;
    private const int SqliteCannotOpen = 14;

    /// <summary>Whether the exception, or one it wraps, is such a failure.</summary>
    public static bool Matches(Exception? exception)
    {
        for (; exception is not null; exception = exception.InnerException)
        {
            if (exception is SqliteException { SqliteErrorCode: SqliteFull or SqliteIoError or SqliteCannotOpen }
                || exception is DbException { IsTransient: true })
            {
                return true;
            }
        }

        return false;
    }
}
