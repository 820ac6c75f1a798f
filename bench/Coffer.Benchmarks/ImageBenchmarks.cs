using BenchmarkDotNet.Attributes;
using Coffer.Images;

namespace Coffer.Benchmarks;

/// <summary>An image field's save work on the quick benchmark's 12-megapixel photo (make it first with <c>images --quick</c>).</summary>
[MemoryDiagnoser]
[ShortRunJob]
public class ImageBenchmarks
{
    private readonly ImageProcessor _processor = new(variants: QuickImages.Variants);
    private readonly string _photo = Path.Combine(Path.GetTempPath(), "coffer-bench-photo.jpg");

    [Benchmark]
    public ImageInfo ValidateStripThumbAndPreview() => QuickImages.Work(_processor, _photo);
}
