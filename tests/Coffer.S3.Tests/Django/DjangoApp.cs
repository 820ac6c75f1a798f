using System.Diagnostics;
using System.Text.Json;

namespace Coffer.S3.Tests.Django;

/// <summary>
/// A Django app with django-storages on one bucket of the test server: runs <c>Django/interop.py</c> (its
/// <c>PrivateFile</c> model on <c>PrivateMediaStorage</c>) with the Python of <c>scripts/django.sh start</c>, one step per
/// process. Reads COFFER_PYTHON (default <c>/usr/bin/python3</c>, not whatever <c>python3</c> is first on PATH: Debian's
/// packages are only importable there); fails with the command that installs them when they are missing.
/// </summary>
internal sealed class DjangoApp(S3Server server, string bucket)
{
    private static readonly TimeSpan StepTimeout = TimeSpan.FromSeconds(90);
    private static readonly string Python = Environment.GetEnvironmentVariable("COFFER_PYTHON") is { Length: > 0 } p ? p : "/usr/bin/python3";
    private static readonly string Script = Path.Combine(AppContext.BaseDirectory, "Django", "interop.py");

    /// <summary>Saves <paramref name="content"/> through the model's FileField as <paramref name="originalName"/>.</summary>
    /// <param name="originalName">The uploaded file's name.</param>
    /// <param name="content">Its bytes.</param>
    /// <param name="objectParameters">django-storages' <c>object_parameters</c> for this save, as JSON; <see langword="null"/> for none.</param>
    public async Task<JsonElement> SaveAsync(string originalName, byte[] content, string? objectParameters = null)
    {
        string path = Path.Combine(Path.GetTempPath(), $"coffer-django-{Guid.NewGuid():N}");
        await File.WriteAllBytesAsync(path, content);
        try
        {
            return await RunAsync(objectParameters is null ? ["save", originalName, path] : ["save", originalName, path, objectParameters]);
        }
        finally
        {
            File.Delete(path);
        }
    }

    /// <summary>Reads the file a row with column value <paramref name="name"/> refers to, as a Django app does.</summary>
    /// <param name="name">The column value.</param>
    /// <param name="downloadName">A file name for a second URL with <c>ResponseContentDisposition</c>; <see langword="null"/> for none.</param>
    public Task<JsonElement> ReadAsync(string name, string? downloadName = null) =>
        RunAsync(downloadName is null ? ["read", name] : ["read", name, downloadName]);

    private async Task<JsonElement> RunAsync(string[] arguments)
    {
        var start = new ProcessStartInfo(Python)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            Environment =
            {
                ["COFFER_S3_ENDPOINT"] = server.Endpoint,
                ["COFFER_S3_ACCESS_KEY"] = server.AccessKey,
                ["COFFER_S3_SECRET_KEY"] = server.SecretKey,
                ["COFFER_S3_REGION"] = server.Region,
                ["COFFER_DJANGO_BUCKET"] = bucket,
            },
        };
        start.ArgumentList.Add(Script);
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = StartOrExplain(start);
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(StepTimeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill();
            throw new TimeoutException($"interop.py {arguments[0]} did not finish within {StepTimeout.TotalSeconds} s.");
        }

        string stderr = await errors;
        if (process.ExitCode != 0)
        {
            string hint = stderr.Contains("ModuleNotFoundError", StringComparison.Ordinal)
                ? $" Django or django-storages is not installed for {Python} (COFFER_PYTHON): run scripts/django.sh start."
                : "";
            throw new InvalidOperationException($"interop.py {arguments[0]} failed (exit {process.ExitCode}).{hint}{Environment.NewLine}{stderr}");
        }

        return JsonDocument.Parse(await output).RootElement.Clone();
    }

    private static Process StartOrExplain(ProcessStartInfo start)
    {
        try
        {
            return Process.Start(start) ?? throw new InvalidOperationException($"{Python} did not start.");
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new InvalidOperationException($"No Python at {Python} (COFFER_PYTHON): run scripts/django.sh start. {ex.Message}", ex);
        }
    }
}
