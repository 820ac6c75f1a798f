namespace Coffer;

/// <summary>
/// The names under which Coffer reports traces and metrics, for an OpenTelemetry setup:
/// <c>tracing.AddSource(CofferDiagnostics.ActivitySourceName)</c> and <c>metrics.AddMeter(CofferDiagnostics.MeterName)</c>.
/// </summary>
/// <remarks>
/// Spans and measurements carry the storage's name and backend, the operation, its outcome and, for a failure, the
/// exception's type (<c>error.type</c>); never a file name or URL, which can be personal data. Nothing is measured or
/// allocated while no listener is attached.
/// </remarks>
public static class CofferDiagnostics
{
    /// <summary>The name of Coffer's <see cref="System.Diagnostics.ActivitySource"/>: <c>Coffer</c>.</summary>
    public const string ActivitySourceName = "Coffer";

    /// <summary>The name of Coffer's <see cref="System.Diagnostics.Metrics.Meter"/>: <c>Coffer</c>.</summary>
    public const string MeterName = "Coffer";
}
