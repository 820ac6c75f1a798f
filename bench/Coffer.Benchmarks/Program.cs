using BenchmarkDotNet.Running;
using Coffer.Benchmarks;

// dotnet run -c Release --project bench/Coffer.Benchmarks -- presign --quick   (interleaved, a few seconds, one summary line)
// dotnet run -c Release --project bench/Coffer.Benchmarks -- presign           (BenchmarkDotNet, ShortRun job)
// dotnet run -c Release --project bench/Coffer.Benchmarks -- <BenchmarkDotNet arguments>
if (args is ["presign", "--quick", ..])
{
    return QuickPresign.Run(TimeSpan.FromSeconds(args is [_, _, var seconds, ..] && int.TryParse(seconds, out int s) ? s : 5));
}

if (args is ["presign", .. var rest])
{
    BenchmarkRunner.Run<PresignBenchmarks>(args: rest);
    return 0;
}

BenchmarkSwitcher.FromAssembly(typeof(PresignBenchmarks).Assembly).Run(args);
return 0;
