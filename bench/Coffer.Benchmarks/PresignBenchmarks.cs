using BenchmarkDotNet.Attributes;

namespace Coffer.Benchmarks;

/// <summary>One presigned GET URL per operation, same keys, endpoint and expiry for all three libraries.</summary>
[MemoryDiagnoser]
[ShortRunJob]
public class PresignBenchmarks
{
    private PresignVariants _variants = null!;

    [GlobalSetup]
    public void Setup() => _variants = new PresignVariants();

    [GlobalCleanup]
    public void Cleanup() => _variants.Dispose();

    [Benchmark(Description = "Coffer SigV4Presigner.Presign")]
    public string Coffer() => _variants.Coffer();

    [Benchmark(Baseline = true, Description = "AWSSDK.S3 GetPreSignedURL")]
    public string AwsSdk() => _variants.AwsSdk();

    [Benchmark(Description = "Minio PresignedGetObjectAsync")]
    public string Minio() => _variants.Minio();
}
