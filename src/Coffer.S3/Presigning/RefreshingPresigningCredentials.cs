using Amazon.Runtime;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Coffer.S3.Presigning;

/// <summary>
/// Credentials from one of the AWS SDK's providers (instance or container roles, SSO, assumed roles, web identity),
/// refreshed in the background ahead of their expiry so that signing never waits for them.
/// </summary>
/// <remarks>
/// <para>
/// <see cref="Current"/> is a volatile read of an immutable <see cref="SigningCredentials"/>: no lock, no I/O.
/// A timer fires <see cref="RefreshingCredentialsOptions.RefreshAhead"/> before the credentials expire (or halfway
/// through their remaining life, when that is shorter), fetches new ones from the provider and swaps them in.
/// A failed refresh is logged and retried every <see cref="RefreshingCredentialsOptions.RetryDelay"/>; meanwhile
/// the old credentials keep signing, and <see cref="SigV4Presigner"/> clamps each URL's expiry to them.
/// </para>
/// <para>Credentials without an expiry (long-term keys) are fetched once and never refreshed.</para>
/// </remarks>
public sealed class RefreshingPresigningCredentials : PresigningCredentials, IDisposable
{
    private static readonly TimeSpan MinimumDelay = TimeSpan.FromSeconds(1);

    private readonly AWSCredentials _source;
    private readonly RefreshingCredentialsOptions _options;
    private readonly ILogger _logger;
    private readonly ITimer _timer;
    private readonly CancellationTokenSource _stopping = new();
    private SigningCredentials? _current; // null only until the first fetch has succeeded
    private Task? _first;
    private Exception? _lastError;
    private int _refreshing;
    private long _nextRefreshTicks = -1;

    private RefreshingPresigningCredentials(AWSCredentials source, RefreshingCredentialsOptions? options, ILogger? logger)
    {
        ArgumentNullException.ThrowIfNull(source);
        options ??= new RefreshingCredentialsOptions();
        options.Validate();
        _source = source;
        _options = options;
        _logger = logger ?? NullLogger.Instance;
        _timer = options.TimeProvider.CreateTimer(static state => ((RefreshingPresigningCredentials)state!).OnTimer(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    /// <inheritdoc/>
    /// <remarks>
    /// Waits only in one case: credentials built by <see cref="Start"/> and read before their first fetch has finished
    /// (a URL signed in the first moments of a process). Every later read is a volatile read.
    /// </remarks>
    /// <exception cref="InvalidOperationException">The first fetch failed; it is retried in the background.</exception>
    public override SigningCredentials Current => Volatile.Read(ref _current) ?? WaitForFirst();

    /// <summary>When the next background refresh is due, or <see langword="null"/> when the credentials do not expire.</summary>
    public DateTimeOffset? NextRefreshAt
    {
        get
        {
            long ticks = Interlocked.Read(ref _nextRefreshTicks);
            return ticks < 0 ? null : new DateTimeOffset(ticks, TimeSpan.Zero);
        }
    }

    /// <summary>The error of the last background refresh if it failed, or <see langword="null"/> after a success.</summary>
    public Exception? LastRefreshError => Volatile.Read(ref _lastError);

    /// <summary>Fetches the first credentials from <paramref name="source"/> and starts refreshing them in the background.</summary>
    /// <param name="source">An AWS SDK credentials provider, e.g. from <c>DefaultAWSCredentialsIdentityResolver.GetCredentials()</c>.</param>
    /// <param name="options">Refresh timing; <see langword="null"/> for the defaults.</param>
    /// <param name="logger">Where refreshes and failures are logged.</param>
    /// <param name="cancellationToken">Cancels the first fetch.</param>
    /// <returns>The started source; dispose it to stop refreshing.</returns>
    public static async Task<RefreshingPresigningCredentials> CreateAsync(AWSCredentials source, RefreshingCredentialsOptions? options = null, ILogger? logger = null, CancellationToken cancellationToken = default)
    {
        var credentials = new RefreshingPresigningCredentials(source, options, logger);
        try
        {
            await credentials.FetchAndSwapAsync(force: false, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            credentials.Dispose();
            throw;
        }

        return credentials;
    }

    /// <summary>
    /// Starts fetching the first credentials in the background and returns at once, for a constructor that must not wait
    /// on the network (<see cref="S3FileStorage"/>'s). A failed first fetch is logged and retried like a failed refresh.
    /// </summary>
    internal static RefreshingPresigningCredentials Start(AWSCredentials source, RefreshingCredentialsOptions? options = null, ILogger? logger = null)
    {
        var credentials = new RefreshingPresigningCredentials(source, options, logger);
        credentials._first = Task.Run(credentials.RefreshInBackgroundAsync);
        return credentials;
    }

    /// <summary>
    /// Asks the provider for credentials that outlive the refresh window and swaps them in; signing goes on with the old
    /// ones meanwhile. SDK refreshing providers return their cached set while it still has that much life left.
    /// </summary>
    /// <param name="cancellationToken">Stops waiting for the provider.</param>
    /// <returns>A task that completes when the new credentials are in use.</returns>
    public Task RefreshAsync(CancellationToken cancellationToken = default) => FetchAndSwapAsync(force: true, cancellationToken);

    private async Task FetchAndSwapAsync(bool force, CancellationToken cancellationToken)
    {
        SigningCredentials fresh = await FetchAsync(_source, _options, force, cancellationToken).ConfigureAwait(false);
        Volatile.Write(ref _current, fresh);
        Volatile.Write(ref _lastError, null);
        Schedule(fresh);
        Log.PresigningCredentialsRefreshed(_logger, fresh.AccessKeyId, fresh.Expiration, NextRefreshAt);
    }

    /// <summary>Stops the background refresh; <see cref="Current"/> keeps returning the last credentials.</summary>
    public void Dispose()
    {
        if (!_stopping.IsCancellationRequested)
        {
            _stopping.Cancel();
            _timer.Dispose();
            _stopping.Dispose();
        }
    }

    private static async Task<SigningCredentials> FetchAsync(AWSCredentials source, RefreshingCredentialsOptions options, bool force, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        Task<ImmutableCredentials> fetch = force && source is RefreshingAWSCredentials refreshing
            // Ask for more life than the current credentials have left, which makes the SDK fetch new ones now.
            ? refreshing.GetCredentialsAsync(options.RefreshAhead + options.RefreshAhead + TimeSpan.FromMinutes(1))
            : source.GetCredentialsAsync();
        ImmutableCredentials credentials = await fetch.WaitAsync(cancellationToken).ConfigureAwait(false);

        // The SDK publishes the expiry of the credentials it just handed out through Expiration (read after the fetch).
        DateTime? expiration = source.Expiration;
        DateTimeOffset? expires = expiration is { } e
            ? new DateTimeOffset(DateTime.SpecifyKind(e.Kind == DateTimeKind.Local ? e.ToUniversalTime() : e, DateTimeKind.Utc))
            : null;
        return new SigningCredentials(credentials.AccessKey, credentials.SecretKey, credentials.Token, expires);
    }

    private void OnTimer() => _ = RefreshInBackgroundAsync();

    private async Task RefreshInBackgroundAsync()
    {
        if (Interlocked.Exchange(ref _refreshing, 1) == 1)
        {
            return;
        }

        try
        {
            // Before the first success there is nothing to refresh: that fetch asks for the provider's current set.
            await FetchAndSwapAsync(force: Volatile.Read(ref _current) is not null, _stopping.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
            // disposed while refreshing
        }
#pragma warning disable CA1031 // a background refresh must never crash the process: it logs and retries
        catch (Exception exception)
#pragma warning restore CA1031
        {
            Volatile.Write(ref _lastError, exception);
            SigningCredentials? current = Volatile.Read(ref _current);
            Log.PresigningCredentialsRefreshFailed(_logger, exception, current?.AccessKeyId ?? "(none yet)", current?.Expiration, _options.RetryDelay);
            SetTimer(_options.RetryDelay);
        }
        finally
        {
            Volatile.Write(ref _refreshing, 0);
        }
    }

    private SigningCredentials WaitForFirst()
    {
        // The first fetch logs and swallows its failure (and schedules a retry), so waiting never throws here.
        _first?.GetAwaiter().GetResult();
        return Volatile.Read(ref _current) ?? throw new InvalidOperationException(
            $"No AWS credentials could be fetched to sign URLs with; the fetch is retried every {_options.RetryDelay.TotalSeconds:0} s. Check the SDK's credential chain (environment, profile, instance or container role), or set AccessKey and SecretKey in the storage's options.",
            LastRefreshError);
    }

    private void Schedule(SigningCredentials credentials)
    {
        if (credentials.Expiration is not { } expiration)
        {
            Interlocked.Exchange(ref _nextRefreshTicks, -1);
            return;
        }

        DateTimeOffset now = _options.TimeProvider.GetUtcNow();
        DateTimeOffset at = expiration - _options.RefreshAhead;
        if (at <= now)
        {
            at = now + ((expiration - now) / 2);
        }

        TimeSpan due = at - now;
        SetTimer(due < MinimumDelay ? MinimumDelay : due);
    }

    private void SetTimer(TimeSpan due)
    {
        if (_stopping.IsCancellationRequested)
        {
            return;
        }

        Interlocked.Exchange(ref _nextRefreshTicks, (_options.TimeProvider.GetUtcNow() + due).UtcTicks);
        try
        {
            _timer.Change(due, Timeout.InfiniteTimeSpan);
        }
        catch (ObjectDisposedException)
        {
            // disposed concurrently
        }
    }
}
