using BenchmarkDotNet.Running;
using Coffer.Benchmarks;

// dotnet run -c Release --project bench/Coffer.Benchmarks -- presign --quick   (interleaved, a few seconds; a presign line, and a geturl line for S3FileStorage.GetUrl)
// dotnet run -c Release --project bench/Coffer.Benchmarks -- presign           (BenchmarkDotNet, ShortRun job)
// dotnet run -c Release --project bench/Coffer.Benchmarks -- <BenchmarkDotNet arguments>
if (args is ["presign", "--quick", ..])
{
    return QuickPresign.Run(TimeSpan.FromSeconds(args is [_, _, var seconds, ..] && int.TryParse(seconds, out int s) ? s : 5));
}

// dotnet run -c Release --project bench/Coffer.Benchmarks -- images --quick [N]  (Coffer vs Pillow, one summary line)
if (args is ["images", "--quick", ..])
{
    return QuickImages.Run(args is [_, _, var count, ..] && int.TryParse(count, out int n) ? n : 10);
}

// dotnet run -c Release --project bench/Coffer.Benchmarks -- direct [--mib N] [--rounds N]  (Coffer's direct upload vs TransferUtility, one summary line)
if (args is ["direct", ..])
{
    return QuickDirectUpload.Run(args);
}

if (args is ["images", .. var imageArgs])
{
    BenchmarkRunner.Run<ImageBenchmarks>(args: imageArgs);
    return 0;
}

if (args is ["presign", .. var rest])
{
    BenchmarkRunner.Run<PresignBenchmarks>(args: rest);
    return 0;
}

BenchmarkSwitcher.FromAssembly(typeof(PresignBenchmarks).Assembly).Run(args);
return 0;
