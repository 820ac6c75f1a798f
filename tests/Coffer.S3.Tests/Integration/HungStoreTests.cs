using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Amazon.S3.Model;
using Xunit.Abstractions;

namespace Coffer.S3.Tests.Integration;

/// <summary>
/// A store that stops answering (radosgw under SIGSTOP, a dead route, a port that accepts and never answers) must be
/// given up on within the request timeout. The shared RGW is never stopped: each test puts a <see cref="FaultProxy"/>
/// in front of it and hangs only that.
/// </summary>
public sealed class HungStoreTests(S3Server server, ITestOutputHelper output) : S3TestBase(server)
{
    private const int MiB = 1024 * 1024;

    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(1);

    // Generous for a loaded CI machine; before the storage had a request timeout, a hung store held a call for days.
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);

    public static TheoryData<string> Operations => ["save", "save in parts", "open", "delete", "exists", "info", "list"];

    [Theory]
    [MemberData(nameof(Operations))]
    public async Task Every_operation_on_a_hung_store_fails_as_unavailable_within_seconds(string operation)
    {
        await using var proxy = FaultProxy.To(Server.Endpoint);
        var storage = StorageBehind(proxy);
        // The storage has pooled connections open when the store hangs, as an app in use would.
        string existing = await storage.SaveAsync("existing.txt", TestContent.Text("x"));
        proxy.Hang();

        var ex = await AssertUnavailableWithinBoundAsync(operation, () => RunAsync(storage, operation, existing));
        Assert.Contains("timed out", ex.Message, StringComparison.Ordinal);
        Assert.Contains("1 s (RequestTimeout)", ex.Message, StringComparison.Ordinal);
        Assert.Contains(proxy.Endpoint, ex.Message, StringComparison.Ordinal);
        Assert.Equal("private", ex.StorageName);
    }

    [Theory]
    [MemberData(nameof(Operations))]
    public async Task Every_operation_on_a_port_that_never_answers_fails_as_unavailable_within_seconds(string operation)
    {
        await using var blackHole = FaultProxy.BlackHole();
        var storage = StorageBehind(blackHole);

        var ex = await AssertUnavailableWithinBoundAsync(operation, () => RunAsync(storage, operation, "existing.txt"));
        Assert.Contains("timed out", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_multipart_upload_whose_parts_hang_is_aborted_and_leaves_no_upload_and_no_reservation()
    {
        await using var proxy = FaultProxy.To(Server.Endpoint);
        var storage = StorageBehind(proxy);
        // The connections that carry a part stall; the small requests (reservation, start, abort, its removal) pass.
        proxy.StallConnectionsAfter(MiB);

        await AssertUnavailableWithinBoundAsync("save in parts", () => storage.SaveAsync("stuck.bin", new NonSeekableStream(new byte[12 * MiB])));

        var uploads = await Server.Client.ListMultipartUploadsAsync(new ListMultipartUploadsRequest { BucketName = Bucket });
        Assert.Empty(uploads.MultipartUploads ?? []);
        var objects = await Server.Client.ListObjectsV2Async(new ListObjectsV2Request { BucketName = Bucket });
        Assert.Empty(objects.S3Objects ?? []); // no reservation left

        proxy.StallConnectionsAfter(long.MaxValue);
        string name = await storage.SaveAsync("stuck.bin", new NonSeekableStream(new byte[12 * MiB]));
        Assert.Equal(12 * MiB, (await storage.GetInfoAsync(name)).Length);
    }

    [Fact]
    public async Task A_download_that_stops_midway_fails_as_unavailable_within_seconds()
    {
        await using var proxy = FaultProxy.To(Server.Endpoint);
        var storage = StorageBehind(proxy);
        await Server.Client.PutObjectAsync(new PutObjectRequest { BucketName = Bucket, Key = "big.bin", InputStream = new MemoryStream(new byte[32 * MiB]) });
        await using var stream = await storage.OpenReadAsync("big.bin");
        byte[] buffer = new byte[64 * 1024];
        await stream.ReadExactlyAsync(buffer);
        proxy.Hang();

        // What the network had buffered still arrives; then nothing does.
        var ex = await AssertUnavailableWithinBoundAsync("read", async () =>
        {
            while (await stream.ReadAsync(buffer) > 0)
            {
            }
        });
        Assert.Contains("GET (body)", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_host_that_never_completes_a_connection_fails_within_the_connect_timeout()
    {
        // A listener with a full backlog: the kernel drops further connection attempts, as a dead route does.
        using var listener = new Socket(SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(0);
        var endpoint = (IPEndPoint)listener.LocalEndPoint!;
        var fillers = new List<Socket>();
        try
        {
            while (fillers.Count < 16)
            {
                var filler = new Socket(SocketType.Stream, ProtocolType.Tcp);
                fillers.Add(filler);
                var connect = filler.ConnectAsync(endpoint);
                if (await Task.WhenAny(connect, Task.Delay(300)) != connect)
                {
                    break; // this attempt hangs: the backlog is full
                }
            }

            // The request timeout alone would wait 30 s; the connect timeout gives up after 1 s per attempt.
            var storage = CreateStorage(configure: o =>
            {
                o.ServiceUrl = $"http://127.0.0.1:{endpoint.Port}";
                o.ConnectTimeout = Timeout;
                o.RequestTimeout = TimeSpan.FromSeconds(30);
            });
            var ex = await AssertUnavailableWithinBoundAsync("exists", () => storage.ExistsAsync("a.txt"));
            Assert.Contains("ConnectTimeout", ex.Message, StringComparison.Ordinal);
        }
        finally
        {
            foreach (var filler in fillers)
            {
                filler.Dispose();
            }
        }
    }

    [Fact]
    public async Task The_same_storage_works_again_when_the_store_resumes()
    {
        await using var proxy = FaultProxy.To(Server.Endpoint);
        var storage = StorageBehind(proxy);
        string before = await storage.SaveAsync("before.txt", TestContent.Text("before"));
        proxy.Hang();
        await AssertUnavailableWithinBoundAsync("exists", () => storage.ExistsAsync(before));
        await AssertUnavailableWithinBoundAsync("save", () => storage.SaveAsync("during.txt", TestContent.Text("during")));

        proxy.Resume();
        string name = await storage.SaveAsync("after.txt", TestContent.Text("after"));
        await using var stream = await storage.OpenReadAsync(name);
        Assert.Equal("after"u8.ToArray(), await ReadAllAsync(stream));
        Assert.True(await storage.ExistsAsync(before));
    }

    [Fact]
    public async Task Cancellation_by_the_caller_during_a_hang_stays_a_cancellation()
    {
        await using var proxy = FaultProxy.To(Server.Endpoint);
        var storage = StorageBehind(proxy, requestTimeout: TimeSpan.FromSeconds(30));
        string existing = await storage.SaveAsync("existing.txt", TestContent.Text("x"));
        proxy.Hang();
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => storage.ExistsAsync(existing, cts.Token).WaitAsync(Bound));
    }

    private S3FileStorage StorageBehind(FaultProxy proxy, TimeSpan? requestTimeout = null) => CreateStorage(configure: o =>
    {
        o.ServiceUrl = proxy.Endpoint;
        o.RequestTimeout = requestTimeout ?? Timeout;
        o.ConnectTimeout = Timeout;
        o.MultipartThreshold = 5 * MiB;
        o.MultipartPartSize = 5 * MiB;
        o.MultipartConcurrency = 2;
    });

    private static Task RunAsync(S3FileStorage storage, string operation, string existing) => operation switch
    {
        "save" => storage.SaveAsync("new.txt", TestContent.Text("new")),
        "save in parts" => storage.SaveAsync("new.bin", new NonSeekableStream(new byte[12 * MiB])),
        "open" => storage.OpenReadAsync(existing),
        "delete" => storage.DeleteAsync(existing),
        "exists" => storage.ExistsAsync(existing),
        "info" => storage.GetInfoAsync(existing),
        "list" => storage.ListAsync(""),
        _ => throw new ArgumentOutOfRangeException(nameof(operation), operation, null),
    };

    private async Task<StorageUnavailableException> AssertUnavailableWithinBoundAsync(string operation, Func<Task> call)
    {
        var watch = Stopwatch.StartNew();
        // WaitAsync makes a hang a failure of this test (TimeoutException) instead of a stuck suite.
        var ex = await Assert.ThrowsAsync<StorageUnavailableException>(() => call().WaitAsync(Bound));
        output.WriteLine($"{operation}: StorageUnavailableException after {watch.Elapsed.TotalSeconds:F2} s: {ex.Message}");
        return ex;
    }
}
