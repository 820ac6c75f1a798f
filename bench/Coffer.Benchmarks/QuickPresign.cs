using System.Diagnostics;
using System.Globalization;

namespace Coffer.Benchmarks;

/// <summary>
/// A few seconds of interleaved rounds (Coffer, AWS SDK, MinIO, Coffer, …) so that all three see the same machine
/// state; ends with one summary line.
/// </summary>
internal static class QuickPresign
{
    public static int Run(TimeSpan duration)
    {
        using var variants = new PresignVariants();
        var coffer = new Meter("coffer", variants.Coffer);
        var aws = new Meter("awssdk", variants.AwsSdk);
        var minio = new Meter("minio", variants.Minio);
        var storage = new Meter("storage", variants.CofferStorage);
        Meter[] meters = [coffer, aws, minio, storage];

        foreach (Meter meter in meters)
        {
            meter.Warm(TimeSpan.FromMilliseconds(300));
        }

        var total = Stopwatch.StartNew();
        while (total.Elapsed < duration)
        {
            foreach (Meter meter in meters)
            {
                meter.Round(TimeSpan.FromMilliseconds(100));
            }
        }

        string sample = variants.Coffer();
        Console.WriteLine($"sample coffer URL ({sample.Length} chars, {22 + (2 * sample.Length)} bytes as a string): {sample}");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"presign: coffer={coffer.PerSecond:F0} awssdk={aws.PerSecond:F0} minio={minio.PerSecond:F0} ratio={coffer.PerSecond / aws.PerSecond:F1} alloc={coffer.BytesPerCall:F0}"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"geturl: storage={storage.PerSecond:F0} ratio={storage.PerSecond / aws.PerSecond:F1} alloc={storage.BytesPerCall:F0}"));
        return 0;
    }

    private sealed class Meter(string name, Func<string> sign)
    {
        private long _calls;
        private long _ticks;
        private long _bytes;

        public string Name { get; } = name;

        public double PerSecond => _calls / (_ticks / (double)Stopwatch.Frequency);

        public double BytesPerCall => _bytes / (double)_calls;

        public void Warm(TimeSpan time)
        {
            var watch = Stopwatch.StartNew();
            while (watch.Elapsed < time)
            {
                GC.KeepAlive(sign());
            }
        }

        public void Round(TimeSpan time)
        {
            long allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
            long start = Stopwatch.GetTimestamp();
            long end = start + (long)(time.TotalSeconds * Stopwatch.Frequency);
            long calls = 0;
            long now;
            do
            {
                for (int i = 0; i < 64; i++)
                {
                    GC.KeepAlive(sign());
                }

                calls += 64;
                now = Stopwatch.GetTimestamp();
            }
            while (now < end);

            _bytes += GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;
            _ticks += now - start;
            _calls += calls;
        }
    }
}
