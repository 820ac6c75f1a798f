using System.Diagnostics;

namespace Coffer.Packaging.Tests.Infrastructure;

/// <summary>
/// Runs the dotnet CLI as a user would. Output goes to a file, not a pipe: a build leaves the compiler server and
/// MSBuild nodes running, and they would hold a pipe open long after the command ended.
/// </summary>
internal static class Dotnet
{
    /// <summary>Where the commands' output goes: outside the folders they run in (the repository among them).</summary>
    public static string LogFolder { get; } = Path.Combine(Path.GetTempPath(), $"coffer-packaging-logs-{Environment.ProcessId}");

    public static async Task<string> RunAsync(string workingDirectory, TimeSpan timeout, params string[] arguments)
    {
        using var process = Start(workingDirectory, out string log, arguments);
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"dotnet {string.Join(' ', arguments)} (in {workingDirectory}) did not end within {timeout}:\n{await File.ReadAllTextAsync(log)}");
        }

        string output = await File.ReadAllTextAsync(log);
        File.Delete(log);
        return process.ExitCode == 0
            ? output
            : throw new InvalidOperationException($"dotnet {string.Join(' ', arguments)} (in {workingDirectory}) exited with {process.ExitCode}:\n{output}");
    }

    /// <summary>Starts a command that keeps running (an app); <paramref name="log"/> is where its output goes.</summary>
    public static Process Start(string workingDirectory, out string log, params string[] arguments)
    {
        Directory.CreateDirectory(LogFolder);
        log = Path.Combine(LogFolder, $"dotnet-{Guid.NewGuid():N}.log");
        var start = new ProcessStartInfo("/bin/sh") { WorkingDirectory = workingDirectory, UseShellExecute = false };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add($"exec dotnet \"$@\" > '{log}' 2>&1");
        start.ArgumentList.Add("dotnet");
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        // What `dotnet test` sets for itself must not steer the user's builds; and no first-run banners.
        foreach (string key in start.Environment.Keys.Where(k => k.StartsWith("MSBuild", StringComparison.OrdinalIgnoreCase) || k.StartsWith("VSTEST", StringComparison.OrdinalIgnoreCase)).ToList())
        {
            start.Environment.Remove(key);
        }

        start.Environment["DOTNET_NOLOGO"] = "1";
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_SKIP_FIRST_TIME_EXPERIENCE"] = "1";
        start.Environment["DOTNET_ENVIRONMENT"] = "Production";
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        return Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start.");
    }

    /// <summary>Waits until the app's output has <paramref name="text"/>, or fails with what it printed.</summary>
    public static async Task<string> WaitForOutputAsync(Process process, string log, string text, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            string output = File.Exists(log) ? await File.ReadAllTextAsync(log) : "";
            if (output.Contains(text, StringComparison.Ordinal))
            {
                return output;
            }

            if (process.HasExited)
            {
                throw new InvalidOperationException($"The app exited with {process.ExitCode} before printing '{text}':\n{output}");
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"The app did not print '{text}' within {timeout}:\n{(File.Exists(log) ? await File.ReadAllTextAsync(log) : "")}");
    }
}
