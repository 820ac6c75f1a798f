using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Coffer.AspNetCore.Tests;

/// <summary>
/// An app on TestServer (or, with <c>kestrel</c>, on Kestrel at a free loopback port, with its own limits as they are)
/// with its own content root (a temporary folder), Coffer added and mapped.
/// </summary>
internal sealed class TestApp : IAsyncDisposable
{
    private readonly TempFolder? _ownedRoot;

    private TestApp(IHost host, TempFolder? ownedRoot, string contentRoot, LogSink logs, bool kestrel)
    {
        Host = host;
        _ownedRoot = ownedRoot;
        ContentRoot = contentRoot;
        Logs = logs;
        _client = new Lazy<HttpClient>(kestrel ? KestrelClient : host.GetTestClient);
    }

    private readonly Lazy<HttpClient> _client;

    public IHost Host { get; }

    public HttpClient Client => _client.Value;

    public string ContentRoot { get; }

    public LogSink Logs { get; }

    public IServiceProvider Services => Host.Services;

    public FileStorage Storage(string name) => Services.GetRequiredKeyedService<FileStorage>(name);

    /// <summary>Builds and starts an app; <paramref name="settings"/> is its whole configuration.</summary>
    public static async Task<TestApp> StartAsync(
        IDictionary<string, string?>? settings = null,
        Action<IServiceCollection>? services = null,
        Action<IEndpointRouteBuilder>? endpoints = null,
        string? contentRoot = null,
        Action<IEndpointConventionBuilder>? cofferConventions = null,
        bool kestrel = false)
    {
        var app = Build(settings, services, endpoints, contentRoot, cofferConventions, kestrel);
        try
        {
            await app.Host.StartAsync();
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }

        return app;
    }

    /// <summary>Builds an app without starting it, for tests of start-up failures.</summary>
    public static TestApp Build(
        IDictionary<string, string?>? settings = null,
        Action<IServiceCollection>? services = null,
        Action<IEndpointRouteBuilder>? endpoints = null,
        string? contentRoot = null,
        Action<IEndpointConventionBuilder>? cofferConventions = null,
        bool kestrel = false)
    {
        var owned = contentRoot is null ? new TempFolder() : null;
        string root = contentRoot ?? owned!.Path;
        var logs = new LogSink();
        var host = new HostBuilder()
            .UseContentRoot(root)
            .ConfigureAppConfiguration(c => c.AddInMemoryCollection(settings ?? new Dictionary<string, string?>()))
            .ConfigureLogging(l => l.AddProvider(logs).SetMinimumLevel(LogLevel.Debug))
            .ConfigureWebHost(web => (kestrel ? web.UseKestrel().UseUrls("http://127.0.0.1:0") : web.UseTestServer())
                .ConfigureServices(s =>
                {
                    s.AddRouting();
                    s.AddProblemDetails();
                    s.AddCoffer().AddFileUploader();
                    services?.Invoke(s);
                })
                .Configure(app =>
                {
                    app.UseRouting();
                    app.UseEndpoints(e =>
                    {
                        var coffer = e.MapCoffer();
                        cofferConventions?.Invoke(coffer);
                        endpoints?.Invoke(e);
                    });
                }))
            .Build();
        return new TestApp(host, owned, root, logs, kestrel);
    }

    private HttpClient KestrelClient()
    {
        string address = Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        return new HttpClient { BaseAddress = new Uri(address), Timeout = TimeSpan.FromMinutes(2) };
    }

    public async ValueTask DisposeAsync()
    {
        if (_client.IsValueCreated)
        {
            _client.Value.Dispose();
        }

        try
        {
            await Host.StopAsync();
        }
        catch (OperationCanceledException)
        {
        }

        Host.Dispose();
        _ownedRoot?.Dispose();
    }
}
