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

    private readonly string _readyLine;

    private CrashUploader(Process process, string readyLine) => (_process, _readyLine) = (process, readyLine);

    /// <summary>The names whose rows the process committed (its <c>COMMITTED</c> lines) so far.</summary>
    public IReadOnlyList<string> Committed
    {
        get
        {
            lock (_output)
            {
                return _output.Where(l => l.StartsWith("COMMITTED ", StringComparison.Ordinal)).Select(l => l["COMMITTED ".Length..]).ToList();
            }
        }
    }

    /// <summary>Starts a save to a local-disk storage that stalls after <paramref name="bytes"/> bytes; returns once it has stalled.</summary>
    public static Task<CrashUploader> StartLocalAsync(string rootPath, string location, long bytes) =>
        StartAsync(["local", rootPath, location, bytes.ToString(System.Globalization.CultureInfo.InvariantCulture)]);

    /// <summary>Starts a save to an S3 storage that stalls after <paramref name="bytes"/> bytes (5 MiB parts); returns once it has stalled.</summary>
    public static Task<CrashUploader> StartS3Async(string serviceUrl, string accessKey, string secretKey, string bucket, string location, long bytes) =>
        StartAsync(["s3", serviceUrl, accessKey, secretKey, bucket, location, bytes.ToString(System.Globalization.CultureInfo.InvariantCulture)]);

    /// <summary>
    /// Starts a process that saves rows with files through EF Core in a loop (<c>tests/Coffer.CrashUploader/KillModel.cs</c>)
    /// to the storage of <paramref name="storageArguments"/> (as for the other modes, without the byte count); returns
    /// once it has opened its database.
    /// </summary>
    public static Task<CrashUploader> StartRowsAsync(string provider, string connectionString, params string[] storageArguments) =>
        StartAsync(["ef", provider, connectionString, .. storageArguments, "0"], "STARTED");

    /// <summary>Waits until the process has committed <paramref name="count"/> rows (it is warm: its model built, its connections open).</summary>
    public async Task WaitForCommittedAsync(int count)
    {
        using var timeout = new CancellationTokenSource(StallTimeout);
        while (Committed.Count < count)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"The crash uploader exited after {Committed.Count} commits. Its output:{Environment.NewLine}{Output}");
            }

            await Task.Delay(20, timeout.Token);
        }
    }

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

    private static async Task<CrashUploader> StartAsync(string[] arguments, string readyLine = "STALLED")
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

        var uploader = new CrashUploader(new Process { StartInfo = start, EnableRaisingEvents = true }, readyLine);
        uploader._process.OutputDataReceived += (_, e) => uploader.OnLine(e.Data);
        uploader._process.ErrorDataReceived += (_, e) => uploader.OnLine(e.Data);
        uploader._process.Exited += (_, _) => uploader._stalled.TrySetException(new InvalidOperationException(
            $"The crash uploader exited before it printed {readyLine}. Its output:{Environment.NewLine}{uploader.Output}"));
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

        if (line == _readyLine)
        {
            _stalled.TrySetResult();
        }
    }
}
