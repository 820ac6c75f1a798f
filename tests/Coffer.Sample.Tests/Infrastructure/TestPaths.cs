using System.Reflection;

namespace Coffer.Sample.Tests.Infrastructure;

/// <summary>Where the build put things; the paths are written into the test assembly by its project file.</summary>
public static class TestPaths
{
    /// <summary>The built sample app, run as <c>dotnet Coffer.Sample.dll</c>.</summary>
    public static string SampleAppAssembly => Metadata("SampleAppAssembly");

    /// <summary>The sample's project folder: its <c>appsettings.json</c> and <c>wwwroot</c>.</summary>
    public static string SampleAppDirectory => Metadata("SampleAppDirectory");

    /// <summary>The repository root; screenshots go to <c>artifacts/screenshots</c> under it.</summary>
    public static string RepositoryRoot => Metadata("RepositoryRoot");

    private static string Metadata(string key) =>
        typeof(TestPaths).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().SingleOrDefault(a => a.Key == key)?.Value
        ?? throw new InvalidOperationException($"The test assembly has no '{key}' metadata; see Coffer.Sample.Tests.csproj.");
}
