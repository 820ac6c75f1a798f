using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Coffer.TestSupport;

namespace Coffer.Benchmarks;

/// <summary>
/// The published sample app (<c>dotnet Coffer.Sample.dll</c>) as a process of its own on a free loopback port, with a
/// content root in a temporary folder (its SQLite file and signing keys), configured by environment variables as an
/// operator would; what it costs is read from <c>/proc/{pid}</c>.
/// </summary>
internal sealed class SampleAppProcess : IDisposable
{
    private const string Password = "Bench-password-1";
    private readonly Process _process;
    private readonly List<string> _log = [];
    private readonly string _contentRoot;

    private SampleAppProcess(Process process, string contentRoot, Uri baseAddress)
    {
        _process = process;
        _contentRoot = contentRoot;
        BaseAddress = baseAddress;
    }

    /// <summary>Where the app listens.</summary>
    public Uri BaseAddress { get; }

    /// <summary>The app's process id.</summary>
    public int Id => _process.Id;

    /// <summary>
    /// Publishes <c>samples/Coffer.Sample</c> (Release) to <paramref name="output"/>, unless <paramref name="reuse"/>
    /// and a publish is there already.
    /// </summary>
    public static string Publish(string output, bool reuse)
    {
        if (reuse && File.Exists(Path.Combine(output, "Coffer.Sample.dll")))
        {
            return output;
        }

        string project = Path.Combine(BenchPaths.RepositoryRoot(), "samples", "Coffer.Sample", "Coffer.Sample.csproj");
        Console.Error.WriteLine($"publishing {project} (Release) to {output}");
        var start = new ProcessStartInfo(DotnetHost()) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string argument in new[] { "publish", project, "-c", "Release", "-o", output, "--nologo", "-v", "quiet" })
        {
            start.ArgumentList.Add(argument);
        }

        using var publish = Process.Start(start) ?? throw new InvalidOperationException("Could not start dotnet publish.");
        var error = publish.StandardError.ReadToEndAsync();
        string text = publish.StandardOutput.ReadToEnd();
        publish.WaitForExit();
        if (publish.ExitCode != 0)
        {
            throw new InvalidOperationException($"dotnet publish {project} failed: {text}{error.Result}");
        }

        return output;
    }

    /// <summary>Starts the app from <paramref name="appDirectory"/> with <paramref name="settings"/> and waits until <c>/healthz</c> answers 200.</summary>
    public static async Task<SampleAppProcess> StartAsync(string appDirectory, IReadOnlyDictionary<string, string> settings, CancellationToken cancellationToken)
    {
        string contentRoot = Directory.CreateTempSubdirectory("coffer-bench-app-").FullName;
        File.Copy(Path.Combine(appDirectory, "appsettings.json"), Path.Combine(contentRoot, "appsettings.json"));
        var baseAddress = new Uri($"http://127.0.0.1:{LoopbackPort.Free()}/");
        var start = new ProcessStartInfo(DotnetHost())
        {
            WorkingDirectory = contentRoot,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string argument in new[]
        {
            Path.Combine(appDirectory, "Coffer.Sample.dll"),
            "--urls", baseAddress.GetLeftPart(UriPartial.Authority),
            "--contentRoot", contentRoot,
            "--webroot", Path.Combine(appDirectory, "wwwroot"),
        })
        {
            start.ArgumentList.Add(argument);
        }

        foreach (string inherited in new[] { "ASPNETCORE_URLS", "ASPNETCORE_HTTP_PORTS", "DOTNET_ENVIRONMENT" })
        {
            start.Environment.Remove(inherited);
        }

        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        foreach (var (key, value) in settings)
        {
            start.Environment[key] = value;
        }

        var process = new Process { StartInfo = start };
        var app = new SampleAppProcess(process, contentRoot, baseAddress);
        process.OutputDataReceived += (_, e) => app.Append(e.Data);
        process.ErrorDataReceived += (_, e) => app.Append(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await app.WaitUntilHealthyAsync(cancellationToken);
            return app;
        }
        catch
        {
            app.Dispose();
            throw;
        }
    }

    /// <summary>A client of the app without credentials.</summary>
    public HttpClient CreateClient() =>
        new(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false }) { BaseAddress = BaseAddress, Timeout = TimeSpan.FromMinutes(5) };

    /// <summary>Registers a user (<c>POST /register</c>) and returns a client with its bearer token (<c>POST /login</c>), as the sample's API tests do.</summary>
    public async Task<HttpClient> SignUpAsync(string email, CancellationToken cancellationToken)
    {
        using var anonymous = CreateClient();
        using (var registered = await anonymous.PostAsJsonAsync("/register", new { email, password = Password }, cancellationToken))
        {
            await EnsureStatusAsync(registered, HttpStatusCode.OK, cancellationToken);
        }

        using var login = await anonymous.PostAsJsonAsync("/login", new { email, password = Password }, cancellationToken);
        await EnsureStatusAsync(login, HttpStatusCode.OK, cancellationToken);
        var token = await login.Content.ReadFromJsonAsync<LoginResponse>(cancellationToken) ?? throw new InvalidOperationException("POST /login returned no body.");
        var client = CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token.AccessToken);
        return client;
    }

    /// <summary>The app's CPU time so far: user + system, from <c>/proc/{pid}/stat</c>.</summary>
    public TimeSpan CpuTime()
    {
        _process.Refresh();
        return _process.TotalProcessorTime;
    }

    /// <summary>
    /// Waits until the app spends under 10 ms of CPU in half a second (the background work earlier requests left, such
    /// as tiered JIT compilation, is done), or <paramref name="limit"/> has passed; returns the CPU it spent meanwhile.
    /// </summary>
    public async Task<TimeSpan> WaitUntilIdleAsync(TimeSpan limit, CancellationToken cancellationToken)
    {
        var start = CpuTime();
        var watch = Stopwatch.StartNew();
        var last = start;
        while (watch.Elapsed < limit)
        {
            await Task.Delay(500, cancellationToken);
            var now = CpuTime();
            if (now - last < TimeSpan.FromMilliseconds(10))
            {
                break;
            }

            last = now;
        }

        return CpuTime() - start;
    }

    /// <summary>
    /// The CPU time of the runtime's tiered-compilation thread (<c>.NET Tiered Com…</c> in <c>/proc/{pid}/task/*/comm</c>):
    /// methods that earlier requests made hot compiled again, optimized. A warm-up cost, which a long-running app has paid.
    /// </summary>
    public TimeSpan TieredCompilationCpuTime()
    {
        var total = TimeSpan.Zero;
        foreach (string task in Directory.EnumerateDirectories($"/proc/{Id}/task"))
        {
            try
            {
                if (File.ReadAllText(Path.Combine(task, "comm")).StartsWith(".NET Tiered Com", StringComparison.Ordinal))
                {
                    total += ProcStat.CpuTime(Path.Combine(task, "stat"));
                }
            }
            catch (IOException)
            {
                // the thread ended meanwhile
            }
        }

        return total;
    }

    /// <summary>The app's resident set now (<c>VmRSS</c>) and its peak (<c>VmHWM</c>), in bytes.</summary>
    public (long Rss, long Peak) Memory()
    {
        long rss = 0, peak = 0;
        foreach (string line in File.ReadLines($"/proc/{Id}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                rss = Kilobytes(line) * 1024;
            }
            else if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
            {
                peak = Kilobytes(line) * 1024;
            }
        }

        return (rss, peak);
    }

    /// <summary>
    /// Sets the peak (<c>VmHWM</c>) back to the resident set now (<c>5 &gt; /proc/{pid}/clear_refs</c>); <see langword="false"/>
    /// when the kernel does not let this process do it, and the peak then counts only from sampling.
    /// </summary>
    public bool ResetPeak()
    {
        try
        {
            File.WriteAllText($"/proc/{Id}/clear_refs", "5");
            return true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>What the app wrote, for a failure message.</summary>
    public string Log()
    {
        lock (_log)
        {
            return string.Join(Environment.NewLine, _log.TakeLast(60));
        }
    }

    /// <summary>Fails with the response body (a problem's detail says why) when the status is not <paramref name="expected"/>.</summary>
    public static async Task EnsureStatusAsync(HttpResponseMessage response, HttpStatusCode expected, CancellationToken cancellationToken)
    {
        if (response.StatusCode != expected)
        {
            string body = await response.Content.ReadAsStringAsync(cancellationToken);
            throw new InvalidOperationException(
                $"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri} answered {(int)response.StatusCode}, expected {(int)expected}: {body}");
        }
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(15_000);
        }

        _process.Dispose();
        try
        {
            Directory.Delete(_contentRoot, recursive: true);
        }
        catch (IOException)
        {
            // a temporary folder left behind is not worth failing the run for
        }
    }

    private async Task WaitUntilHealthyAsync(CancellationToken cancellationToken)
    {
        using var client = CreateClient();
        client.Timeout = TimeSpan.FromSeconds(5);
        var deadline = Stopwatch.StartNew();
        string last = "no answer";
        while (deadline.Elapsed < TimeSpan.FromSeconds(60))
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"The sample app exited with code {_process.ExitCode} at start:{Environment.NewLine}{Log()}");
            }

            try
            {
                using var response = await client.GetAsync("/healthz", cancellationToken);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }

                last = $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync(cancellationToken)}";
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
            {
                last = ex.Message;
            }

            await Task.Delay(100, cancellationToken);
        }

        throw new TimeoutException($"The sample app was not healthy within 60 s (last: {last}):{Environment.NewLine}{Log()}");
    }

    private void Append(string? line)
    {
        if (line is not null)
        {
            lock (_log)
            {
                _log.Add(line);
            }
        }
    }

    private static long Kilobytes(string statusLine) =>
        long.Parse(statusLine.AsSpan(6).Trim().TrimEnd("kB").Trim(), NumberStyles.None, CultureInfo.InvariantCulture);

    private static string DotnetHost() =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet";

    private sealed record LoginResponse(string AccessToken);
}
