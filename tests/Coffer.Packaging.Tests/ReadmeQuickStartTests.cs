using System.Text.RegularExpressions;
using Coffer.Packaging.Tests.Infrastructure;

namespace Coffer.Packaging.Tests;

/// <summary>
/// The README's quick starts are the files under docs/quickstart/, which the app tests build and run: each marked
/// region of a README must be its file, so the README cannot drift from what is tested.
/// </summary>
public sealed partial class ReadmeQuickStartTests
{
    public static TheoryData<string> Readmes =>
        [.. Directory.GetFiles(Path.Combine(Repository.Root, "src"), "README.md", SearchOption.AllDirectories)
            .Append(Path.Combine(Repository.Root, "README.md"))
            .Select(path => Path.GetRelativePath(Repository.Root, path))
            .Order(StringComparer.Ordinal)];

    [Theory]
    [MemberData(nameof(Readmes))]
    public void Every_quick_start_region_of_a_readme_is_its_file_in_docs_quickstart(string readme)
    {
        string text = File.ReadAllText(Path.Combine(Repository.Root, readme));

        foreach (Match region in Region().Matches(text))
        {
            string path = region.Groups["path"].Value;
            string file = File.ReadAllText(Path.Combine(Repository.Root, path));
            Assert.True(region.Groups["body"].Value == file,
                $"{readme}: the region of {path} is not that file. Run scripts/quickstart-sync.py and commit both.");
        }
    }

    [Fact]
    public void Every_package_readme_has_a_quick_start_region_and_every_quick_start_file_is_in_a_readme()
    {
        var used = new HashSet<string>(StringComparer.Ordinal);
        foreach (string package in Repository.Packages)
        {
            var regions = Region().Matches(File.ReadAllText(Path.Combine(Repository.Root, "src", package, "README.md")));
            Assert.True(regions.Count > 0, $"src/{package}/README.md has no quick-start region.");
            used.UnionWith(regions.Select(r => r.Groups["path"].Value));
        }

        var files = Directory.GetFiles(Path.Combine(Repository.Root, "docs", "quickstart"), "*", SearchOption.AllDirectories)
            .Select(path => Path.GetRelativePath(Repository.Root, path).Replace('\\', '/'));
        Assert.All(files, file => Assert.True(used.Contains(file), $"{file} is in no package README's quick-start region."));
    }

    // The fence around the file is the README's, so the body is the file's text exactly.
    [GeneratedRegex(@"<!-- quickstart: (?<path>[^ ]+) -->\n```[a-z]+\n(?<body>.*?)```\n<!-- /quickstart -->", RegexOptions.Singleline)]
    private static partial Regex Region();
}
