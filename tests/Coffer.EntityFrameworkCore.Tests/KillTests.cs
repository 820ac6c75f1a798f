using Amazon.S3.Model;
using Coffer.CrashUploader;
using Coffer.EntityFrameworkCore.Tests.Infrastructure;
using Coffer.Local;
using Coffer.S3;
using Coffer.Signing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Time.Testing;

namespace Coffer.EntityFrameworkCore.Tests;

/// <summary>
/// An app process (tests/Coffer.CrashUploader, saving rows with files through EF Core) killed with SIGKILL at random
/// moments during at least 30 uploads; then, as after a restart, one ledger sweep and one sweep of unfinished uploads.
/// Nothing may be left over: no object without its row, no row without its object, nothing owed in the ledger, and on
/// S3 no unfinished multipart upload.
/// </summary>
public sealed class KillTests
{
    private const int Uploads = 30;
    private static readonly string S3Endpoint = Setting("COFFER_S3_ENDPOINT", "http://127.0.0.1:4568");
    private static readonly string AccessKey = Setting("COFFER_S3_ACCESS_KEY", "CIACCESSKEY0000000001");
    private static readonly string SecretKey = Setting("COFFER_S3_SECRET_KEY", "ci-secret-key-0000000000000000000000001");

    [Fact]
    public async Task An_app_killed_during_uploads_to_local_disk_on_SQLite_leaves_nothing_after_one_sweep()
    {
        string root = Path.Combine(Path.GetTempPath(), "coffer-kill-" + Guid.NewGuid().ToString("N")[..12]);
        try
        {
            var options = new LocalFileStorageOptions { RootPath = root, Location = "private" };
            options.SigningKeys.Add(UrlSigningKey.Generate("kill"));
            await using var database = new SqliteDatabase();
            string parts = Path.Combine(root, "private", ".coffer-uploads");
            await KillAndCheckAsync(database, new LocalFileStorage("private", options), ["local", root, "private"],
                directPartsLeft: () => Task.FromResult(Directory.Exists(parts) ? Directory.EnumerateFiles(parts, "*", SearchOption.AllDirectories).Count() : 0),
                unfinishedMultipart: null);
        }
        finally
        {
            if (Directory.Exists(root))
            {
                Directory.Delete(root, recursive: true);
            }
        }
    }

    [Fact]
    public async Task An_app_killed_during_uploads_to_RGW_on_PostgreSQL_leaves_nothing_after_one_sweep()
    {
        string bucket = "coffer-kill-" + Guid.NewGuid().ToString("N")[..12];
        using var storage = new S3FileStorage("private", new S3FileStorageOptions
        {
            ServiceUrl = S3Endpoint, AccessKey = AccessKey, SecretKey = SecretKey, BucketName = bucket, Location = "private",
            MultipartThreshold = 5 * 1024 * 1024, MultipartPartSize = 5 * 1024 * 1024, MultipartConcurrency = 2,
        });
        await storage.Client.PutBucketAsync(bucket);
        try
        {
            await using var database = new PostgresDatabase();
            Func<string, Func<Task<int>>> multipartUnder = prefix => async () =>
                (await storage.Client.ListMultipartUploadsAsync(new ListMultipartUploadsRequest { BucketName = bucket, Prefix = prefix })).MultipartUploads?.Count ?? 0;
            await KillAndCheckAsync(database, storage, ["s3", S3Endpoint, AccessKey, SecretKey, bucket, "private"],
                directPartsLeft: multipartUnder("private/kill/direct-"), unfinishedMultipart: multipartUnder(""));
        }
        finally
        {
            var listing = await storage.Client.ListObjectsV2Async(new ListObjectsV2Request { BucketName = bucket });
            foreach (var item in listing.S3Objects ?? [])
            {
                await storage.Client.DeleteObjectAsync(bucket, item.Key);
            }

            await storage.Client.DeleteBucketAsync(bucket);
        }
    }

    private static async Task KillAndCheckAsync(ITestDatabase database, FileStorage storage, string[] storageArguments,
        Func<Task<int>> directPartsLeft, Func<Task<int>>? unfinishedMultipart)
    {
        await database.InitializeAsync(nameof(KillTests));
        var options = KillDbContext.Configure(new DbContextOptionsBuilder<KillDbContext>(), database.Connection.Provider, database.Connection.ConnectionString)
            .UseCoffer(new FileStorageRegistry([storage])).Options;
        await using (var db = new KillDbContext(options))
        {
            await db.Database.EnsureCreatedAsync();
        }

        int attempts = 0;
        while (attempts < Uploads)
        {
            await using var app = await Coffer.TestSupport.CrashUploader.StartRowsAsync(database.Connection.Provider, database.Connection.ConnectionString, storageArguments);
            await app.WaitForCommittedAsync(1);
            await Task.Delay(Random.Shared.Next(0, 1500));
            await app.KillAsync();
            attempts += app.Committed.Count + 1; // and the one in flight when it died
        }

        // The restart: what an app's sweepers do, once. The ledger's pending uploads are treated as expired.
        await using (var db = new KillDbContext(options))
        {
            await db.SweepFileLedgerAsync(new FakeTimeProvider(DateTimeOffset.UtcNow.AddHours(7)));
        }

        // Direct uploads' parts are the ledger's to remove (their uploads are pending), not the full sweep's.
        Assert.Equal(0, await directPartsLeft());
        await storage.SweepUnfinishedUploadsAsync(TimeSpan.Zero);

        await using (var db = new KillDbContext(options))
        {
            var rows = (await db.Uploads.AsNoTracking().ToListAsync()).Select(u => u.File.Name!).Order(StringComparer.Ordinal).ToList();
            var objects = (await StorageContents.ListAllAsync(storage, "kill")).Order(StringComparer.Ordinal).ToList();
            Assert.Equal(rows, objects);
            Assert.Empty(await db.Set<FileLedgerEntry>().AsNoTracking().ToListAsync());
        }

        if (unfinishedMultipart is not null)
        {
            Assert.Equal(0, await unfinishedMultipart());
        }
    }

    private static string Setting(string variable, string fallback) =>
        Environment.GetEnvironmentVariable(variable) is { Length: > 0 } value ? value : fallback;
}
