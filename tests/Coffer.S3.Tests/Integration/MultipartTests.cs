using System.Diagnostics;
using System.Security.Cryptography;
using Amazon.S3.Model;
using Xunit.Abstractions;

// S3's multipart ETag is built from MD5s; the test recomputes it.
#pragma warning disable CA5351

namespace Coffer.S3.Tests.Integration;

public sealed class MultipartTests(S3Server server, ITestOutputHelper output) : S3TestBase(server)
{
    private const int MiB = 1024 * 1024;

    // uniqueNames: false for the tests of what happens when a name is taken, which only Django's names allow.
    private S3FileStorage SmallPartStorage(int concurrency = 2, bool uniqueNames = true) => CreateStorage(configure: o =>
    {
        o.MultipartThreshold = 5 * MiB;
        o.MultipartPartSize = 5 * MiB;
        o.MultipartConcurrency = concurrency;
        o.UniqueNames = uniqueNames;
    });

    [Fact]
    public async Task Each_part_of_a_multipart_upload_is_a_span_under_its_save()
    {
        // Other tests save in parallel: only the spans of this test's trace count.
        using var testSource = new ActivitySource("Coffer.S3.Tests.Telemetry");
        var spans = new System.Collections.Concurrent.ConcurrentQueue<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name is CofferDiagnostics.ActivitySourceName or "Coffer.S3.Tests.Telemetry",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = spans.Enqueue,
        };
        ActivitySource.AddActivityListener(listener);
        var storage = SmallPartStorage();

        using (var root = testSource.StartActivity("test"))
        {
            await storage.SaveAsync("parts.bin", new GeneratedStream(12L * MiB, partSize: 5 * MiB));
        }

        var traceId = spans.Single(s => s.OperationName == "test").TraceId;
        var mine = spans.Where(s => s.TraceId == traceId).ToList();
        var save = Assert.Single(mine, s => s.OperationName == "coffer.storage.save");
        var parts = mine.Where(s => s.OperationName == "coffer.storage.upload_part").OrderBy(s => (int)s.GetTagItem("coffer.multipart.part_number")!).ToList();
        Assert.Equal([1, 2, 3], parts.Select(p => (int)p.GetTagItem("coffer.multipart.part_number")!));
        Assert.Equal([5 * MiB, 5 * MiB, 2 * MiB], parts.Select(p => (int)p.GetTagItem("coffer.bytes")!));
        Assert.All(parts, p => Assert.Equal(save.SpanId, p.ParentSpanId));
    }

    [Fact]
    public async Task One_gibibyte_non_seekable_upload_completes_with_bounded_memory()
    {
        const long size = 1024L * MiB;
        var storage = CreateStorage(); // defaults: 8 MiB parts, 4 at a time
        var content = new GeneratedStream(size, partSize: 8 * MiB);

        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        using var process = Process.GetCurrentProcess();
        process.Refresh();
        long baselineWorkingSet = process.WorkingSet64;
        long allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        long peakWorkingSet = baselineWorkingSet;
        using var sampling = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            while (!sampling.IsCancellationRequested)
            {
                process.Refresh();
                peakWorkingSet = Math.Max(peakWorkingSet, process.WorkingSet64);
                await Task.Delay(20);
            }
        });

        var watch = Stopwatch.StartNew();
        string name = await storage.SaveAsync("huge.bin", content);
        watch.Stop();
        long allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
        await sampling.CancelAsync();
        await sampler;

        long peakGrowth = peakWorkingSet - baselineWorkingSet;
        string report = $"1 GiB non-seekable upload: {watch.Elapsed.TotalSeconds:F1} s, {size / MiB / watch.Elapsed.TotalSeconds:F0} MiB/s; "
            + $"GC allocated {allocated / (double)MiB:F1} MiB; working set {baselineWorkingSet / MiB} MiB before, peak {peakWorkingSet / MiB} MiB (+{peakGrowth / MiB} MiB)";
        output.WriteLine(report);
        Console.Error.WriteLine(report);

        var head = await Server.Client.GetObjectMetadataAsync(Bucket, name);
        Assert.Equal(size, head.ContentLength);
        Assert.Equal(content.ExpectedMultipartETag, head.ETag.Trim('"'));
        // 8 MiB parts x 4 in flight = 32 MiB of buffers; everything else the SDK and HTTP stack need must stay small
        // next to the 1 GiB that went through.
        Assert.True(allocated < 160L * MiB, report);
        Assert.True(peakGrowth < 256L * MiB, report);
    }

    [Fact]
    public async Task Multipart_upload_stores_exactly_the_content()
    {
        var storage = SmallPartStorage();
        byte[] bytes = RandomBytes(23 * MiB + 123);
        string name = await storage.SaveAsync("video.mp4", new NonSeekableStream(bytes));

        var head = await Server.Client.GetObjectMetadataAsync(Bucket, name);
        Assert.EndsWith("-5\"", head.ETag, StringComparison.Ordinal); // five parts: it really was a multipart upload
        Assert.Equal("video/mp4", head.Headers.ContentType);
        await using var stream = await storage.OpenReadAsync(name);
        Assert.Equal(SHA256.HashData(bytes), await SHA256.HashDataAsync(stream));
    }

    [Fact]
    public async Task Seekable_content_above_the_threshold_goes_up_in_parts()
    {
        var storage = SmallPartStorage();
        byte[] bytes = RandomBytes(11 * MiB);
        string name = await storage.SaveAsync("big.bin", new MemoryStream(bytes));
        var head = await Server.Client.GetObjectMetadataAsync(Bucket, name);
        Assert.EndsWith("-3\"", head.ETag, StringComparison.Ordinal);
        Assert.Equal(SHA256.HashData(bytes), SHA256.HashData(await ReadObjectAsync(name)));
    }

    [Fact]
    public async Task Content_ending_exactly_at_a_part_boundary_is_stored_whole()
    {
        var storage = SmallPartStorage();
        byte[] bytes = RandomBytes(10 * MiB);
        string name = await storage.SaveAsync("even.bin", new NonSeekableStream(bytes));
        Assert.Equal(SHA256.HashData(bytes), SHA256.HashData(await ReadObjectAsync(name)));
    }

    [Fact]
    public async Task Multipart_upload_of_a_taken_name_gets_an_alternative_and_leaves_the_original()
    {
        var storage = SmallPartStorage(uniqueNames: false);
        await storage.SaveAsync("big.bin", new MemoryStream("original"u8.ToArray()));
        byte[] bytes = RandomBytes(6 * MiB);
        string name = await storage.SaveAsync("big.bin", new NonSeekableStream(bytes));
        Assert.Matches(@"^big_[A-Za-z0-9]{7}\.bin$", name);
        Assert.Equal("original"u8.ToArray(), await ReadObjectAsync("big.bin"));
        Assert.Equal(SHA256.HashData(bytes), SHA256.HashData(await ReadObjectAsync(name)));
        var head = await Server.Client.GetObjectMetadataAsync(Bucket, name);
        Assert.DoesNotContain(head.Metadata.Keys, k => k.Contains("coffer-reservation", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Concurrent_multipart_uploads_of_one_name_each_get_their_own_name()
    {
        var storage = SmallPartStorage();
        var uploads = Enumerable.Range(0, 4).Select(i => Task.Run(async () =>
        {
            byte[] bytes = RandomBytes(6 * MiB);
            return (name: await storage.SaveAsync("same.bin", new NonSeekableStream(bytes)), bytes);
        })).ToArray();
        var results = await Task.WhenAll(uploads);
        Assert.Equal(4, results.Select(r => r.name).Distinct(StringComparer.Ordinal).Count());
        foreach (var (name, bytes) in results)
        {
            Assert.Equal(SHA256.HashData(bytes), SHA256.HashData(await ReadObjectAsync(name)));
        }
    }

    [Fact]
    public async Task Name_reserved_by_an_upload_in_progress_is_not_a_file_yet()
    {
        var storage = SmallPartStorage(uniqueNames: false);
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var content = new GatedStream(RandomBytes(12 * MiB), gateAt: 6 * MiB, gate.Task);
        var save = storage.SaveAsync("pending.bin", content);
        await content.ReachedGate.WaitAsync(TimeSpan.FromSeconds(30));

        var raw = await Server.Client.ListObjectsV2Async(new ListObjectsV2Request { BucketName = Bucket });
        Assert.Contains(raw.S3Objects ?? [], o => o.Key == "pending.bin" && o.Size == 0); // the reservation
        Assert.False(await storage.ExistsAsync("pending.bin"));
        Assert.False((await storage.GetInfoAsync("pending.bin")).Exists);
        await Assert.ThrowsAsync<FileNotFoundException>(() => storage.OpenReadAsync("pending.bin"));

        gate.SetResult();
        Assert.Equal("pending.bin", await save);
        Assert.True(await storage.ExistsAsync("pending.bin"));
        Assert.Equal(12 * MiB, (await storage.GetInfoAsync("pending.bin")).Length);
    }

    [Fact]
    public async Task Cancelled_multipart_upload_leaves_no_upload_and_no_object_behind()
    {
        var storage = SmallPartStorage();
        using var cts = new CancellationTokenSource();
        var content = new GeneratedStream(64L * MiB, partSize: 5 * MiB, onRead: read =>
        {
            if (read >= 12 * MiB)
            {
                cts.Cancel();
            }
        });
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => storage.SaveAsync("cancelled.bin", content, cancellationToken: cts.Token));
        await AssertNothingLeftAsync();
    }

    [Fact]
    public async Task Failing_content_stream_aborts_the_upload_and_leaves_nothing_behind()
    {
        var storage = SmallPartStorage();
        var content = new GeneratedStream(64L * MiB, partSize: 5 * MiB, onRead: read =>
        {
            if (read >= 17 * MiB)
            {
                throw new IOException("the client went away");
            }
        });
        var ex = await Assert.ThrowsAsync<IOException>(() => storage.SaveAsync("failed.bin", content));
        Assert.Equal("the client went away", ex.Message);
        await AssertNothingLeftAsync();
    }

    [Fact]
    public async Task Content_over_the_size_limit_found_mid_upload_leaves_nothing_behind()
    {
        var storage = CreateStorage(configure: o =>
        {
            o.MultipartPartSize = 5 * MiB;
            o.MultipartThreshold = 5 * MiB;
            o.MaxFileSize = 12 * MiB;
        });
        var content = new GeneratedStream(20L * MiB, partSize: 5 * MiB);
        var ex = await Assert.ThrowsAsync<InvalidFileContentException>(() => storage.SaveAsync("too-big.bin", content));
        Assert.Equal(FileContentProblem.TooLarge, ex.Problem);
        await AssertNothingLeftAsync();
    }

    [Fact]
    public async Task Overwrite_with_multipart_replaces_the_file_without_a_reservation()
    {
        var storage = CreateStorage(configure: o =>
        {
            o.UniqueNames = false;
            o.FileOverwrite = true;
            o.MultipartPartSize = 5 * MiB;
            o.MultipartThreshold = 5 * MiB;
        });
        await storage.SaveAsync("same.bin", new MemoryStream("old"u8.ToArray()));
        byte[] bytes = RandomBytes(7 * MiB);
        Assert.Equal("same.bin", await storage.SaveAsync("same.bin", new NonSeekableStream(bytes)));
        Assert.Equal(SHA256.HashData(bytes), SHA256.HashData(await ReadObjectAsync("same.bin")));
    }

    private async Task AssertNothingLeftAsync()
    {
        var uploads = await Server.Client.ListMultipartUploadsAsync(new ListMultipartUploadsRequest { BucketName = Bucket });
        Assert.Empty(uploads.MultipartUploads ?? []);
        var objects = await Server.Client.ListObjectsV2Async(new ListObjectsV2Request { BucketName = Bucket });
        Assert.Empty(objects.S3Objects ?? []);
    }

    private static byte[] RandomBytes(int length)
    {
        byte[] bytes = new byte[length];
        Random.Shared.NextBytes(bytes);
        return bytes;
    }

    /// <summary>
    /// A non-seekable stream of generated bytes that computes, as it is read, the ETag S3 gives a multipart upload
    /// of it in parts of <c>partSize</c> (MD5 of the parts' MD5s, then "-" and the part count).
    /// </summary>
    private sealed class GeneratedStream(long length, int partSize, Action<long>? onRead = null) : ForwardOnlyTestStream
    {
        private static readonly byte[] Block = CreateBlock();
        private readonly IncrementalHash _partHash = IncrementalHash.CreateHash(HashAlgorithmName.MD5);
        private readonly MemoryStream _partHashes = new();
        private long _position;
        private int _parts;
        private long _inPart;

        public string ExpectedMultipartETag { get; private set; } = "";

        public override int Read(Span<byte> buffer)
        {
            onRead?.Invoke(_position);
            int n = (int)Math.Min(Math.Min(buffer.Length, 256 * 1024), length - _position);
            for (int done = 0; done < n;)
            {
                int offsetInBlock = (int)((_position + done) % Block.Length);
                int chunk = Math.Min(n - done, Block.Length - offsetInBlock);
                Block.AsSpan(offsetInBlock, chunk).CopyTo(buffer[done..]);
                done += chunk;
            }

            // Stamp the position every 64 KiB so that no two parts are alike.
            for (long at = (_position + 65535) / 65536 * 65536; at + 8 <= _position + n; at += 65536)
            {
                BitConverter.TryWriteBytes(buffer.Slice((int)(at - _position), 8), at);
            }

            Hash(buffer[..n]);
            _position += n;
            if (n == 0 && ExpectedMultipartETag.Length == 0)
            {
                FinishPart();
                ExpectedMultipartETag = $"{Convert.ToHexStringLower(MD5.HashData(_partHashes.ToArray()))}-{_parts}";
            }

            return n;
        }

        private void Hash(ReadOnlySpan<byte> data)
        {
            while (data.Length > 0)
            {
                int take = (int)Math.Min(data.Length, partSize - _inPart);
                _partHash.AppendData(data[..take]);
                _inPart += take;
                data = data[take..];
                if (_inPart == partSize)
                {
                    FinishPart();
                }
            }
        }

        private void FinishPart()
        {
            if (_inPart == 0)
            {
                return;
            }

            _partHashes.Write(_partHash.GetHashAndReset());
            _parts++;
            _inPart = 0;
        }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            cancellationToken.ThrowIfCancellationRequested();
            return ValueTask.FromResult(Read(buffer.Span));
        }


        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _partHash.Dispose();
                _partHashes.Dispose();
            }

            base.Dispose(disposing);
        }

        private static byte[] CreateBlock()
        {
            byte[] block = new byte[1024 * 1024 + 7]; // an odd length, so the block does not align with parts
            new Random(42).NextBytes(block);
            return block;
        }
    }
}
