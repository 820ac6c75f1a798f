using Coffer.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Coffer.Tests.DependencyInjection;

public sealed class SigningKeyFileTests
{
    [Fact]
    public void Instances_that_create_the_key_file_at_the_same_moment_all_use_the_key_that_was_kept()
    {
        // File.Move without overwrite checks and then renames on Unix, so two first starts could each keep their own key
        // and one would refuse the other's URLs. Many rounds of eight at once make that race show.
        for (int round = 0; round < 40; round++)
        {
            using var root = new TempFolder();
            var options = Options.Create(new CofferOptions { DataPath = root.Path });
            using var start = new Barrier(8);
            var keys = new Coffer.Signing.UrlSigningKey[8];
            Parallel.For(0, 8, new ParallelOptions { MaxDegreeOfParallelism = 8 }, i =>
            {
                var file = new SigningKeyFile(new CofferPaths(options));
                start.SignalAndWait();
                keys[i] = file.Key;
            });

            var kept = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(root.Path, CofferPaths.SigningKeyFileName))).RootElement.GetProperty("Secret").GetString();
            Assert.All(keys, key => Assert.Equal(kept, key.Secret));
            Assert.Single(Directory.GetFiles(root.Path));
        }
    }
}
