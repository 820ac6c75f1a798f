using System.Diagnostics;
using Coffer.Sample.Tests.Infrastructure;

namespace Coffer.Sample.Tests;

/// <summary>SQLite, and both storages on an S3 server that is down, with the app told to create its buckets (as for a local RGW).</summary>
public sealed class S3DownApp() : SampleApp(new SqliteSampleDatabase(), new UnreachableS3SampleStorage(), new Dictionary<string, string>
{
    ["Sample__CreateBuckets"] = "true",
    ["Sample__CreateBucketsTimeout"] = "00:00:08", // room for two tries even when the SDK's own retries of the first are slow under load
});

/// <summary>A start that cannot succeed ends in a clear message and an exit code, not in an unhandled-exception crash.</summary>
public sealed class StartupFailureTests(ITestOutputHelper output)
{
    [Fact]
    public async Task A_start_with_the_S3_server_down_retries_the_buckets_then_exits_with_code_1_and_a_message_naming_the_endpoint()
    {
        var app = new S3DownApp();
        try
        {
            var clock = Stopwatch.StartNew();
            int? exitCode = await app.RunUntilExitAsync(TimeSpan.FromSeconds(60));
            var elapsed = clock.Elapsed;
            string log = app.LogSince(0);
            output.WriteLine($"Exit code {exitCode?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "(still running)"} after {elapsed.TotalSeconds:0.0} s:");
            output.WriteLine(log);

            string endpoint = ((UnreachableS3SampleStorage)app.Storage).Endpoint;
            Assert.True(exitCode == 1, $"Expected exit code 1 (134 is an abort on an unhandled exception), got {exitCode?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none: still running after 60 s"}.");
            Assert.True(elapsed < TimeSpan.FromSeconds(30), $"An 8 s retry window took {elapsed.TotalSeconds:0.0} s to give up.");
            Assert.DoesNotContain("Unhandled exception", log, StringComparison.Ordinal);
            Assert.Contains($"Could not create the bucket coffer-sample-down at {endpoint} within 8 s", log, StringComparison.Ordinal);
            Assert.Contains("set Sample:CreateBuckets to false", log, StringComparison.Ordinal);
            // Each failed try is logged with the endpoint, and more than one try was made.
            Assert.True(log.Split('\n').Count(line => line.Contains($"Bucket coffer-sample-down at {endpoint} could not be created", StringComparison.Ordinal)) >= 2, log);
        }
        finally
        {
            await app.DisposeAsync();
        }
    }
}
