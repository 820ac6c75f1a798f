using System.Diagnostics;
using System.Reflection;

namespace Coffer.TestSupport;

/// <summary>
/// A process (tests/Coffer.CrashUploader) in the middle of a save that the test kills with SIGKILL: no <c>finally</c>, no
/// abort, no clean-up runs, exactly as when a server is killed by the OOM killer or a deploy. What the store holds after
/// <see cref="KillAsync"/> is what such a crash leaves.
/// </summary>
public sealed class CrashUploader : IAsyncDisposable
{
    private static readonly TimeSpan StallTimeout = TimeSpan.FromSeconds(60);
    private readonly Process _process;
    private readonly TaskCompletionSource _stalled = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly List<string> _output = [];

    private CrashUploader(Process process) => _process = process;

    /// <summary>Starts a save to a local-disk storage that stalls after <paramref name="bytes"/> bytes; returns once it has stalled.</summary>
    public static Task<CrashUploader> StartLocalAsync(string rootPath, string location, long bytes) =>
        StartAsync(["local", rootPath, location, bytes.ToString(System.Globalization.CultureInfo.InvariantCulture)]);

    /// <summary>Starts a save to an S3 storage that stalls after <paramref name="bytes"/> bytes (5 MiB parts); returns once it has stalled.</summary>
    public static Task<CrashUploader> StartS3Async(string serviceUrl, string accessKey, string secretKey, string bucket, string location, long bytes) =>
        StartAsync(["s3", serviceUrl, accessKey, secretKey, bucket, location, bytes.ToString(System.Globalization.CultureInfo.InvariantCulture)]);

    /// <summary>Kills the process with SIGKILL and waits until it is gone.</summary>
    public async Task KillAsync()
    {
        _process.Kill(); // SIGKILL on Unix: the process gets no chance to clean up
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        await _process.WaitForExitAsync(timeout.Token);
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            await KillAsync();
        }

        _process.Dispose();
    }

    private static async Task<CrashUploader> StartAsync(string[] arguments)
    {
        string assembly = typeof(CrashUploader).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "CrashUploaderAssembly").Value!;
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(assembly);
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        var uploader = new CrashUploader(new Process { StartInfo = start, EnableRaisingEvents = true });
        uploader._process.OutputDataReceived += (_, e) => uploader.OnLine(e.Data);
        uploader._process.ErrorDataReceived += (_, e) => uploader.OnLine(e.Data);
        uploader._process.Exited += (_, _) => uploader._stalled.TrySetException(new InvalidOperationException(
            $"The crash uploader exited before its save stalled. Its output:{Environment.NewLine}{uploader.Output}"));
        uploader._process.Start();
        uploader._process.BeginOutputReadLine();
        uploader._process.BeginErrorReadLine();
        try
        {
            await uploader._stalled.Task.WaitAsync(StallTimeout);
        }
        catch
        {
            await uploader.DisposeAsync();
            throw;
        }

        return uploader;
    }

    private string Output
    {
        get
        {
            lock (_output)
            {
                return string.Join(Environment.NewLine, _output);
            }
        }
    }

    private void OnLine(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.Add(line);
        }

        if (line == "STALLED")
        {
            _stalled.TrySetResult();
        }
    }
}
