using Coffer;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace Coffer.Sample;

public static class SampleTelemetry
{
    /// <summary>
    /// Coffer's spans and metrics through OpenTelemetry, chosen by "Sample:Telemetry": "none", "console" (the default in
    /// Development) or "otlp" (the exporter reads OTEL_EXPORTER_OTLP_ENDPOINT; default http://localhost:4317).
    /// </summary>
    public static WebApplicationBuilder AddSampleTelemetry(this WebApplicationBuilder builder)
    {
        const string Key = "Sample:Telemetry";
        string exporter = builder.Configuration[Key] ?? (builder.Environment.IsDevelopment() ? "console" : "none");
        if (exporter is not ("none" or "console" or "otlp"))
        {
            throw new InvalidOperationException($"{Key}: '{exporter}' is not an exporter; use none, console or otlp.");
        }

        if (exporter == "none")
        {
            return builder;
        }

        builder.Services.AddOpenTelemetry()
            .WithTracing(tracing =>
            {
                tracing.AddSource(CofferDiagnostics.ActivitySourceName);
                _ = exporter == "otlp" ? tracing.AddOtlpExporter() : tracing.AddConsoleExporter();
            })
            .WithMetrics(metrics =>
            {
                metrics.AddMeter(CofferDiagnostics.MeterName);
                _ = exporter == "otlp" ? metrics.AddOtlpExporter() : metrics.AddConsoleExporter();
            });
        return builder;
    }
}
