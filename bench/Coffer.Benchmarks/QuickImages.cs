using System.Diagnostics;
using System.Globalization;
using Coffer.Images;

namespace Coffer.Benchmarks;

/// <summary>
/// Coffer against Pillow on one 12-megapixel photo (EXIF orientation 6 and a GPS position), in one run: each does what
/// an image field does on save (header check, full decode, dimensions, the original without its metadata, thumb and
/// preview) a number of times; ends with one summary line. The photo is made by bench/images/pillow_images.py.
/// </summary>
internal static class QuickImages
{
    private const string Python = "/usr/bin/python3"; // Debian's, which has python3-pil

    public static readonly IReadOnlyDictionary<string, ImageVariant> Variants = new Dictionary<string, ImageVariant>
    {
        ["thumb"] = ImageVariant.Thumbnail(256),
        ["preview"] = ImageVariant.Preview(1280),
    };

    public static int Run(int iterations)
    {
        string script = Path.Combine(BenchPaths.RepositoryRoot(), "bench", "images", "pillow_images.py");
        string photo = Path.Combine(Path.GetTempPath(), "coffer-bench-photo.jpg");
        if (!File.Exists(photo))
        {
            RunPython(script, $"make {photo}");
        }

        var processor = new ImageProcessor(variants: Variants);
        var info = Work(processor, photo); // warm-up: JIT, native library load, file cache
        long before = Process.GetCurrentProcess().PeakWorkingSet64;
        // Rounds alternate (Coffer, Pillow, Coffer, …) so that both see the same machine state on a shared machine.
        const int Rounds = 5;
        int perRound = Math.Max(1, iterations / Rounds);
        double cofferTotal = 0, pillowTotal = 0;
        string pillow = "";
        for (int round = 0; round < Rounds; round++)
        {
            var watch = Stopwatch.StartNew();
            for (int i = 0; i < perRound; i++)
            {
                Work(processor, photo);
            }

            cofferTotal += watch.Elapsed.TotalMilliseconds / perRound;
            pillow = RunPython(script, $"run {photo} {perRound}");
            pillowTotal += double.Parse(pillow.Split(' ')[0]["pillow_ms=".Length..], CultureInfo.InvariantCulture);
        }

        double cofferMs = cofferTotal / Rounds, pillowMs = pillowTotal / Rounds;
        using var process = Process.GetCurrentProcess();
        double peakMb = process.PeakWorkingSet64 / (1024.0 * 1024);
        double decodedMb = info.Width * (double)info.Height * 4 / (1024 * 1024);

        Console.WriteLine($"coffer steps: {Breakdown(processor, photo)}");
        Console.WriteLine($"photo: {info.Width}x{info.Height} as shown, {new FileInfo(photo).Length / 1024} KB; decoded at full size {decodedMb:F0} MB; peak working set after the warm-up {before / (1024 * 1024)} MB; {Rounds} rounds of {perRound}; last {pillow}");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"images: coffer_ms={cofferMs:F1} pillow_ms={pillowMs:F1} ratio={pillowMs / cofferMs:F1} peak_mb={peakMb:F0}"));
        return 0;
    }

    /// <summary>Where Coffer's time goes, per step, averaged over a few images.</summary>
    private static string Breakdown(ImageProcessor processor, string path, int count = 3)
    {
        var steps = new Dictionary<string, double>(StringComparer.Ordinal);
        void Time(string step, Action action)
        {
            var watch = Stopwatch.StartNew();
            action();
            steps[step] = steps.GetValueOrDefault(step) + (watch.Elapsed.TotalMilliseconds / count);
        }

        for (int i = 0; i < count; i++)
        {
            using var content = File.OpenRead(path);
            ImageInfo info = null!;
            DecodedImage decoded = null!;
            Time("header", () => info = processor.Inspect(content));
            Time("decode", () => decoded = processor.Decode(content, info));
            using (decoded)
            {
                foreach (var (key, variant) in processor.Variants)
                {
                    Time(key, () => decoded.Render(variant, new MemoryStream()));
                }
            }

            Time("strip", () => ImageProcessor.StripMetadata(content, info, new MemoryStream()));
        }

        return string.Join(" ", steps.Select(s => string.Create(CultureInfo.InvariantCulture, $"{s.Key}={s.Value:F1}ms")));
    }

    /// <summary>What an image field's save does, with the outputs kept in memory.</summary>
    public static ImageInfo Work(ImageProcessor processor, string path)
    {
        using var content = File.OpenRead(path);
        var info = processor.Inspect(content);
        using (var decoded = processor.Decode(content, info))
        {
            foreach (var variant in processor.Variants.Values)
            {
                using var rendered = new MemoryStream();
                decoded.Render(variant, rendered);
            }
        }

        using var stripped = new MemoryStream();
        ImageProcessor.StripMetadata(content, info, stripped);
        return info;
    }

    private static string RunPython(string script, string arguments)
    {
        var start = new ProcessStartInfo(Python, $"{script} {arguments}") { RedirectStandardOutput = true, RedirectStandardError = true };
        using var python = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {Python}.");
        string output = python.StandardOutput.ReadToEnd();
        string error = python.StandardError.ReadToEnd();
        python.WaitForExit();
        if (python.ExitCode != 0)
        {
            throw new InvalidOperationException($"{Python} {script} {arguments} failed (is python3-pil installed? run bench/images/install-pillow.sh): {error}");
        }

        return output.Trim();
    }
}
