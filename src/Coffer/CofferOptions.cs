namespace Coffer;

/// <summary>
/// Settings of Coffer as a whole, bound from the <c>Coffer</c> configuration section. Each storage has its own
/// settings under <c>Coffer:Storages:{name}</c>; see <see cref="Microsoft.Extensions.DependencyInjection.ICofferBuilder"/>.
/// </summary>
public sealed class CofferOptions
{
    /// <summary>The configuration section Coffer reads: <c>Coffer</c>.</summary>
    public const string SectionName = "Coffer";

    /// <summary>
    /// Where <c>MapCoffer</c> serves local-disk storages: files are at <c>{RoutePrefix}/{storage}/{name}</c>, and a
    /// local storage without a <see cref="FileStorageOptions.BaseUrl"/> gets <c>{RoutePrefix}/{storage}/</c>.
    /// Must start with <c>/</c>. Default: <c>/coffer</c>.
    /// </summary>
    public string RoutePrefix { get; set; } = "/coffer";

    /// <summary>
    /// The folder, relative to the app's content root (or absolute), that holds the local storages whose
    /// <c>RootPath</c> is not set (each in a sub-folder named by its <c>Location</c>) and the generated URL signing key
    /// (<c>url-signing-key.json</c>). Keep it out of source control. Default: <c>App_Data/coffer</c>.
    /// </summary>
    public string DataPath { get; set; } = "App_Data/coffer";
}
