using System.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;

namespace Coffer.EntityFrameworkCore.Internal;

/// <summary>The one place that writes and removes rows of the file ledger (<see cref="FileLedgerEntry"/>).</summary>
internal static class FileLedger
{
    /// <summary>How long an instance owns an entry it is working on before another may take it over.</summary>
    public static readonly TimeSpan Lease = TimeSpan.FromMinutes(5);

    private static readonly TimeSpan MaxBackoff = TimeSpan.FromHours(1);

    public static bool IsMapped(DbContext context) => context.Model.FindEntityType(typeof(FileLedgerEntry)) is not null;

    /// <summary>A new entry owing the delete of <paramref name="name"/>, due at once (right after the commit).</summary>
    public static FileLedgerEntry Deleting(FileStorage storage, string name, DateTime now) =>
        new() { Storage = storage.Name, Name = name, State = FileLedgerState.Deleting, CreatedAt = now, NextAttemptAt = now };

    /// <summary>1, 2, 4 … minutes after the <paramref name="attempts"/>th failure, at most an hour.</summary>
    public static TimeSpan Backoff(int attempts) =>
        TimeSpan.FromMinutes(Math.Min(Math.Pow(2, Math.Max(attempts - 1, 0)), MaxBackoff.TotalMinutes));

    /// <summary>What the entry records of a failure: the exception's type and message, cut to the column.</summary>
    public static string Describe(Exception exception)
    {
        string text = $"{exception.GetType().Name}: {exception.Message}";
        return text.Length <= 1000 ? text : text[..1000];
    }

    /// <summary>
    /// Removes a done entry with a plain command on the context's connection. Called from inside <c>SaveChanges</c>
    /// (its interceptor) and from a commit's interceptor, where a LINQ query on the same context would be a second
    /// operation on it; a command is not.
    /// </summary>
    public static async Task RemoveAsync(DbContext context, long id, CancellationToken cancellationToken)
    {
        var type = context.Model.FindEntityType(typeof(FileLedgerEntry))!;
        var table = StoreObjectIdentifier.Table(type.GetTableName()!, type.GetSchema());
        string column = type.FindProperty(nameof(FileLedgerEntry.Id))!.GetColumnName(table)!;
        var sql = context.GetService<ISqlGenerationHelper>();

        var connection = context.Database.GetDbConnection();
        bool open = connection.State == ConnectionState.Open;
        if (!open)
        {
            await context.Database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        }

        try
        {
            var command = connection.CreateCommand();
            await using (command.ConfigureAwait(false))
            {
#pragma warning disable CA2100 // identifiers come from the model and are delimited; the value is a parameter
                command.CommandText = $"DELETE FROM {sql.DelimitIdentifier(table.Name, table.Schema)} WHERE {sql.DelimitIdentifier(column)} = @id";
#pragma warning restore CA2100
                var parameter = command.CreateParameter();
                parameter.ParameterName = "@id";
                parameter.Value = id;
                command.Parameters.Add(parameter);
                await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            if (!open)
            {
                await context.Database.CloseConnectionAsync().ConfigureAwait(false);
            }
        }
    }
}
