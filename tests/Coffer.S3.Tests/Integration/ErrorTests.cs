using System.Net;
using System.Net.Sockets;
using Amazon.S3.Model;

namespace Coffer.S3.Tests.Integration;

public sealed class ErrorTests(S3Server server) : S3TestBase(server)
{
    [Fact]
    public async Task Head_forbidden_by_policy_says_the_credentials_may_lack_permission()
    {
        var storage = CreateStorage();
        string name = await storage.SaveAsync("denied/a.txt", new MemoryStream("x"u8.ToArray()));
        string policy = $$"""
        {"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":{"AWS":["*"]},"Action":["s3:GetObject"],"Resource":["arn:aws:s3:::{{Bucket}}/denied/*"]}]}
        """;
        await Server.Client.PutBucketPolicyAsync(new PutBucketPolicyRequest { BucketName = Bucket, Policy = policy });
        try
        {
            var ex = await Assert.ThrowsAsync<UnauthorizedAccessException>(() => storage.ExistsAsync(name));
            Assert.Contains("403", ex.Message, StringComparison.Ordinal);
            Assert.Contains("credentials may lack permission", ex.Message, StringComparison.Ordinal);
        }
        finally
        {
            await Server.Client.DeleteBucketPolicyAsync(Bucket);
        }
    }

    [Fact]
    public async Task Unknown_access_key_says_to_check_the_access_key()
    {
        var storage = CreateStorage(configure: o => o.AccessKey = "UNKNOWNACCESSKEY0001");
        var ex = await Assert.ThrowsAsync<UnauthorizedAccessException>(() => storage.SaveAsync("a.txt", new MemoryStream("x"u8.ToArray())));
        Assert.Contains("AccessKey", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Wrong_secret_key_says_to_check_the_secret_key()
    {
        var storage = CreateStorage(configure: o => o.SecretKey = "wrong-secret-key-000000000000000000000000");
        var ex = await Assert.ThrowsAsync<UnauthorizedAccessException>(() => storage.SaveAsync("a.txt", new MemoryStream("x"u8.ToArray())));
        Assert.Contains("check SecretKey", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Connection_stays_usable_after_an_upload_refused_before_its_body_was_read()
    {
        // RGW answers 404 NoSuchBucket before reading the body. With Expect: 100-continue it then does not discard
        // the body that .NET sends anyway, and the next request on that pooled connection starts with the body's
        // bytes ("xxxxxPUT ..." is answered 405). Both storages share one client, so they share its connections.
        var options = Server.Options(Bucket);
        var config = S3FileStorage.CreateConfig(options, options.ServiceUrl);
        config.MaxConnectionsPerServer = 1;
        using var client = new Amazon.S3.AmazonS3Client(new Amazon.Runtime.BasicAWSCredentials(Server.AccessKey, Server.SecretKey), config);
        using var broken = new S3FileStorage("broken", Server.Options("coffer-no-such-bucket-001"), client);
        using var storage = new S3FileStorage("private", options, client);
        for (int i = 0; i < 3; i++)
        {
            await Assert.ThrowsAsync<StorageUnavailableException>(() => broken.SaveAsync("a.txt", new MemoryStream("xxxxx"u8.ToArray())));
            string name = await storage.SaveAsync("after.txt", new MemoryStream("after"u8.ToArray()));
            Assert.Equal("after"u8.ToArray(), await ReadObjectAsync(name));
        }
    }

    [Fact]
    public async Task Missing_bucket_is_reported_as_unavailable_with_the_bucket_name()
    {
        var options = Server.Options("coffer-no-such-bucket-000");
        using var storage = new S3FileStorage("private", options);
        var ex = await Assert.ThrowsAsync<StorageUnavailableException>(() => storage.SaveAsync("a.txt", new MemoryStream("x"u8.ToArray())));
        Assert.Contains("'coffer-no-such-bucket-000' does not exist", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_lookup_in_a_missing_bucket_is_unavailable_with_the_bucket_name_not_a_missing_file()
    {
        // A HEAD answer has no body, so RGW's 404 for a missing bucket looks like the 404 of a missing object.
        using var storage = new S3FileStorage("private", Server.Options("coffer-no-such-bucket-002"));

        var exists = await Assert.ThrowsAsync<StorageUnavailableException>(() => storage.ExistsAsync("a.txt"));
        var info = await Assert.ThrowsAsync<StorageUnavailableException>(() => storage.GetInfoAsync("a.txt"));

        Assert.Contains("'coffer-no-such-bucket-002' does not exist", exists.Message, StringComparison.Ordinal);
        Assert.Contains("'coffer-no-such-bucket-002' does not exist", info.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_lookup_of_a_missing_file_in_a_bucket_that_exists_is_false()
    {
        var storage = CreateStorage();

        Assert.False(await storage.ExistsAsync("a.txt"));
        Assert.False(await storage.ExistsAsync("b.txt"));
        Assert.False((await storage.GetInfoAsync("a.txt")).Exists);
    }

    [Fact]
    public async Task Refused_connection_is_storage_unavailable_with_what_to_check()
    {
        int port = FreePort();
        var options = Server.Options(Bucket);
        options.ServiceUrl = $"http://127.0.0.1:{port}";
        using var storage = new S3FileStorage("private", options);
        var ex = await Assert.ThrowsAsync<StorageUnavailableException>(() => storage.SaveAsync("a.txt", new MemoryStream("x"u8.ToArray())));
        Assert.Contains("connection was refused", ex.Message, StringComparison.Ordinal);
        Assert.Contains("ServiceUrl", ex.Message, StringComparison.Ordinal);
        Assert.Equal("private", ex.StorageName);
    }

    [Fact]
    public async Task Unresolvable_host_is_storage_unavailable_with_what_to_check()
    {
        var options = Server.Options(Bucket);
        options.ServiceUrl = "http://coffer-no-such-host.invalid:4568";
        using var storage = new S3FileStorage("private", options);
        var ex = await Assert.ThrowsAsync<StorageUnavailableException>(() => storage.ExistsAsync("a.txt"));
        Assert.Contains("could not be resolved", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unresponsive_server_times_out_as_storage_unavailable()
    {
        // A listener that accepts connections and never answers.
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var options = Server.Options(Bucket);
        options.ServiceUrl = $"http://127.0.0.1:{port}";
        var config = S3FileStorage.CreateConfig(options, options.ServiceUrl);
        config.Timeout = TimeSpan.FromMilliseconds(500);
        config.MaxErrorRetry = 0;
        using var client = new Amazon.S3.AmazonS3Client(new Amazon.Runtime.BasicAWSCredentials(Server.AccessKey, Server.SecretKey), config);
        using var storage = new S3FileStorage("private", options, client);
        var ex = await Assert.ThrowsAsync<StorageUnavailableException>(() => storage.ExistsAsync("a.txt"));
        Assert.Contains("timed out", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cancellation_by_the_caller_is_not_reported_as_unavailable()
    {
        var storage = CreateStorage();
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => storage.SaveAsync("a.txt", new MemoryStream("x"u8.ToArray()), cancellationToken: cts.Token));
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
