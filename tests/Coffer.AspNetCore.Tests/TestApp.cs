using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Coffer.AspNetCore.Tests;

/// <summary>An app on TestServer with its own content root (a temporary folder), Coffer added and mapped.</summary>
internal sealed class TestApp : IAsyncDisposable
{
    private readonly TempDirectory? _ownedRoot;

    private TestApp(IHost host, TempDirectory? ownedRoot, string contentRoot, LogSink logs)
    {
        Host = host;
        _ownedRoot = ownedRoot;
        ContentRoot = contentRoot;
        Logs = logs;
        _client = new Lazy<HttpClient>(host.GetTestClient);
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
        Action<IEndpointConventionBuilder>? cofferConventions = null)
    {
        var app = Build(settings, services, endpoints, contentRoot, cofferConventions);
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
        Action<IEndpointConventionBuilder>? cofferConventions = null)
    {
        var owned = contentRoot is null ? new TempDirectory() : null;
        string root = contentRoot ?? owned!.Path;
        var logs = new LogSink();
        var host = new HostBuilder()
            .UseContentRoot(root)
            .ConfigureAppConfiguration(c => c.AddInMemoryCollection(settings ?? new Dictionary<string, string?>()))
            .ConfigureLogging(l => l.AddProvider(logs).SetMinimumLevel(LogLevel.Debug))
            .ConfigureWebHost(web => web
                .UseTestServer()
                .ConfigureServices(s =>
                {
                    s.AddRouting();
                    s.AddProblemDetails();
                    s.AddCoffer();
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
        return new TestApp(host, owned, root, logs);
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

internal sealed class TempDirectory : IDisposable
{
    public TempDirectory()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "coffer-web-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }
}

/// <summary>Keeps every log entry, to check what was logged (and that nothing leaked to the client instead).</summary>
internal sealed class LogSink : ILoggerProvider
{
    public ConcurrentQueue<(string Category, EventId EventId, LogLevel Level, string Message)> Entries { get; } = new();

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    private sealed class Logger(LogSink sink, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            sink.Entries.Enqueue((category, eventId, logLevel, formatter(state, exception)));
    }
}
