using Xunit.Abstractions;
using System.Text.RegularExpressions;

namespace Coffer.Packaging.Tests.Infrastructure;

/// <summary>
/// Packs the repository into a folder feed and makes three new apps outside it from the templates (`dotnet new web`,
/// `worker`, `console`), with the packages added by version from that feed and the README's quick-start files
/// (docs/quickstart/) pasted in, then builds them once for every test. Each run packs under a version of its own
/// (the build is reused: <c>--no-build</c>), so NuGet's global cache never serves an older run's packages.
/// </summary>
public sealed partial class PackagedApps(IMessageSink diagnostics) : IAsyncLifetime
{
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromMinutes(4);

    public string Root { get; } = Path.Combine(Path.GetTempPath(), $"coffer-packaging-{Guid.NewGuid():N}");

    public string Feed => Path.Combine(Root, "feed");

    public string Version { get; } = $"0.1.0-pt.{DateTime.UtcNow:yyyyMMddHHmmss}.{Random.Shared.Next(1000, 9999)}";

    public string Web => Path.Combine(Root, "WebApp");

    public string Worker => Path.Combine(Root, "WorkerApp");

    public string Console => Path.Combine(Root, "ConsoleApp");

    /// <summary>How long each step took, for the report when a test fails and to keep the run time in view.</summary>
    public List<string> Timings { get; } = [];

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(Root);
        // Nothing above the apps steers their build, wherever the temp folder is.
        await File.WriteAllTextAsync(Path.Combine(Root, "Directory.Build.props"), "<Project />\n");
        await File.WriteAllTextAsync(Path.Combine(Root, "Directory.Build.targets"), "<Project />\n");
        await WriteNuGetConfigAsync();

        await TimeAsync("pack", () => Dotnet.RunAsync(Repository.Root, CommandTimeout,
            "pack", "Coffer.slnx", "-c", Repository.Configuration, "--no-build", "-o", Feed, $"-p:PackageVersion={Version}", "-nologo"));

        await TimeAsync("new + add package", () => Task.WhenAll(
            NewAppAsync("web", Web, ["Coffer.AspNetCore", "Coffer.EntityFrameworkCore", "Microsoft.EntityFrameworkCore.Sqlite@10.0.0"],
                ("web/Program.cs", "Program.cs"), ("efcore/Documents.cs", "Documents.cs")),
            NewAppAsync("worker", Worker, ["Coffer", "Coffer.S3"],
                ("worker/Program.cs", "Program.cs"), ("worker/appsettings.json", "appsettings.json")),
            NewAppAsync("console", Console, ["Coffer"],
                ("console/Program.cs", "Program.cs"))));
        // The worker template's own Worker logs every second; the quick start replaces it.
        File.Delete(Path.Combine(Worker, "Worker.cs"));

        await TimeAsync("new sln", async () =>
        {
            await Dotnet.RunAsync(Root, CommandTimeout, "new", "sln", "-n", "Apps");
            await Dotnet.RunAsync(Root, CommandTimeout, "sln", Directory.GetFiles(Root, "Apps.sln*").Single(), "add", Project(Web), Project(Worker), Project(Console));
        });
        // One build of the three: MSBuild builds them in parallel, after one restore.
        await TimeAsync("restore + build", () => Dotnet.RunAsync(Root, CommandTimeout, "build", Directory.GetFiles(Root, "Apps.sln*").Single(), "-c", "Release", "-nologo"));
    }

    public Task DisposeAsync()
    {
        foreach (string temporary in (ReadOnlySpan<string>)[Root, Dotnet.LogFolder])
        {
            try
            {
                Directory.Delete(temporary, recursive: true);
            }
            catch (DirectoryNotFoundException)
            {
            }
        }

        // This run's packages in NuGet's global folder are never used again.
        string packages = Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } folder
            ? folder
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        foreach (string package in Repository.Packages)
        {
            string path = Path.Combine(packages, package.ToLowerInvariant(), Version);
            if (Directory.Exists(path))
            {
                Directory.Delete(path, recursive: true);
            }
        }

        return Task.CompletedTask;
    }

    private static string Project(string app) => Path.Combine(app, Path.GetFileName(app) + ".csproj");

    public static string AppDll(string app) => Path.Combine(app, "bin", "Release", "net10.0", Path.GetFileName(app) + ".dll");

    /// <summary>
    /// The feed, for Coffer's packages only (package source mapping), beside the machine's own sources for everything
    /// else: what <c>dotnet nuget list source</c> shows here.
    /// </summary>
    private async Task WriteNuGetConfigAsync()
    {
        string listed = await Dotnet.RunAsync(Root, CommandTimeout, "nuget", "list", "source");
        var machineSources = EnabledSource().Matches(listed).Select(m => m.Groups[1].Value).ToList();
        string mappings = string.Concat(machineSources.Select(name => $"""
                <packageSource key="{name}"><package pattern="*" /></packageSource>

            """));
        await File.WriteAllTextAsync(Path.Combine(Root, "NuGet.Config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <add key="coffer-feed" value="{Feed}" />
              </packageSources>
              <packageSourceMapping>
                <packageSource key="coffer-feed"><package pattern="Coffer" /><package pattern="Coffer.*" /></packageSource>
            {mappings}  </packageSourceMapping>
            </configuration>

            """);
    }

    private async Task NewAppAsync(string template, string folder, string[] packages, params (string From, string To)[] files)
    {
        await Dotnet.RunAsync(Root, CommandTimeout, "new", template, "-o", folder, "--no-restore");
        foreach (string package in packages)
        {
            string[] parts = package.Split('@');
            await Dotnet.RunAsync(folder, CommandTimeout, "add", "package", parts[0], "--version", parts.Length > 1 ? parts[1] : Version, "--no-restore");
        }

        foreach (var (from, to) in files)
        {
            File.Copy(Repository.QuickStart(from), Path.Combine(folder, to), overwrite: true);
        }
    }

    private async Task TimeAsync(string step, Func<Task> action)
    {
        var started = DateTime.UtcNow;
        await action();
        Timings.Add($"{step}: {(DateTime.UtcNow - started).TotalSeconds:0.0} s");
        diagnostics.OnMessage(new Xunit.Sdk.DiagnosticMessage(Timings[^1]));
    }

    [GeneratedRegex(@"^\s*\d+\.\s+(\S+) \[Enabled\]", RegexOptions.Multiline)]
    private static partial Regex EnabledSource();
}
