using Amazon.Runtime;

namespace Coffer.S3;

/// <summary>
/// The HTTP clients of the S3 clients a storage builds: they honour the config's <see cref="IClientConfig.ConnectTimeout"/>
/// (set here, whatever the SDK's own clients do with it), and for S3-compatible stores they never send <c>Expect: 100-continue</c>.
/// </summary>
/// <remarks>
/// The AWS SDK sends <c>Expect: 100-continue</c> with every PutObject and UploadPart. When a store answers such a
/// request early with an error (403 for a bad key or a denying policy, 404 NoSuchBucket), .NET's HttpClient still
/// sends the body and keeps the connection, but Ceph RGW (checked with 16.2) assumes the body will not come and
/// does not discard it: the body's bytes become the start of the next request on that pooled connection ("xPUT"
/// answered 405, or worse, an uploaded file parsed as a request). Without the header RGW reads and discards the
/// body of a refused request, and the connection stays in step. AWS itself handles the header correctly, so it
/// keeps it.
/// </remarks>
internal sealed class S3HttpClientFactory : HttpClientFactory
{
    /// <summary>For AWS S3.</summary>
    public static readonly S3HttpClientFactory Aws = new(sendsExpectContinue: true);

    /// <summary>For any other store.</summary>
    public static readonly S3HttpClientFactory NoExpectContinue = new(sendsExpectContinue: false);

    private readonly bool _sendsExpectContinue;

    private S3HttpClientFactory(bool sendsExpectContinue) => _sendsExpectContinue = sendsExpectContinue;

    public override HttpClient CreateHttpClient(IClientConfig clientConfig)
    {
        var sockets = new SocketsHttpHandler
        {
            // Pick up DNS changes of the store's host now and then.
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            AutomaticDecompression = System.Net.DecompressionMethods.None,
            AllowAutoRedirect = false,
            UseCookies = false,
        };
        if (clientConfig.MaxConnectionsPerServer is { } maxConnections)
        {
            sockets.MaxConnectionsPerServer = maxConnections;
        }

        if (clientConfig.ConnectTimeout is { } connectTimeout)
        {
            sockets.ConnectTimeout = connectTimeout;
        }

        if (clientConfig.GetWebProxy() is { } proxy)
        {
            proxy.Credentials = clientConfig.ProxyCredentials ?? proxy.Credentials;
            sockets.Proxy = proxy;
            sockets.UseProxy = true;
        }

        HttpMessageHandler handler = _sendsExpectContinue ? sockets : new NoExpectContinueHandler(sockets);
        return new HttpClient(handler)
        {
            // The storage gives each request a deadline that moves with its progress (S3FileStorageOptions.RequestTimeout);
            // a fixed total here would cut off large transfers that are slow but moving.
            Timeout = clientConfig.Timeout ?? System.Threading.Timeout.InfiniteTimeSpan,
        };
    }

    public override bool UseSDKHttpClientCaching(IClientConfig clientConfig) => true;

    public override bool DisposeHttpClientsAfterUse(IClientConfig clientConfig) => false;

    private sealed class NoExpectContinueHandler(HttpMessageHandler inner) : DelegatingHandler(inner)
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            request.Headers.ExpectContinue = false;
            return base.SendAsync(request, cancellationToken);
        }
    }
}
