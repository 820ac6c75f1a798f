using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Coffer.Sample;

/// <summary>
/// Writes <c>/healthz</c> as JSON that names each check and, for a failing one, why:
/// <c>{ "status": "Unhealthy", "checks": { "database": "Unhealthy: Failed to connect to 127.0.0.1:5432", "storages": "Healthy" } }</c>.
/// The endpoint is anonymous, so a reason is cut to its first line and stripped of what could be a secret: the query of
/// a URL (a signature), and <c>key=value</c> pairs of a connection string (a password).
/// </summary>
public static partial class HealthReportWriter
{
    private const int MaxReasonLength = 200;

    public static async Task WriteAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json; charset=utf-8";
        if (report.Status != HealthStatus.Healthy)
        {
            context.Response.Headers.RetryAfter = Data.DatabaseFaults.RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        await using var json = new Utf8JsonWriter(context.Response.Body);
        json.WriteStartObject();
        json.WriteString("status", report.Status.ToString());
        json.WriteStartObject("checks");
        foreach (var (name, entry) in report.Entries)
        {
            json.WriteString(name, entry.Status == HealthStatus.Healthy ? "Healthy" : $"{entry.Status}: {Reason(entry)}");
        }

        json.WriteEndObject();
        json.WriteEndObject();
        await json.FlushAsync(context.RequestAborted);
    }

    /// <summary>The first line of what the check or its exception said, without anything that looks like a secret.</summary>
    internal static string Reason(HealthReportEntry entry)
    {
        string said = entry.Description ?? entry.Exception?.Message ?? "no reason given";
        string line = said.Split('\n', 2)[0].Trim();
        line = UrlQuery().Replace(line, "?…");
        line = SettingValue().Replace(line, "$1=…");
        return line.Length <= MaxReasonLength ? line : line[..MaxReasonLength] + "…";
    }

    [GeneratedRegex(@"\?[^\s'""]+")]
    private static partial Regex UrlQuery();

    [GeneratedRegex(@"(?i)\b(password|pwd|secret\w*|\w*key|token|signature)\s*=\s*[^;\s'""]+")]
    private static partial Regex SettingValue();
}
