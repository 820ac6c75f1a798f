namespace Coffer.AspNetCore;

/// <summary>Settings of direct uploads (<see cref="DirectUploads"/>), validated at start-up.</summary>
public sealed class DirectUploadOptions
{
    /// <summary>How long a ticket works, from its start to its commit: 1 minute to 7 days (S3's longest signature). Default: 1 hour.</summary>
    public TimeSpan TicketLifetime { get; set; } = TimeSpan.FromHours(1);

    /// <summary>
    /// How long after a ticket expires its pending upload is swept (deleted, parts aborted) if it was not committed:
    /// room for a commit that started just before the expiry, and for clocks that differ between instances. Default: 10 minutes.
    /// </summary>
    public TimeSpan SweepGrace { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>The most part URLs one request may ask for: 1 to 1,000. Default: 100.</summary>
    public int MaxPartUrlsPerRequest { get; set; } = 100;
}
