namespace Coffer;

/// <summary>
/// Settings of the background sweeper that <c>AddCofferSweeper</c> adds, bound from <c>Coffer:Sweeper</c>, then
/// from code. It removes what uploads that never finished left behind (<see cref="FileStorage.SweepUnfinishedUploadsAsync"/>).
/// </summary>
public sealed class CofferSweeperOptions
{
    /// <summary>The configuration section the sweeper reads, under <c>Coffer</c>: <c>Sweeper</c>.</summary>
    public const string SectionName = "Sweeper";

    /// <summary>How long from the start of one sweep to the start of the next; the first runs when the host starts. Default: 1 hour.</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromHours(1);

    /// <summary>
    /// How old a leftover must be before it is removed: longer than your longest upload takes, since an upload still
    /// running looks the same as one that died. Default: 1 day.
    /// </summary>
    public TimeSpan GracePeriod { get; set; } = TimeSpan.FromDays(1);

    /// <summary>Whether to only log what would be removed. Default: <see langword="false"/>.</summary>
    public bool DryRun { get; set; }

    /// <summary>The storages to sweep, by name; empty for every storage. Default: empty.</summary>
    public IList<string> Storages { get; } = new List<string>();
}
