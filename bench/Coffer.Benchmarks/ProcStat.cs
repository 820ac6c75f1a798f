using System.Globalization;

namespace Coffer.Benchmarks;

/// <summary>CPU time as Linux accounts it in <c>/proc</c>: a process's or one thread's user + system time.</summary>
internal static class ProcStat
{
    private const int ClockTicksPerSecond = 100; // USER_HZ, which /proc reports in on every Linux architecture .NET runs on

    /// <summary>utime + stime from a <c>stat</c> file (<c>/proc/{pid}/stat</c> or <c>/proc/{pid}/task/{tid}/stat</c>).</summary>
    public static TimeSpan CpuTime(string statPath)
    {
        string stat = File.ReadAllText(statPath);
        // The command name (field 2) is in parentheses and may hold spaces; the fields after it are plain numbers.
        string[] fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        long ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
        return TimeSpan.FromSeconds(ticks / (double)ClockTicksPerSecond);
    }

    /// <summary>The summed CPU time of every process whose command name is one of <paramref name="names"/> (e.g. the S3 server's daemons).</summary>
    public static TimeSpan CpuTimeOf(params string[] names)
    {
        var total = TimeSpan.Zero;
        foreach (string process in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(process), NumberStyles.None, CultureInfo.InvariantCulture, out _))
            {
                continue;
            }

            try
            {
                if (names.Contains(File.ReadAllText(Path.Combine(process, "comm")).TrimEnd('\n')))
                {
                    total += CpuTime(Path.Combine(process, "stat"));
                }
            }
            catch (IOException)
            {
                // the process ended meanwhile
            }
        }

        return total;
    }
}
