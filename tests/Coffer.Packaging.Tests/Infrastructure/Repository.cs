using System.Reflection;

namespace Coffer.Packaging.Tests.Infrastructure;

/// <summary>Where the repository is, and the configuration the packages were built in (that of this test assembly).</summary>
internal static class Repository
{
    public static string Root { get; } = typeof(Repository).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
        .Single(a => a.Key == "RepositoryRoot").Value!;

    public static string Configuration { get; } = typeof(Repository).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Release";

    public static string QuickStart(string path) => Path.Combine(Root, "docs", "quickstart", path);

    public static readonly string[] Packages = ["Coffer", "Coffer.S3", "Coffer.EntityFrameworkCore", "Coffer.AspNetCore"];
}
