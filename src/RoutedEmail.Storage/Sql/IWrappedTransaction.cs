using System.Data.Common;

namespace RoutedEmail.Storage.Sql;

/// <summary>
/// A write transaction that wraps the provider's own, because commands accept only the provider's type. Its
/// commit numbers the transaction's events first (see <see cref="SqlEventSequences"/>).
/// </summary>
internal interface IWrappedTransaction
{
    /// <summary>The provider's transaction that commands run in.</summary>
    DbTransaction Inner { get; }

    /// <summary>Records that the transaction appended an event, so its commit has events to number.</summary>
    void MarkEventAppended();
}
