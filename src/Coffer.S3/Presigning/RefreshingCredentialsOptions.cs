namespace Coffer.S3.Presigning;

/// <summary>How <see cref="RefreshingPresigningCredentials"/> refreshes temporary credentials.</summary>
public sealed class RefreshingCredentialsOptions
{
    /// <summary>
    /// How long before the credentials expire they are replaced. Because a URL never outlives the credentials that
    /// signed it, this is also the shortest lifetime a URL can be clamped to while refreshes succeed.
    /// Default: 15 minutes.
    /// </summary>
    public TimeSpan RefreshAhead { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>How long to wait before trying again after a failed refresh. Default: 30 seconds.</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The clock that schedules refreshes. Default: <see cref="TimeProvider.System"/>.</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(RefreshAhead, TimeSpan.Zero, nameof(RefreshAhead));
        ArgumentOutOfRangeException.ThrowIfLessThan(RetryDelay, TimeSpan.FromMilliseconds(1), nameof(RetryDelay));
        ArgumentNullException.ThrowIfNull(TimeProvider, nameof(TimeProvider));
    }
}
