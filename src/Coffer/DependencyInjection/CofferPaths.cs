using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Coffer.DependencyInjection;

/// <summary>Where Coffer keeps things on disk: the content root, the data folder and the generated key file.</summary>
internal sealed class CofferPaths(IOptions<CofferOptions> options, IHostEnvironment? environment = null)
{
    public const string SigningKeyFileName = "url-signing-key.json";

    public string ContentRoot { get; } = environment?.ContentRootPath is { Length: > 0 } root ? root : Directory.GetCurrentDirectory();

    public string DataPath => Resolve(options.Value.DataPath);

    public string SigningKeyFile => Path.Combine(DataPath, SigningKeyFileName);

    /// <summary>A path from configuration: relative ones are relative to the content root.</summary>
    public string Resolve(string path) => Path.TrimEndingDirectorySeparator(Path.GetFullPath(Path.Combine(ContentRoot, path)));
}
