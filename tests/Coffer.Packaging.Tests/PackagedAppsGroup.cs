using Coffer.Packaging.Tests.Infrastructure;

namespace Coffer.Packaging.Tests;

/// <summary>One pack and one build of the three apps for every test that needs them.</summary>
[CollectionDefinition(Name)]
public sealed class PackagedAppsGroup : ICollectionFixture<PackagedApps>
{
    public const string Name = "Packaged apps";
}
