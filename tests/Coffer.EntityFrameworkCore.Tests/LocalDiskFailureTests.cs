using Coffer.EntityFrameworkCore.Tests.Infrastructure;
using Coffer.Local;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace Coffer.EntityFrameworkCore.Tests;

/// <summary>A delete that fails after the commit: only local disk can be made to fail on demand, so this is not in the suite.</summary>
#pragma warning disable CA1001 // xunit disposes it through IAsyncLifetime.DisposeAsync
public sealed class LocalDiskFailureTests : IAsyncLifetime
#pragma warning restore CA1001
{
    private readonly LocalStorageFactory _storages = new();
    private readonly SqliteConnection _connection = new("Data Source=:memory:");
    private readonly LogSink _logs = new();
    private LoggerFactory _loggerFactory = null!;
    private LocalFileStorage _private = null!;
    private FileStorageRegistry _registry = null!;

    public async Task InitializeAsync()
    {
        _private = (LocalFileStorage)_storages.Create("private", FileVisibility.Private);
        _registry = new FileStorageRegistry([_private, _storages.Create("public", FileVisibility.Public)]);
        _loggerFactory = new LoggerFactory([_logs]);
        await _connection.OpenAsync();
        await using var db = CreateContext();
        await db.Database.EnsureCreatedAsync();
    }

    public async Task DisposeAsync()
    {
        _loggerFactory.Dispose();
        await _connection.DisposeAsync();
        await _storages.DisposeAsync();
    }

    [Fact]
    public async Task A_delete_that_fails_after_the_commit_stays_owed_until_a_ledger_sweep_succeeds()
    {
        string stuck = _private.GetPath("files/stuck.txt");
        Directory.CreateDirectory(stuck); // a folder where the old file should be: deleting it as a file fails
        int id;
        await using (var db = CreateContext())
        {
            var row = new PrivateFile { File = StoredFile.FromName("files/stuck.txt") };
            db.Add(row);
            await db.SaveChangesAsync();
            id = row.Id;
        }

        await using (var db = CreateContext())
        {
            db.Remove(await db.PrivateFiles.SingleAsync(f => f.Id == id));
            await db.SaveChangesAsync(); // the commit stands; the delete is owed
        }

        var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(DateTimeOffset.UtcNow);
        FileLedgerSweepResult stillDown, recovered;
        FileLedgerEntry owed;
        await using (var db = CreateContext())
        {
            owed = Assert.Single(await db.Set<FileLedgerEntry>().AsNoTracking().ToListAsync());
            stillDown = await db.SweepFileLedgerAsync(clock);
            Directory.Delete(stuck);
            File.WriteAllText(stuck, "the old file, reachable again");
            Assert.Empty((await db.SweepFileLedgerAsync(clock)).Done); // not due yet: retried after a back-off
            clock.Advance(TimeSpan.FromMinutes(1));
            recovered = await db.SweepFileLedgerAsync(clock);
            Assert.Empty(await db.Set<FileLedgerEntry>().ToListAsync());
        }

        Assert.Equal(("private", "files/stuck.txt", 0), (owed.Storage, owed.Name, owed.Attempts));
        var failed = Assert.Single(stillDown.Failed);
        Assert.Equal(1, failed.Attempts);
        Assert.NotNull(failed.LastError);
        Assert.Equal(2, Assert.Single(recovered.Done).Attempts);
        Assert.False(File.Exists(stuck));
        Assert.Contains(_logs.Entries, e => e.EventId.Id == 3010 && e.Message.Contains("files/stuck.txt", StringComparison.Ordinal));
        Assert.Contains(_logs.Entries, e => e.EventId.Id == 3012);
        Assert.Contains(_logs.Entries, e => e.EventId.Id == 3011);
    }

    [Fact]
    public async Task Without_the_ledger_a_failed_delete_after_the_commit_is_logged_and_the_new_state_kept()
    {
        // A folder where the old file should be: deleting it as a file fails.
        Directory.CreateDirectory(_private.GetPath("files/stuck.txt"));
        int id;
        await using (var db = CreateContextWithoutLedger())
        {
            var row = new PrivateFile { File = StoredFile.FromName("files/stuck.txt") };
            db.Add(row);
            await db.SaveChangesAsync();
            id = row.Id;
        }

        await using (var db = CreateContextWithoutLedger())
        {
            var row = await db.PrivateFiles.SingleAsync(f => f.Id == id);
            row.File = StoredFile.FromStream(TestContent.Text("new"), "new.txt");
            await db.SaveChangesAsync();
        }

        await using (var db = CreateContextWithoutLedger())
        {
            Assert.Equal("files/new.txt", (await db.PrivateFiles.SingleAsync(f => f.Id == id)).File.Name);
        }

        var entry = Assert.Single(_logs.Entries, e => e.EventId.Id == 3005);
        Assert.Equal(LogLevel.Warning, entry.Level);
        Assert.Contains("files/stuck.txt", entry.Message, StringComparison.Ordinal);
        Assert.Contains("left for the sweeper", entry.Message, StringComparison.Ordinal);
    }

    private TestDbContext CreateContext() =>
        new(new DbContextOptionsBuilder().UseSqlite(_connection).UseCoffer(_registry).UseLoggerFactory(_loggerFactory).Options);

    private NoLedgerDbContext CreateContextWithoutLedger() =>
        new(new DbContextOptionsBuilder().UseSqlite(_connection).UseCoffer(_registry).UseLoggerFactory(_loggerFactory).Options);
}
