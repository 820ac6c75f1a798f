using Coffer.Local;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Coffer.AspNetCore.Tests;

/// <summary>AddCoffer is the core package's; Coffer.AspNetCore adds the uploader to its builder and nothing else.</summary>
public sealed class AddFileUploaderTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    private ServiceProvider Build(Action<ICofferBuilder> add)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Coffer:DataPath"] = _folder.Path,
            ["Coffer:Storages:private:AllowedContentTypes:0"] = "image/*",
        }).Build();
        var services = new ServiceCollection();
        add(services.AddCoffer(configuration));
        return services.BuildServiceProvider();
    }

    [Fact]
    public void AddFileUploader_registers_the_uploader_and_binds_each_storages_upload_rules()
    {
        using var provider = Build(coffer => coffer.AddFileUploader().AddFileUploader());

        Assert.NotNull(provider.GetRequiredService<FileUploader>());
        Assert.Equal(["image/*"], provider.GetRequiredService<IOptionsMonitor<FileUploadOptions>>().Get("private").AllowedContentTypes);
        Assert.IsType<LocalFileStorage>(provider.GetRequiredKeyedService<FileStorage>("private"));
    }

    [Fact]
    public void Without_AddFileUploader_there_is_no_uploader_and_upload_rules_are_unknown_keys()
    {
        using var provider = Build(_ => { });

        Assert.Null(provider.GetService<FileUploader>());
        var ex = Assert.Throws<InvalidOperationException>(() => provider.GetRequiredKeyedService<FileStorage>("private"));
        Assert.StartsWith("Coffer:Storages:private:AllowedContentTypes: is not a setting of a 'Local' storage.", ex.Message, StringComparison.Ordinal);
    }
}
