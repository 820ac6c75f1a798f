using System.IO.Compression;
using System.Xml.Linq;
using Coffer.Packaging.Tests.Infrastructure;

namespace Coffer.Packaging.Tests;

/// <summary>What `dotnet pack Coffer.slnx` puts in each package, read from the packages themselves.</summary>
[Collection(PackagedAppsGroup.Name)]
public sealed class PackageContentsTests(PackagedApps apps)
{
    public static TheoryData<string> Packages => [.. Repository.Packages];

    private XElement Metadata(string package)
    {
        using var zip = ZipFile.OpenRead(Path.Combine(apps.Feed, $"{package}.{apps.Version}.nupkg"));
        using var nuspec = zip.GetEntry($"{package}.nuspec")!.Open();
        return XDocument.Load(nuspec).Root!.Elements().Single(e => e.Name.LocalName == "metadata");
    }

    private static XElement? Child(XElement element, string name) => element.Elements().SingleOrDefault(e => e.Name.LocalName == name);

    private List<string> Dependencies(string package) =>
        [.. Metadata(package).Descendants().Where(e => e.Name.LocalName == "dependency").Select(e => (string)e.Attribute("id")!).Order(StringComparer.Ordinal)];

    [Theory]
    [MemberData(nameof(Packages))]
    public void Each_package_has_its_readme_xml_docs_license_tags_description_and_commit(string package)
    {
        using var zip = ZipFile.OpenRead(Path.Combine(apps.Feed, $"{package}.{apps.Version}.nupkg"));
        var entries = zip.Entries.Select(e => e.FullName).ToHashSet(StringComparer.Ordinal);
        var metadata = Metadata(package);

        Assert.Contains("README.md", entries);
        using (var readme = new StreamReader(zip.GetEntry("README.md")!.Open()))
        {
            Assert.Equal(File.ReadAllText(Path.Combine(Repository.Root, "src", package, "README.md")), readme.ReadToEnd());
        }

        Assert.Contains($"lib/net10.0/{package}.dll", entries);
        Assert.Contains($"lib/net10.0/{package}.xml", entries);
        Assert.Equal("MIT", (string?)Child(metadata, "license"));
        Assert.Equal("README.md", (string?)Child(metadata, "readme"));
        Assert.False(string.IsNullOrWhiteSpace((string?)Child(metadata, "description")));
        Assert.Contains("storage", ((string?)Child(metadata, "tags"))?.Split(' ') ?? []);
        // The commit is what SourceLink and the package's repository element are built from.
        Assert.Matches("^[0-9a-f]{40}$", (string?)Child(metadata, "repository")?.Attribute("commit") ?? "");
    }

    [Theory]
    [MemberData(nameof(Packages))]
    public void Each_package_has_a_symbol_package_with_its_pdb(string package)
    {
        using var zip = ZipFile.OpenRead(Path.Combine(apps.Feed, $"{package}.{apps.Version}.snupkg"));

        Assert.Contains(zip.Entries, e => e.FullName == $"lib/net10.0/{package}.pdb" && e.Length > 0);
    }

    [Fact]
    public void The_core_package_depends_only_on_Microsoft_Extensions_abstractions_options_and_health_checks()
    {
        // HealthChecks (for AddCofferStorageChecks) is Microsoft.Extensions only, and in ASP.NET Core's shared framework.
        Assert.Equal(
            [
                "Microsoft.Extensions.DependencyInjection.Abstractions",
                "Microsoft.Extensions.Diagnostics.HealthChecks",
                "Microsoft.Extensions.Hosting.Abstractions",
                "Microsoft.Extensions.Logging.Abstractions",
                "Microsoft.Extensions.Options",
                "Microsoft.Extensions.Options.ConfigurationExtensions",
            ],
            Dependencies("Coffer"));
    }

    [Fact]
    public void Only_Coffer_S3_depends_on_the_AWS_SDK()
    {
        Assert.Equal(["AWSSDK.S3", "Coffer", "Microsoft.Extensions.Logging.Abstractions"], Dependencies("Coffer.S3"));
        Assert.Equal(["Coffer", "Microsoft.EntityFrameworkCore.Relational", "Microsoft.Extensions.Logging.Abstractions"], Dependencies("Coffer.EntityFrameworkCore"));
        Assert.Equal(["Coffer"], Dependencies("Coffer.AspNetCore"));
        Assert.All(Repository.Packages.Where(p => p != "Coffer.S3"), p => Assert.DoesNotContain(Dependencies(p), d => d.StartsWith("AWSSDK", StringComparison.Ordinal)));
    }

    [Fact]
    public void Coffer_AspNetCore_takes_ASP_NET_Core_as_a_framework_reference_and_depends_on_this_version_of_Coffer()
    {
        var metadata = Metadata("Coffer.AspNetCore");

        Assert.Contains(metadata.Descendants(), e => e.Name.LocalName == "frameworkReference" && (string?)e.Attribute("name") == "Microsoft.AspNetCore.App");
        Assert.Equal(apps.Version, (string?)metadata.Descendants().Single(e => e.Name.LocalName == "dependency" && (string?)e.Attribute("id") == "Coffer").Attribute("version"));
    }

    [Fact]
    public void Coffer_AspNetCore_carries_the_browser_module_as_a_static_web_asset_under_content()
    {
        using var zip = ZipFile.OpenRead(Path.Combine(apps.Feed, $"Coffer.AspNetCore.{apps.Version}.nupkg"));
        var module = zip.GetEntry("staticwebassets/coffer-upload.js");

        Assert.NotNull(module);
        using (var text = new StreamReader(module.Open()))
        {
            Assert.Equal(File.ReadAllText(Path.Combine(Repository.Root, "src", "Coffer.AspNetCore", "wwwroot", "coffer-upload.js")), text.ReadToEnd());
        }

        // What makes an app that references the package serve it at /_content/Coffer.AspNetCore/coffer-upload.js.
        using var props = new StreamReader(zip.GetEntry("build/Microsoft.AspNetCore.StaticWebAssets.props")!.Open());
        Assert.Contains("<BasePath>_content/Coffer.AspNetCore</BasePath>", props.ReadToEnd(), StringComparison.Ordinal);
        Assert.DoesNotContain(zip.Entries, e => e.FullName.StartsWith("staticwebassets/", StringComparison.Ordinal) && e.FullName != "staticwebassets/coffer-upload.js");
    }

    [Fact]
    public void A_disk_only_web_app_restores_no_AWS_SDK_while_the_worker_with_Coffer_S3_does()
    {
        static string Assets(string app) => File.ReadAllText(Path.Combine(app, "obj", "project.assets.json"));

        Assert.DoesNotContain("\"AWSSDK.", Assets(apps.Web), StringComparison.Ordinal);
        Assert.Contains("\"AWSSDK.S3/", Assets(apps.Worker), StringComparison.Ordinal);
        Assert.DoesNotContain("\"AWSSDK.", Assets(apps.Console), StringComparison.Ordinal);
    }
}
