using System.Buffers;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Threading.Channels;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using Amazon.S3.Transfer;
using Coffer.TestSupport;
using Microsoft.Win32.SafeHandles;

namespace Coffer.Benchmarks;

/// <summary>
/// One file of <c>--mib</c> MiB sent to Ceph RGW twice per round, on the same machine in the same run: as a browser
/// sends a direct upload through the sample app (ticket, part URLs in batches, parts PUT straight to the store 4 at a
/// time, complete, commit), and by AWSSDK.S3's <see cref="TransferUtility"/> (the same part size and parallelism).
/// Rounds alternate (SDK, Coffer, SDK, Coffer, …) and the summary takes medians; the app's CPU and memory are read
/// from <c>/proc</c> while the Coffer upload runs. Ends with one summary line and one breakdown line.
/// </summary>
internal static class QuickDirectUpload
{
    private const int Parallel = 4;   // parts in flight, on both sides
    private const int UrlBatch = 16;  // part URLs per POST {uploadsUrl}/parts: 4 per connection, asked for before they run out
    private const int CopyBuffer = 81_920; // Stream.CopyTo's default, so neither side gets a bigger one
    private const int WarmUploads = 3;
    private static readonly TimeSpan SamplePeriod = TimeSpan.FromMilliseconds(20);

    public static int Run(string[] args)
    {
        var options = Options.Parse(args);
        if (options is null)
        {
            Console.Error.WriteLine("usage: direct [--mib N] [--rounds N] [--app DIR] [--no-build] [--app-env KEY=VALUE]…");
            return 2;
        }

        using var cancellation = new CancellationTokenSource(TimeSpan.FromMinutes(30));
        return RunAsync(options, cancellation.Token).GetAwaiter().GetResult();
    }

    private static async Task<int> RunAsync(Options options, CancellationToken ct)
    {
        string endpoint = Setting("COFFER_S3_ENDPOINT", "http://127.0.0.1:4568");
        string accessKey = Setting("COFFER_S3_ACCESS_KEY", "CIACCESSKEY0000000001");
        string secretKey = Setting("COFFER_S3_SECRET_KEY", "ci-secret-key-0000000000000000000000001");
        string bucket = "coffer-bench-direct-" + Guid.NewGuid().ToString("N")[..12];
        long length = options.Mib * 1024L * 1024;

        string appDirectory = SampleAppProcess.Publish(options.AppDirectory, reuse: !options.Build);
        using var work = new TempWork();
        string file = work.MakeFile("upload.bin", length);

        var settings = new Dictionary<string, string>
        {
            ["Database__Provider"] = "Sqlite",
            ["Sample__CreateBuckets"] = "true",
            ["Coffer__Storages__private__MaxFileSize"] = Math.Max(length, 100L * 1024 * 1024).ToString(CultureInfo.InvariantCulture),
        };
        foreach (var (key, value) in options.AppEnvironment)
        {
            settings[key] = value;
        }

        foreach (var (key, value) in SampleS3Settings.For(bucket, endpoint, accessKey, secretKey))
        {
            settings[key] = value;
        }

        // What a client of the SDK would write for a local S3 server; the checksums are off because a browser's PUT to
        // a signed URL sends none either (and RGW computes its own MD5 for every part on both sides). Over HTTP the SDK
        // must sign every payload (SHA-256 of each byte; DisablePayloadSigning "must be sent over HTTPS"), which a
        // signed part URL does not (UNSIGNED-PAYLOAD): that is the SDK's cost here, not a setting left on.
        using var s3 = new AmazonS3Client(new BasicAWSCredentials(accessKey, secretKey), new AmazonS3Config
        {
            ServiceURL = endpoint,
            ForcePathStyle = true,
            AuthenticationRegion = Setting("COFFER_S3_REGION", "us-east-1"),
            RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
            ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
        });

        SampleAppProcess? app = null;
        try
        {
            app = await SampleAppProcess.StartAsync(appDirectory, settings, ct);
            using var user = await app.SignUpAsync($"bench-{Guid.NewGuid():N}@bench.test", ct);
            // A browser does not send the app's token to the store: the part URLs are the permission.
            using var store = new HttpClient(new SocketsHttpHandler { UseCookies = false, AllowAutoRedirect = false }) { Timeout = TimeSpan.FromMinutes(10) };
            var coffer = new CofferClient(user, store, app.CpuTime);
            using var transfer = new TransferUtility(s3, new TransferUtilityConfig { ConcurrentServiceRequests = Parallel });

            // The part size is the app's: a ticket for the whole file says it (then it is aborted, leaving nothing).
            var plan = await coffer.PlanAsync(length, ct);
            var sdk = new SdkClient(transfer, s3, bucket, plan.PartSize);

            // Warm-up of both sides (JIT, connections), not counted: a few files of a few parts.
            string warm = work.MakeFile("warm.bin", Math.Min(length, 4 * plan.PartSize));
            for (int i = 0; i < WarmUploads; i++)
            {
                await coffer.DeleteAsync(await coffer.UploadAsync(warm, ct), ct);
                await sdk.DeleteAsync(await sdk.UploadAsync(warm, ct), ct);
            }

            var cofferRuns = new List<CofferRun>();
            var sdkRuns = new List<SdkRun>();
            var settled = await app.WaitUntilIdleAsync(TimeSpan.FromSeconds(20), ct);

            Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"warm-up: {WarmUploads} uploads of {new FileInfo(warm).Length / (1024 * 1024)} MiB each side; the app then spent {settled.TotalSeconds:F2} s CPU before it was idle"));
            for (int round = 1; round <= options.Rounds; round++)
            {
                await app.WaitUntilIdleAsync(TimeSpan.FromSeconds(5), ct);
                var sdkRun = await MeasureSdkAsync(app, sdk, s3, bucket, file, length, ct);
                sdkRuns.Add(sdkRun);
                Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"round {round}: sdk {sdkRun.Seconds:F2} s (app meanwhile: {sdkRun.AppCpuSeconds:F2} s CPU; client {sdkRun.Other.ClientSeconds:F2} s, RGW {sdkRun.Other.StoreSeconds:F2} s)"));
                await app.WaitUntilIdleAsync(TimeSpan.FromSeconds(5), ct);
                var cofferRun = await MeasureCofferAsync(app, coffer, s3, bucket, file, length, ct);
                cofferRuns.Add(cofferRun);
                Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"round {round}: coffer {cofferRun.Seconds:F2} s (client {cofferRun.Other.ClientSeconds:F2} s CPU, RGW {cofferRun.Other.StoreSeconds:F2} s), app {cofferRun.AppCpuSeconds:F2} s CPU, RSS +{cofferRun.RssGrowth / (1024.0 * 1024):F1} MiB ({cofferRun.AppRequests} app requests; CPU ticket/urls/complete/commit {string.Join('/', cofferRun.AppCpuSteps.Select(c => c.TotalMilliseconds.ToString("F0", CultureInfo.InvariantCulture)))} ms)"));
            }

            double cofferS = Median(cofferRuns.Select(r => r.Seconds));
            double sdkS = Median(sdkRuns.Select(r => r.Seconds));
            double cpu = Median(cofferRuns.Select(r => r.AppCpuSeconds));
            double rssGrowth = cofferRuns.Max(r => r.RssGrowth) / (1024.0 * 1024);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"direct-breakdown: parts={plan.PartCount}x{plan.PartSize / (1024 * 1024)}MiB parallel={Parallel} url_batch={UrlBatch} rounds={options.Rounds} "
                + $"coffer_runs_s={Join(cofferRuns.Select(r => r.Seconds))} sdk_runs_s={Join(sdkRuns.Select(r => r.Seconds))} "
                + $"coffer_mib_s={options.Mib / cofferS:F0} sdk_mib_s={options.Mib / sdkS:F0} app_requests={cofferRuns[0].AppRequests} "
                + $"app_cpu_runs_s={Join(cofferRuns.Select(r => r.AppCpuSeconds))} of_which_tiered_jit_s={Join(cofferRuns.Select(r => r.AppJitSeconds))} app_cpu_while_sdk_s={Median(sdkRuns.Select(r => r.AppCpuSeconds)):F2} "
                + $"client_cpu_s={Median(cofferRuns.Select(r => r.Other.ClientSeconds)):F2}/{Median(sdkRuns.Select(r => r.Other.ClientSeconds)):F2} "
                + $"rgw_cpu_s={Median(cofferRuns.Select(r => r.Other.StoreSeconds)):F2}/{Median(sdkRuns.Select(r => r.Other.StoreSeconds)):F2} "
                + $"app_rss_before_mib={cofferRuns[^1].RssBefore / (1024.0 * 1024):F0} rss_peak_from={(cofferRuns.All(r => r.PeakFromKernel) ? "VmHWM" : "VmRSS-samples")}"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"direct: mib={options.Mib} coffer_s={cofferS:F2} sdk_s={sdkS:F2} ratio={sdkS / cofferS:F2} app_cpu_s={cpu:F2} app_rss_growth_mib={rssGrowth:F1}"));
            return 0;
        }
        catch (Exception ex) when (app is not null && ex is not OperationCanceledException)
        {
            Console.Error.WriteLine($"direct: FAILED: {ex}{Environment.NewLine}the app's last lines:{Environment.NewLine}{app.Log()}");
            return 1;
        }
        finally
        {
            app?.Dispose();
            await EmptyAndDeleteBucketAsync(s3, bucket);
        }
    }

    private static async Task<SdkRun> MeasureSdkAsync(SampleAppProcess app, SdkClient sdk, AmazonS3Client s3, string bucket, string file, long length, CancellationToken ct)
    {
        var cpuBefore = app.CpuTime();
        var otherBefore = OtherCpu.Now();
        var watch = Stopwatch.StartNew();
        string key = await sdk.UploadAsync(file, ct);
        double seconds = watch.Elapsed.TotalSeconds;
        var cpu = app.CpuTime() - cpuBefore;
        var other = OtherCpu.Since(otherBefore);
        await EnsureStoredAsync(s3, bucket, key, length, ct);
        await sdk.DeleteAsync(key, ct);
        return new SdkRun(seconds, cpu.TotalSeconds, other);
    }

    private static async Task<CofferRun> MeasureCofferAsync(SampleAppProcess app, CofferClient coffer, AmazonS3Client s3, string bucket, string file, long length, CancellationToken ct)
    {
        bool peakFromKernel = app.ResetPeak();
        var (rssBefore, _) = app.Memory();
        long rssMax = rssBefore;
        using var sampling = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var sampler = Task.Run(async () =>
        {
            using var timer = new PeriodicTimer(SamplePeriod);
            try
            {
                while (await timer.WaitForNextTickAsync(sampling.Token))
                {
                    rssMax = Math.Max(rssMax, app.Memory().Rss);
                }
            }
            catch (OperationCanceledException)
            {
            }
        }, CancellationToken.None);

        var cpuBefore = app.CpuTime();
        var jitBefore = app.TieredCompilationCpuTime();
        var otherBefore = OtherCpu.Now();
        var watch = Stopwatch.StartNew();
        var committed = await coffer.UploadAsync(file, ct);
        double seconds = watch.Elapsed.TotalSeconds;
        var other = OtherCpu.Since(otherBefore);
        var cpu = app.CpuTime() - cpuBefore;
        var jit = app.TieredCompilationCpuTime() - jitBefore;
        await sampling.CancelAsync();
        await sampler;
        var (rssAfter, peak) = app.Memory();
        long max = Math.Max(Math.Max(rssMax, rssAfter), peakFromKernel ? peak : 0);

        string key = await FindKeyAsync(s3, bucket, committed.Name, ct);
        await EnsureStoredAsync(s3, bucket, key, length, ct);
        await coffer.DeleteAsync(committed, ct);
        return new CofferRun(seconds, cpu.TotalSeconds, Math.Max(0, jit.TotalSeconds), rssBefore, max - rssBefore, peakFromKernel, committed.AppRequests, committed.AppCpu, other);
    }

    /// <summary>The object's key: the storage's prefix, then the name the ticket gave.</summary>
    private static async Task<string> FindKeyAsync(AmazonS3Client s3, string bucket, string name, CancellationToken ct)
    {
        var listing = await s3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = bucket }, ct);
        return (listing.S3Objects ?? []).Select(o => o.Key).SingleOrDefault(k => k == name || k.EndsWith("/" + name, StringComparison.Ordinal))
            ?? throw new InvalidOperationException($"The committed upload {name} is not in the bucket {bucket}.");
    }

    /// <summary>A fast wrong answer must not pass: the object is there, with every byte.</summary>
    private static async Task EnsureStoredAsync(AmazonS3Client s3, string bucket, string key, long length, CancellationToken ct)
    {
        var head = await s3.GetObjectMetadataAsync(bucket, key, ct);
        if (head.ContentLength != length)
        {
            throw new InvalidOperationException($"{key} holds {head.ContentLength} bytes, not {length}.");
        }
    }

    private static async Task EmptyAndDeleteBucketAsync(AmazonS3Client s3, string bucket)
    {
        try
        {
            var uploads = await s3.ListMultipartUploadsAsync(bucket);
            foreach (var upload in uploads.MultipartUploads ?? [])
            {
                await s3.AbortMultipartUploadAsync(bucket, upload.Key, upload.UploadId);
            }

            var listing = await s3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = bucket });
            foreach (var item in listing.S3Objects ?? [])
            {
                await s3.DeleteObjectAsync(bucket, item.Key);
            }

            await s3.DeleteBucketAsync(bucket);
        }
        catch (AmazonS3Exception ex) when (ex.StatusCode == HttpStatusCode.NotFound)
        {
            // the app never started, so it never made the bucket
        }
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }

    private static string Join(IEnumerable<double> values) => string.Join(',', values.Select(v => v.ToString("F2", CultureInfo.InvariantCulture)));

    private static string Setting(string variable, string fallback) =>
        Environment.GetEnvironmentVariable(variable) is { Length: > 0 } value ? value : fallback;

    private sealed record Options(int Mib, int Rounds, string AppDirectory, bool Build, IReadOnlyList<KeyValuePair<string, string>> AppEnvironment)
    {
        public static Options? Parse(string[] args)
        {
            var options = new Options(1024, 3, Environment.GetEnvironmentVariable("COFFER_BENCH_DIRECT_APP") is { Length: > 0 } dir ? dir : "/tmp/coffer-bench-direct-app", true, []);
            for (int i = 1; i < args.Length; i++)
            {
                switch (args[i])
                {
                    case "--mib" when i + 1 < args.Length && int.TryParse(args[++i], CultureInfo.InvariantCulture, out int mib) && mib > 0:
                        options = options with { Mib = mib };
                        break;
                    case "--rounds" when i + 1 < args.Length && int.TryParse(args[++i], CultureInfo.InvariantCulture, out int rounds) && rounds > 0:
                        options = options with { Rounds = rounds };
                        break;
                    case "--app" when i + 1 < args.Length:
                        options = options with { AppDirectory = Path.GetFullPath(args[++i]) };
                        break;
                    case "--app-env" when i + 1 < args.Length && args[i + 1].Split('=', 2) is [{ Length: > 0 } key, var value]:
                        // For profiling the app only (e.g. DOTNET_JitStdOutFile=…), not for the numbers.
                        options = options with { AppEnvironment = [.. options.AppEnvironment, new(key, value)] };
                        i++;
                        break;
                    case "--no-build":
                        options = options with { Build = false };
                        break;
                    default:
                        return null;
                }
            }

            return options;
        }
    }

    /// <summary>The CPU the rest of the machine spent on one upload: this process (the client) and the S3 server's daemons.</summary>
    private sealed record OtherCpu(double ClientSeconds, double StoreSeconds)
    {
        private static readonly string[] StoreDaemons = ["radosgw", "ceph-osd"];

        public static (TimeSpan Client, TimeSpan Store) Now() => (Process.GetCurrentProcess().TotalProcessorTime, ProcStat.CpuTimeOf(StoreDaemons));

        public static OtherCpu Since((TimeSpan Client, TimeSpan Store) before)
        {
            var now = Now();
            return new OtherCpu((now.Client - before.Client).TotalSeconds, (now.Store - before.Store).TotalSeconds);
        }
    }

    private sealed record SdkRun(double Seconds, double AppCpuSeconds, OtherCpu Other);

    private sealed record CofferRun(double Seconds, double AppCpuSeconds, double AppJitSeconds, long RssBefore, long RssGrowth, bool PeakFromKernel, int AppRequests, TimeSpan[] AppCpuSteps, OtherCpu Other);

    private sealed record UploadPlan(long PartSize, int PartCount);

    /// <summary>A committed upload; <paramref name="AppCpu"/> is the app's CPU in each step (ticket, part URLs, complete, commit).</summary>
    private sealed record Committed(int Id, string Name, int AppRequests, TimeSpan[] AppCpu);

    /// <summary>The protocol of docs/direct-uploads.md, driven as a browser drives it; the bytes go only to the store.</summary>
    private sealed class CofferClient(HttpClient app, HttpClient store, Func<TimeSpan> appCpu)
    {
        public async Task<UploadPlan> PlanAsync(long length, CancellationToken ct)
        {
            var ticket = await TicketAsync(length, ct);
            using var aborted = await app.PostAsJsonAsync(ticket.UploadsUrl + "/abort", new { ticket = ticket.Ticket }, ct);
            await SampleAppProcess.EnsureStatusAsync(aborted, HttpStatusCode.NoContent, ct);
            return new UploadPlan(ticket.PartSize!.Value, ticket.PartCount!.Value);
        }

        /// <summary>Ticket → part URLs in batches, parts PUT <see cref="Parallel"/> at a time → complete → commit.</summary>
        public async Task<Committed> UploadAsync(string file, CancellationToken ct)
        {
            long length = new FileInfo(file).Length;
            using var handle = File.OpenHandle(file, FileMode.Open, FileAccess.Read, FileShare.Read, FileOptions.Asynchronous);
            var cpu = new TimeSpan[5];
            cpu[0] = appCpu();
            var ticket = await TicketAsync(length, ct);
            cpu[1] = appCpu();
            int requests = 1;
            long partSize = ticket.PartSize!.Value;
            int partCount = ticket.PartCount!.Value;
            using var failed = CancellationTokenSource.CreateLinkedTokenSource(ct);
            var urls = Channel.CreateBounded<PartUrl>(new BoundedChannelOptions(UrlBatch) { SingleWriter = true });
            var asking = Task.Run(async () =>
            {
                try
                {
                    for (int first = 1; first <= partCount; first += UrlBatch)
                    {
                        int[] numbers = Enumerable.Range(first, Math.Min(UrlBatch, partCount - first + 1)).ToArray();
                        using var response = await app.PostAsJsonAsync(ticket.UploadsUrl + "/parts", new { ticket = ticket.Ticket, partNumbers = numbers }, failed.Token);
                        Interlocked.Increment(ref requests);
                        await SampleAppProcess.EnsureStatusAsync(response, HttpStatusCode.OK, failed.Token);
                        var batch = await response.Content.ReadFromJsonAsync<PartUrls>(failed.Token);
                        foreach (var part in batch!.Parts)
                        {
                            await urls.Writer.WriteAsync(part, failed.Token);
                        }
                    }

                    urls.Writer.Complete();
                }
                catch (Exception ex)
                {
                    urls.Writer.Complete(ex);
                    throw;
                }
            }, CancellationToken.None);
            var sending = Enumerable.Range(0, Parallel).Select(_ => Task.Run(async () =>
            {
                try
                {
                    await foreach (var part in urls.Reader.ReadAllAsync(failed.Token))
                    {
                        long offset = (part.PartNumber - 1) * partSize;
                        using var put = new HttpRequestMessage(HttpMethod.Put, part.Url) { Content = new FilePartContent(handle, offset, Math.Min(partSize, length - offset)) };
                        using var response = await store.SendAsync(put, failed.Token);
                        await SampleAppProcess.EnsureStatusAsync(response, HttpStatusCode.OK, failed.Token);
                    }
                }
                catch
                {
                    await failed.CancelAsync();
                    throw;
                }
            }, CancellationToken.None)).ToList();
            await Task.WhenAll(sending.Append(asking));
            cpu[2] = appCpu();

            using (var completed = await app.PostAsJsonAsync(ticket.UploadsUrl + "/complete", new { ticket = ticket.Ticket }, ct))
            {
                await SampleAppProcess.EnsureStatusAsync(completed, HttpStatusCode.NoContent, ct);
            }

            cpu[3] = appCpu();
            using var commit = await app.PostAsJsonAsync("/api/files", new { ticket = ticket.Ticket }, ct);
            await SampleAppProcess.EnsureStatusAsync(commit, HttpStatusCode.Created, ct);
            var row = await commit.Content.ReadFromJsonAsync<FileRow>(ct);
            cpu[4] = appCpu();
            return new Committed(row!.Id, ticket.Name, requests + 2, [.. cpu.Skip(1).Zip(cpu, (after, before) => after - before)]);
        }

        public async Task DeleteAsync(Committed committed, CancellationToken ct)
        {
            using var deleted = await app.DeleteAsync($"/api/files/{committed.Id}", ct);
            await SampleAppProcess.EnsureStatusAsync(deleted, HttpStatusCode.NoContent, ct);
        }

        private async Task<TicketResponse> TicketAsync(long length, CancellationToken ct)
        {
            using var response = await app.PostAsJsonAsync("/api/uploads", new { fileName = "bench.bin", size = length, contentType = "application/octet-stream" }, ct);
            await SampleAppProcess.EnsureStatusAsync(response, HttpStatusCode.Created, ct);
            var ticket = await response.Content.ReadFromJsonAsync<TicketResponse>(ct);
            return ticket is { Method: "parts", PartSize: not null, PartCount: not null, UploadsUrl: not null }
                ? ticket
                : throw new InvalidOperationException($"A ticket for {length} bytes is not an upload in parts: {ticket?.Method}.");
        }

        private sealed record TicketResponse(string Ticket, string Name, string Method, long? PartSize, int? PartCount, string? UploadsUrl);

        private sealed record PartUrl(int PartNumber, Uri Url);

        private sealed record PartUrls(List<PartUrl> Parts);

        private sealed record FileRow(int Id);
    }

    /// <summary>The same file through <see cref="TransferUtility"/>, which plans, sends and completes the parts itself.</summary>
    private sealed class SdkClient(TransferUtility transfer, AmazonS3Client s3, string bucket, long partSize)
    {
        public async Task<string> UploadAsync(string file, CancellationToken ct)
        {
            string key = $"sdk/{Guid.NewGuid():N}.bin";
            await transfer.UploadAsync(new TransferUtilityUploadRequest
            {
                BucketName = bucket,
                Key = key,
                FilePath = file,
                PartSize = partSize,
                ContentType = "application/octet-stream",
            }, ct);
            return key;
        }

        public async Task DeleteAsync(string key, CancellationToken ct) => await s3.DeleteObjectAsync(bucket, key, ct);
    }

    /// <summary>One part's bytes, read from the file as they are sent (as a browser sends a <c>Blob.slice</c>).</summary>
    private sealed class FilePartContent(SafeFileHandle file, long offset, long length) : HttpContent
    {
        protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
            SerializeToStreamAsync(stream, context, CancellationToken.None);

        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
        {
            byte[] buffer = ArrayPool<byte>.Shared.Rent(CopyBuffer);
            try
            {
                for (long sent = 0; sent < length;)
                {
                    int read = await RandomAccess.ReadAsync(file, buffer.AsMemory(0, (int)Math.Min(CopyBuffer, length - sent)), offset + sent, cancellationToken);
                    if (read == 0)
                    {
                        throw new EndOfStreamException($"The file ends before byte {offset + length}.");
                    }

                    await stream.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
                    sent += read;
                }
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }

        protected override bool TryComputeLength(out long contentLength)
        {
            contentLength = length;
            return true;
        }
    }

    /// <summary>The bench's folder: the file both sides send, made once per run and removed with the folder.</summary>
    private sealed class TempWork : IDisposable
    {
        private readonly string _folder = Directory.CreateTempSubdirectory("coffer-bench-direct-").FullName;

        /// <summary>
        /// <paramref name="length"/> deterministic bytes that do not compress (xorshift64), written in 1 MiB blocks: no
        /// byte array of the file's size is ever held, on either side.
        /// </summary>
        public string MakeFile(string name, long length)
        {
            string path = Path.Combine(_folder, name);
            byte[] block = new byte[1024 * 1024];
            ulong state = 0x9E3779B97F4A7C15;
            using var output = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 0);
            for (long written = 0; written < length; written += block.Length)
            {
                var words = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, ulong>(block.AsSpan());
                for (int i = 0; i < words.Length; i++)
                {
                    state ^= state << 13;
                    state ^= state >> 7;
                    state ^= state << 17;
                    words[i] = state;
                }

                output.Write(block, 0, (int)Math.Min(block.Length, length - written));
            }

            return path;
        }

        public void Dispose() => Directory.Delete(_folder, recursive: true);
    }
}
