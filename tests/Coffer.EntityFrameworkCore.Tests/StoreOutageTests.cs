using Amazon.S3;
using Amazon.S3.Model;
using Coffer.EntityFrameworkCore.Tests.Infrastructure;
using Coffer.S3;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Time.Testing;

namespace Coffer.EntityFrameworkCore.Tests;

/// <summary>
/// A row deleted while the store hangs (the real Ceph RGW behind a proxy that stops moving bytes): the commit stands,
/// the delete of its object is owed in the file ledger, and the first ledger sweep after the store is back does it.
/// Before the ledger, each such delete left an orphan that only a full-bucket sweep could find.
/// </summary>
#pragma warning disable CA1001 // xunit disposes it through IAsyncLifetime.DisposeAsync
public sealed class StoreOutageTests : IAsyncLifetime
#pragma warning restore CA1001
{
    private readonly SqliteDatabase _database = new();
    private readonly string _bucket = "coffer-ef-outage-" + Guid.NewGuid().ToString("N")[..10];
    private FaultProxy _proxy = null!;
    private S3FileStorage _storage = null!;
    private FileStorageRegistry _storages = null!;

    private static string Endpoint => Environment.GetEnvironmentVariable("COFFER_S3_ENDPOINT") is { Length: > 0 } e ? e : "http://127.0.0.1:4568";

    private static string AccessKey => Environment.GetEnvironmentVariable("COFFER_S3_ACCESS_KEY") is { Length: > 0 } a ? a : "CIACCESSKEY0000000001";

    private static string SecretKey => Environment.GetEnvironmentVariable("COFFER_S3_SECRET_KEY") is { Length: > 0 } s ? s : "ci-secret-key-0000000000000000000000001";

    public async Task InitializeAsync()
    {
        _proxy = FaultProxy.To(Endpoint);
        _storage = new S3FileStorage("private", new S3FileStorageOptions
        {
            BucketName = _bucket,
            ServiceUrl = _proxy.Endpoint,
            AccessKey = AccessKey,
            SecretKey = SecretKey,
            Location = "private",
            RequestTimeout = TimeSpan.FromSeconds(1),
            ConnectTimeout = TimeSpan.FromSeconds(1),
        });
        await _storage.Client.PutBucketAsync(_bucket);
        _storages = new FileStorageRegistry([_storage]);
        await _database.InitializeAsync(nameof(StoreOutageTests));
        await using var db = CreateContext();
        await db.Database.EnsureCreatedAsync();
    }

    public async Task DisposeAsync()
    {
        _proxy.Resume();
        var listing = await _storage.Client.ListObjectsV2Async(new ListObjectsV2Request { BucketName = _bucket });
        foreach (var item in listing.S3Objects ?? [])
        {
            await _storage.Client.DeleteObjectAsync(_bucket, item.Key);
        }

        await _storage.Client.DeleteBucketAsync(_bucket);
        _storage.Dispose();
        await _proxy.DisposeAsync();
        await _database.DisposeAsync();
    }

    [Fact]
    public async Task A_row_deleted_while_the_store_hangs_owes_its_delete_until_the_first_sweep_after_the_store_is_back()
    {
        int id;
        string name;
        await using (var db = CreateContext())
        {
            var row = new PrivateFile { File = StoredFile.FromStream(TestContent.Text("kept until the store is back"), "report.txt") };
            db.Add(row);
            await db.SaveChangesAsync();
            (id, name) = (row.Id, row.File.Name!);
        }

        _proxy.Hang();
        await using (var db = CreateContext())
        {
            db.Remove(await db.PrivateFiles.SingleAsync(f => f.Id == id));
            await db.SaveChangesAsync(); // the row is gone; its object's delete times out after the commit
            Assert.Empty(await db.PrivateFiles.Where(f => f.Id == id).ToListAsync());
        }

        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        FileLedgerSweepResult whileHung, afterResume;
        await using (var db = CreateContext())
        {
            whileHung = await db.SweepFileLedgerAsync(clock);
            _proxy.Resume();
            clock.Advance(TimeSpan.FromMinutes(1)); // the back-off after the first failed attempt
            afterResume = await db.SweepFileLedgerAsync(clock);
            Assert.Empty(await db.Set<FileLedgerEntry>().ToListAsync());
        }

        var failed = Assert.Single(whileHung.Failed);
        Assert.Equal(("private", name), (failed.Storage, failed.Name));
        Assert.Contains("StorageUnavailableException", failed.LastError, StringComparison.Ordinal);
        Assert.Equal(name, Assert.Single(afterResume.Done).Name);
        var gone = await Assert.ThrowsAsync<AmazonS3Exception>(() => _storage.Client.GetObjectMetadataAsync(_bucket, "private/" + name));
        Assert.Equal(System.Net.HttpStatusCode.NotFound, gone.StatusCode);
    }

    private TestDbContext CreateContext()
    {
        var builder = new DbContextOptionsBuilder<TestDbContext>();
        _database.Configure(builder);
        builder.UseCoffer(_storages);
        return new TestDbContext(builder.Options);
    }
}
