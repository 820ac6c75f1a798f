// Starts one save with the storage's own code and never lets it finish: the content stalls after its first bytes, and
// the process prints "STALLED" and waits to be killed. What the store then holds is exactly what a web server killed
// mid-upload leaves, so the tests can kill this process with SIGKILL and check that one sweep cleans up after it.
//
//   Coffer.CrashUploader local <root-path> <location> <bytes-before-stall>
//   Coffer.CrashUploader s3 <service-url> <access-key> <secret-key> <bucket> <location> <bytes-before-stall>
using System.Globalization;
using Coffer;
using Coffer.Local;
using Coffer.S3;
using Coffer.Signing;
using Coffer.TestSupport;

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
