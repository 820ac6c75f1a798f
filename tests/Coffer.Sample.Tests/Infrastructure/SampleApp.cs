using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using Coffer.TestSupport;

namespace Coffer.Sample.Tests.Infrastructure;

/// <summary>
/// The real sample app, started as its own process (<c>dotnet Coffer.Sample.dll</c>) on a free loopback port with a
/// content root of its own in a temporary folder, so its <c>App_Data</c> (SQLite file, local storages, signing key)
/// belongs to this fixture alone. A configuration is a database and a storage; each adds its settings as environment
/// variables, exactly as an operator would configure the app.
/// </summary>
public abstract class SampleApp : IAsyncLifetime
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);

    private readonly ISampleDatabase _database;
    private readonly IReadOnlyDictionary<string, string> _settings;
    private readonly List<string> _log = [];
    private readonly Dictionary<string, Task<ApiUser>> _users = [];
    private Process? _process;

    protected SampleApp(ISampleDatabase database, ISampleStorage storage, IReadOnlyDictionary<string, string>? settings = null)
    {
        _database = database;
        Storage = storage;
        _settings = settings ?? new Dictionary<string, string>();
    }

    /// <summary>The store behind the app's storages, for looking past the app.</summary>
    public ISampleStorage Storage { get; }

    /// <summary>The app's content root: a temporary folder holding its <c>appsettings.json</c> and <c>App_Data</c>.</summary>
    public string ContentRoot { get; private set; } = "";

    /// <summary>The app's working directory: its content root, unless the fixture <see cref="StartsElsewhere"/>.</summary>
    public string WorkingDirectory { get; private set; } = "";

    /// <summary>Whether the app starts in an empty temporary folder of its own instead of its content root.</summary>
    protected virtual bool StartsElsewhere => false;

    /// <summary>Where the app listens, e.g. <c>http://127.0.0.1:41234/</c>.</summary>
    public Uri BaseAddress { get; private set; } = new("http://127.0.0.1/");

    /// <summary>How many lines the app has written so far; pass it to <see cref="LogSince"/>.</summary>
    public int LogMark
    {
        get
        {
            lock (_log)
            {
                return _log.Count;
            }
        }
    }

    /// <summary>What the app wrote to stdout and stderr since <paramref name="mark"/>.</summary>
    public string LogSince(int mark)
    {
        lock (_log)
        {
            return string.Join(Environment.NewLine, _log.Skip(mark));
        }
    }

    /// <summary>A client without credentials that does not follow redirects.</summary>
    public HttpClient CreateClient() =>
        new(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false }) { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(30) };

    /// <summary>Registers a new user through <c>POST /register</c> and signs in through <c>POST /login</c> for a bearer token.</summary>
    public async Task<ApiUser> SignUpAsync(string? email = null, CancellationToken cancellationToken = default)
    {
        email ??= $"user-{Guid.NewGuid():N}@example.com";
        using var anonymous = CreateClient();
        using (var registered = await anonymous.PostAsJsonAsync("/register", new { email, password = ApiUser.Password }, cancellationToken))
        {
            await ApiUser.EnsureStatusAsync(registered, HttpStatusCode.OK);
        }

        return await LogInAsync(email, cancellationToken);
    }

    /// <summary>Signs an existing user in through <c>POST /login</c> for a bearer token.</summary>
    public async Task<ApiUser> LogInAsync(string email, CancellationToken cancellationToken = default)
    {
        using var anonymous = CreateClient();
        using var login = await anonymous.PostAsJsonAsync("/login", new { email, password = ApiUser.Password }, cancellationToken);
        await ApiUser.EnsureStatusAsync(login, HttpStatusCode.OK);
        var token = await login.Content.ReadFromJsonAsync<AccessTokenResponse>(cancellationToken)
            ?? throw new InvalidOperationException("POST /login returned no body.");
        var client = CreateClient();
        client.DefaultRequestHeaders.Authorization = new("Bearer", token.AccessToken);
        return new ApiUser(email, client);
    }

    /// <summary>A client signed in as <paramref name="user"/> with the Identity cookie, as the pages are; it does not follow redirects.</summary>
    public async Task<HttpClient> SignInWithCookieAsync(ApiUser user, CancellationToken cancellationToken = default)
    {
        var browser = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, CookieContainer = new() }) { BaseAddress = BaseAddress };
        using (var login = await browser.PostAsJsonAsync(new Uri("/login?useCookies=true", UriKind.Relative), new { email = user.Email, password = ApiUser.Password }, cancellationToken))
        {
            await ApiUser.EnsureStatusAsync(login, HttpStatusCode.OK);
        }

        return browser;
    }

    /// <summary>A user shared by the tests of this fixture, signed up on first use (<c>owner</c>, <c>stranger</c>, …).</summary>
    public Task<ApiUser> UserAsync(string role)
    {
        lock (_users)
        {
            if (!_users.TryGetValue(role, out var user))
            {
                user = SignUpAsync($"{role}-{Guid.NewGuid():N}@example.com");
                _users[role] = user;
            }

            return user;
        }
    }

    public async Task InitializeAsync()
    {
        using var timeout = new CancellationTokenSource(StartTimeout);
        var environment = await PrepareAsync(timeout.Token);

        // A port taken between choosing it and binding it makes the app exit at once: try another.
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                Start(environment);
                await WaitUntilHealthyAsync(_process!, timeout.Token);
                return;
            }
            catch (AppExitedException) when (attempt < 3 && LogSince(0).Contains("address already in use", StringComparison.OrdinalIgnoreCase))
            {
            }
        }
    }

    /// <summary>
    /// Starts the app (instead of <see cref="InitializeAsync"/>) for a test of a start that fails, and waits for it to
    /// exit; its output is in <see cref="LogSince"/>.
    /// </summary>
    /// <returns>The exit code, or <see langword="null"/> when the app was still running after <paramref name="timeout"/> (it is then killed).</returns>
    public async Task<int?> RunUntilExitAsync(TimeSpan timeout)
    {
        using var cancellation = new CancellationTokenSource(timeout);
        Start(await PrepareAsync(cancellation.Token));
        try
        {
            await _process!.WaitForExitAsync(cancellation.Token);
            return _process.ExitCode;
        }
        catch (OperationCanceledException)
        {
            _process!.Kill(entireProcessTree: true);
            return null;
        }
    }

    /// <summary>Makes the content root and returns the app's environment: Production, then the database's, the storage's and the fixture's settings.</summary>
    private async Task<Dictionary<string, string>> PrepareAsync(CancellationToken cancellationToken)
    {
        ContentRoot = Directory.CreateTempSubdirectory("coffer-sample-").FullName;
        WorkingDirectory = StartsElsewhere ? Directory.CreateTempSubdirectory("coffer-sample-cwd-").FullName : ContentRoot;
        if (!File.Exists(TestPaths.SampleAppAssembly))
        {
            throw new InvalidOperationException($"The sample app is not built at {TestPaths.SampleAppAssembly}: build the solution first.");
        }

        // The app reads appsettings.json from its content root, as it does when it is deployed.
        File.Copy(Path.Combine(TestPaths.SampleAppDirectory, "appsettings.json"), Path.Combine(ContentRoot, "appsettings.json"));
        var environment = new Dictionary<string, string>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["Logging__Console__FormatterOptions__SingleLine"] = "true",
            ["Logging__Console__FormatterOptions__TimestampFormat"] = "HH:mm:ss.fff ",
        };
        foreach (var settings in new[] { await _database.CreateAsync(ContentRoot, cancellationToken), await Storage.CreateAsync(ContentRoot, cancellationToken), _settings })
        {
            foreach (var (key, value) in settings)
            {
                environment[key] = value;
            }
        }

        return environment;
    }

    public async Task DisposeAsync()
    {
        if (_process is { } process)
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }

            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
            await process.WaitForExitAsync(timeout.Token);
            process.Dispose();
        }

        foreach (var user in _users.Values.Where(u => u.IsCompletedSuccessfully))
        {
            user.Result.Dispose();
        }

        await _database.DisposeAsync();
        await Storage.DisposeAsync();
        try
        {
            foreach (string folder in new[] { ContentRoot, WorkingDirectory }.Where(f => f.Length > 0 && Directory.Exists(f)))
            {
                Directory.Delete(folder, recursive: true);
            }
        }
        catch (IOException)
        {
            // a temporary folder left behind is not worth failing the run for
        }
    }

    private void Start(Dictionary<string, string> environment)
    {
        int port = LoopbackPort.Free();
        BaseAddress = new Uri($"http://127.0.0.1:{port}/");
        var start = new ProcessStartInfo(DotnetHost())
        {
            WorkingDirectory = WorkingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string argument in new[]
        {
            TestPaths.SampleAppAssembly,
            "--urls", BaseAddress.GetLeftPart(UriPartial.Authority),
            "--contentRoot", ContentRoot,
            "--webroot", Path.Combine(TestPaths.SampleAppDirectory, "wwwroot"),
        })
        {
            start.ArgumentList.Add(argument);
        }

        foreach (string inherited in new[] { "ASPNETCORE_URLS", "ASPNETCORE_HTTP_PORTS", "DOTNET_ENVIRONMENT" })
        {
            start.Environment.Remove(inherited);
        }

        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        process.OutputDataReceived += (_, e) => Append("out", e.Data);
        process.ErrorDataReceived += (_, e) => Append("err", e.Data);
        Append("test", $"starting {start.FileName} {string.Join(' ', start.ArgumentList)} with {string.Join(' ', environment.Keys.Order(StringComparer.Ordinal))}");
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;
    }

    private async Task WaitUntilHealthyAsync(Process process, CancellationToken cancellationToken)
    {
        using var client = CreateClient();
        client.Timeout = TimeSpan.FromSeconds(5);
        string last = "no answer";
        while (true)
        {
            if (process.HasExited)
            {
                await process.WaitForExitAsync(CancellationToken.None); // drains stdout and stderr
                throw new AppExitedException($"The sample app exited with code {process.ExitCode} before it was healthy. Its output:{Environment.NewLine}{LogSince(0)}");
            }

            if (cancellationToken.IsCancellationRequested)
            {
                throw new TimeoutException($"The sample app was not healthy within {StartTimeout.TotalSeconds:0} s (last: {last}). Its output:{Environment.NewLine}{LogSince(0)}");
            }

            try
            {
                using var response = await client.GetAsync("/healthz", cancellationToken);
                last = $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync(cancellationToken)}";
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
                last = ex.Message;
            }

            try
            {
                await Task.Delay(100, cancellationToken);
            }
            catch (TaskCanceledException)
            {
            }
        }
    }

    private void Append(string stream, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_log)
        {
            _log.Add($"[{stream}] {line}");
        }
    }

    // The SDK sets DOTNET_HOST_PATH for what it runs (dotnet test); elsewhere, the dotnet on the PATH.
    private static string DotnetHost() =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet";

    private sealed record AccessTokenResponse(string AccessToken);

    private sealed class AppExitedException(string message) : Exception(message);
}
