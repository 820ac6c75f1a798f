// Starts one save with the storage's own code and never lets it finish: the content stalls after its first bytes, and
// the process prints "STALLED" and waits to be killed. What the store then holds is exactly what a web server killed
// mid-upload leaves, so the tests can kill this process with SIGKILL and check that one sweep cleans up after it.
//
//   Coffer.CrashUploader local <root-path> <location> <bytes-before-stall>
//   Coffer.CrashUploader s3 <service-url> <access-key> <secret-key> <bucket> <location> <bytes-before-stall>
//
// Or, with "ef <sqlite|postgres> <connection-string>" in front of the storage's arguments (and 0 for the bytes), it saves
// rows with files through EF Core in a loop, as an app does, printing "COMMITTED <name>" after each commit, until killed:
// every other new row's file is a direct upload (recorded pending, sent as a client would, completed, committed).
using System.Globalization;
using Coffer;
using Coffer.CrashUploader;
using Coffer.EntityFrameworkCore;
using Coffer.Local;
using Coffer.S3;
using Coffer.Signing;
using Coffer.TestSupport;
using Coffer.EntityFrameworkCore.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

string? efProvider = null, efConnection = null;
if (args is ["ef", var provider, var connection, ..])
{
    (efProvider, efConnection, args) = (provider, connection, args[3..]);
}

FileStorage storage = args switch
{
    ["local", var root, var location, _] => Local(root, location),
    ["s3", var serviceUrl, var accessKey, var secretKey, var bucket, var location, _] => new S3FileStorage("private", new S3FileStorageOptions
    {
        ServiceUrl = serviceUrl,
        AccessKey = accessKey,
        SecretKey = secretKey,
        BucketName = bucket,
        Location = location,
        MultipartThreshold = 5 * 1024 * 1024,
        MultipartPartSize = 5 * 1024 * 1024,
        MultipartConcurrency = 2,
    }),
    _ => throw new ArgumentException("usage: local <root> <location> <bytes> | s3 <url> <key> <secret> <bucket> <location> <bytes>"),
};

if (efProvider is not null)
{
    await SaveRowsUntilKilledAsync(storage, efProvider, efConnection!);
    return 0;
}

long before = long.Parse(args[^1], CultureInfo.InvariantCulture);
var stalled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
Task<string> save = storage.SaveAsync("video.bin", new StallingStream(before, stalled), new FileSaveOptions { UploadTo = "files" });
await Task.WhenAny(save, stalled.Task);
if (save.IsCompleted)
{
    Console.Error.WriteLine($"the save ended before it stalled: {save.Exception?.GetBaseException().Message ?? save.Result}");
    return 1;
}

Console.WriteLine("STALLED");
await Task.Delay(Timeout.Infinite);
return 0;

// Inserts rows with files of 1 KiB to 8 MiB (multipart on S3 above 5 MiB), and replaces every third row's file, so a
// kill can land in an upload, between an upload and its commit, in a commit, or in an old file's delete.
static async Task SaveRowsUntilKilledAsync(FileStorage storage, string provider, string connection)
{
    var options = KillDbContext.Configure(new DbContextOptionsBuilder<KillDbContext>(), provider, connection)
        .UseCoffer(new FileStorageRegistry([storage])).AddInterceptors(new SlowDatabase()).Options;
    await using var services = new ServiceCollection().AddScoped(_ => new KillDbContext(options)).AddCofferFileLedger<KillDbContext>().BuildServiceProvider();
    var ledger = services.GetRequiredService<IPendingUploadLedger>();
    var random = new Random();
    Console.WriteLine("STARTED");
    for (int i = 0; ; i++)
    {
        await using var db = new KillDbContext(options);
        KillUpload row;
        if (i % 3 == 2 && await db.Uploads.OrderByDescending(u => u.Id).FirstOrDefaultAsync() is { } last)
        {
            row = last;
        }
        else
        {
            row = new KillUpload();
            db.Add(row);
        }

        int length = random.Next(1024, 8 * 1024 * 1024);
        row.File = i % 2 == 1 && db.Entry(row).State == EntityState.Added
            ? StoredFile.FromUpload(await DirectUploadAsync(storage, ledger, $"kill/direct-{i}.bin", length))
            : StoredFile.FromStream(new ZeroStream(length), $"upload-{i}.bin");
        await db.SaveChangesAsync();
        Console.WriteLine($"COMMITTED {row.File.Name}");
    }
}

// What DirectUploads.StartAsync and a browser do, in the order they do it: the pending entry before any byte.
static async Task<DirectUpload> DirectUploadAsync(FileStorage storage, IPendingUploadLedger ledger, string fileName, int length)
{
    string name = storage.GetSaveName(fileName);
    var expiresAt = DateTimeOffset.UtcNow.AddHours(1);
    var entry = await ledger.RecordAsync(storage.Name, name, expiresAt, CancellationToken.None);
    var plan = await storage.StartDirectUploadAsync(name, length, "application/octet-stream", TimeSpan.FromHours(1));
    await Task.Delay(Random.Shared.Next(300)); // a browser on a real network: kills land between start, parts and completion too
    await DirectUploadClient.SendAsync(storage, name, plan, new byte[length]);
    await Task.Delay(Random.Shared.Next(300));
    if (plan.Method == DirectUploadMethod.Parts)
    {
        await storage.CompleteDirectUploadAsync(name, plan.UploadId!, length);
    }

    return new DirectUpload(storage.Name, name, fileName, length, "application/octet-stream", plan.Method, plan.UploadId, plan.PartSize, entry.Id, entry.DueAt, null, expiresAt);
}

static LocalFileStorage Local(string root, string location)
{
    var options = new LocalFileStorageOptions { RootPath = root, Location = location };
    options.SigningKeys.Add(UrlSigningKey.Generate("crash"));
    return new LocalFileStorage("private", options);
}

/// <summary>Zeros until <c>before</c> bytes have been read, then a read that never returns.</summary>
internal sealed class StallingStream(long before, TaskCompletionSource stalled) : ForwardOnlyTestStream
{
    private long _read;

    public override int Read(Span<byte> buffer) => throw new NotSupportedException("async only");

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (_read >= before)
        {
            stalled.TrySetResult();
            await Task.Delay(Timeout.Infinite, cancellationToken);
        }

        int count = (int)Math.Min(buffer.Length, before - _read);
        buffer.Span[..count].Clear();
        _read += count;
        return count;
    }
}

/// <summary>A non-seekable stream of <c>length</c> zeros, read in the small pieces a request body arrives in.</summary>
internal sealed class ZeroStream(long length) : ForwardOnlyTestStream
{
    private long _read;

    public override int Read(Span<byte> buffer)
    {
        int count = (int)Math.Min(Math.Min(buffer.Length, 64 * 1024), length - _read);
        buffer[..count].Clear();
        _read += count;
        return count;
    }
}

/// <summary>
/// A database that takes up to 300 ms per command, so that kills also land between an upload and the commit of its row,
/// the window that only the ledger's pending entries cover.
/// </summary>
internal sealed class SlowDatabase : Microsoft.EntityFrameworkCore.Diagnostics.DbCommandInterceptor
{
    public override async ValueTask<Microsoft.EntityFrameworkCore.Diagnostics.InterceptionResult<System.Data.Common.DbDataReader>> ReaderExecutingAsync(
        System.Data.Common.DbCommand command, Microsoft.EntityFrameworkCore.Diagnostics.CommandEventData eventData,
        Microsoft.EntityFrameworkCore.Diagnostics.InterceptionResult<System.Data.Common.DbDataReader> result, CancellationToken cancellationToken = default)
    {
        await Task.Delay(Random.Shared.Next(300), cancellationToken);
        return result;
    }
}
