using System.Diagnostics;

namespace Coffer.S3;

/// <summary>
/// The spans of this package, under Coffer's source name: the parts of a multipart upload, each a child of its save's
/// span. Like the core's, they carry the storage's name and sizes, never the key.
/// </summary>
internal static class S3Telemetry
{
    private static readonly ActivitySource Source = new(CofferDiagnostics.ActivitySourceName, typeof(S3Telemetry).Assembly.GetName().Version?.ToString());

    /// <summary>A span for one part; <see langword="null"/> (and nothing allocated) while nobody listens.</summary>
    public static Activity? StartPart(string storage, int partNumber, int bytes)
    {
        var activity = Source.StartActivity("coffer.storage.upload_part", ActivityKind.Internal);
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag("coffer.storage.name", storage);
            activity.SetTag("coffer.storage.backend", "S3");
            activity.SetTag("coffer.multipart.part_number", partNumber);
            activity.SetTag("coffer.bytes", bytes);
        }

        return activity;
    }

    public static void Failed(Activity? activity, Exception exception)
    {
        if (activity is not null)
        {
            string? type = exception.GetType().FullName;
            activity.SetTag("error.type", type);
            activity.SetStatus(ActivityStatusCode.Error, type);
        }
    }
}
