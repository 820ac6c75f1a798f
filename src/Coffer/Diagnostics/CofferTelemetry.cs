using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Coffer;

/// <summary>
/// The one owner of Coffer's span source and instruments. A host's <see cref="IMeterFactory"/> makes the meter when
/// there is one (so that each container's measurements stay its own); a storage built without DI uses <see cref="Shared"/>.
/// </summary>
/// <remarks>
/// Every recording checks <see cref="ActivitySource.HasListeners"/> or the instrument's <c>Enabled</c> first, so that
/// the no-listener path costs a few field reads and allocates nothing. Tags are names of storages, backends, operations
/// and exception types; never file names or URLs.
/// </remarks>
internal sealed class CofferTelemetry
{
    public const string StorageNameTag = "coffer.storage.name";
    public const string BackendTag = "coffer.storage.backend";
    public const string OperationTag = "coffer.operation";
    public const string OutcomeTag = "coffer.outcome";
    public const string ErrorTypeTag = "error.type";
    public const string BytesTag = "coffer.bytes";

    /// <summary>Spans have no DI factory; one static source serves every container, as ASP.NET Core's does.</summary>
    public static readonly ActivitySource Source = new(CofferDiagnostics.ActivitySourceName, Version);

    /// <summary>The instruments of storages built without a container.</summary>
    public static readonly CofferTelemetry Shared = new(null);

    private static string? Version => typeof(CofferTelemetry).Assembly.GetName().Version?.ToString();

    public CofferTelemetry(IMeterFactory? meterFactory)
    {
        var meter = meterFactory?.Create(CofferDiagnostics.MeterName, Version) ?? new Meter(CofferDiagnostics.MeterName, Version);
        Duration = meter.CreateHistogram("coffer.storage.operation.duration", "s", "Duration of storage operations.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60] });
        BytesWritten = meter.CreateCounter<long>("coffer.storage.bytes.written", "By", "Bytes saved to storages.");
        BytesRead = meter.CreateCounter<long>("coffer.storage.bytes.read", "By", "Bytes read from storages.");
        Errors = meter.CreateCounter<long>("coffer.storage.errors", "{error}", "Storage operations that failed, by error.type.");
        UrlsSigned = meter.CreateCounter<long>("coffer.storage.urls.signed", "{url}", "Signed URLs issued.");
        LeftoversRemoved = meter.CreateCounter<long>("coffer.storage.unfinished_uploads.removed", "{upload}", "Leftovers of unfinished uploads removed by sweeps.");
        UploadsActive = meter.CreateUpDownCounter<long>("coffer.storage.uploads.active", "{upload}", "Saves in flight.");
    }

    public Histogram<double> Duration { get; }

    public Counter<long> BytesWritten { get; }

    public Counter<long> BytesRead { get; }

    public Counter<long> Errors { get; }

    public Counter<long> UrlsSigned { get; }

    public Counter<long> LeftoversRemoved { get; }

    public UpDownCounter<long> UploadsActive { get; }

    /// <summary>Whether anything would record a storage operation; when not, callers take their plain path.</summary>
    public bool IsObserved => Source.HasListeners() || Duration.Enabled || Errors.Enabled || BytesRead.Enabled;

    /// <summary>Counts a signed URL; free when nobody listens (one field read, no tag allocated).</summary>
    public void UrlSigned(string storage)
    {
        if (UrlsSigned.Enabled)
        {
            UrlsSigned.Add(1, new KeyValuePair<string, object?>(StorageNameTag, storage));
        }
    }

    /// <summary>Counts the leftovers a sweep removed (a dry run removes nothing).</summary>
    public void Swept(string storage, int removed)
    {
        if (removed > 0 && LeftoversRemoved.Enabled)
        {
            LeftoversRemoved.Add(removed, new KeyValuePair<string, object?>(StorageNameTag, storage));
        }
    }

    /// <summary>Starts a span (when sampled) and a clock (when durations are listened to) for one storage operation.</summary>
    public StorageOperation Start(FileStorage storage, StorageOperationName operation, string backend) =>
        new(this, storage.Name, backend, operation);

    /// <summary><paramref name="content"/>, counting its bytes into <paramref name="counter"/> when that is listened to.</summary>
    public static Stream Count(Stream content, Counter<long> counter, string storage, bool ownsContent) =>
        counter.Enabled ? new CountingStream(content, counter, storage, ownsContent) : content;
}

/// <summary>An operation's name and its span's name, made once.</summary>
internal sealed class StorageOperationName
{
    public static readonly StorageOperationName Save = new("save");
    public static readonly StorageOperationName Open = new("open");
    public static readonly StorageOperationName Delete = new("delete");
    public static readonly StorageOperationName Exists = new("exists");
    public static readonly StorageOperationName Info = new("info");
    public static readonly StorageOperationName List = new("list");
    public static readonly StorageOperationName Sweep = new("sweep");

    public StorageOperationName(string name)
    {
        Name = name;
        SpanName = "coffer.storage." + name;
    }

    public string Name { get; }

    public string SpanName { get; }
}

/// <summary>One storage operation being observed; <c>default</c>-cheap when nothing listens. Ends once.</summary>
internal struct StorageOperation
{
    private readonly CofferTelemetry _telemetry;
    private readonly string _storage;
    private readonly string _backend;
    private readonly StorageOperationName _operation;
    private readonly long _started;
    private readonly bool _countsUpload;
    private Activity? _activity;
    private bool _ended;

    public StorageOperation(CofferTelemetry telemetry, string storage, string backend, StorageOperationName operation)
    {
        _telemetry = telemetry;
        _storage = storage;
        _backend = backend;
        _operation = operation;
        _activity = CofferTelemetry.Source.StartActivity(operation.SpanName, ActivityKind.Internal);
        if (_activity is { IsAllDataRequested: true })
        {
            _activity.SetTag(CofferTelemetry.StorageNameTag, storage);
            _activity.SetTag(CofferTelemetry.BackendTag, backend);
            _activity.SetTag(CofferTelemetry.OperationTag, operation.Name);
        }

        _started = telemetry.Duration.Enabled ? Stopwatch.GetTimestamp() : 0;
        _countsUpload = ReferenceEquals(operation, StorageOperationName.Save) && telemetry.UploadsActive.Enabled;
        if (_countsUpload)
        {
            telemetry.UploadsActive.Add(1, StorageTags());
        }
    }

    /// <summary>Tags the span with how many bytes went through (for a sweep, how many leftovers).</summary>
    public readonly void SetBytes(long bytes) => _activity?.SetTag(CofferTelemetry.BytesTag, bytes);

    public void Succeeded() => End(null);

    public void Failed(Exception exception) => End(exception);

    private void End(Exception? exception)
    {
        if (_ended)
        {
            return;
        }

        _ended = true;
        string outcome = exception is null ? "success" : exception is OperationCanceledException ? "cancelled" : "failure";
        string? errorType = exception?.GetType().FullName;
        if (_activity is not null)
        {
            _activity.SetTag(CofferTelemetry.OutcomeTag, outcome);
            if (exception is not null)
            {
                _activity.SetTag(CofferTelemetry.ErrorTypeTag, errorType);
                _activity.SetStatus(ActivityStatusCode.Error, errorType);
            }

            _activity.Dispose();
            _activity = null;
        }

        if (_started != 0 && _telemetry.Duration.Enabled)
        {
            var tags = OperationTags(outcome, errorType);
            _telemetry.Duration.Record(Stopwatch.GetElapsedTime(_started).TotalSeconds, tags);
        }

        if (exception is not null && _telemetry.Errors.Enabled)
        {
            _telemetry.Errors.Add(1, OperationTags(outcome, errorType));
        }

        if (_countsUpload)
        {
            _telemetry.UploadsActive.Add(-1, StorageTags());
        }
    }

    private readonly TagList StorageTags() => new()
    {
        { CofferTelemetry.StorageNameTag, _storage },
        { CofferTelemetry.BackendTag, _backend },
    };

    private readonly TagList OperationTags(string outcome, string? errorType)
    {
        var tags = StorageTags();
        tags.Add(CofferTelemetry.OperationTag, _operation.Name);
        tags.Add(CofferTelemetry.OutcomeTag, outcome);
        if (errorType is not null)
        {
            tags.Add(CofferTelemetry.ErrorTypeTag, errorType);
        }

        return tags;
    }
}
