namespace Coffer.Benchmarks;

/// <summary>Where the benchmarks find the repository they were built from.</summary>
internal static class BenchPaths
{
    /// <summary>The folder holding <c>Coffer.slnx</c>, above the benchmark's own binaries.</summary>
    public static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Coffer.slnx")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Run the benchmark from inside the repository.");
    }
}
