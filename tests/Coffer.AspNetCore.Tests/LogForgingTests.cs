using System.Net;
using System.Text;
using Microsoft.Extensions.Logging;

namespace Coffer.AspNetCore.Tests;

/// <summary>Issue 10: a request path with CR/LF (or another line or format character) cannot forge a log line.</summary>
public class LogForgingTests
{
    // Everything a log viewer or terminal may take for the end of a line.
    private static readonly char[] LineBreaks = ['\r', '\n', '\v', '\f', '\u0085', '\u2028', '\u2029'];

    private static Task<HttpResponseMessage> GetAsync(TestApp app, string url) => app.Client.GetAsync(new Uri(url, UriKind.Relative));

    [Theory]
    [InlineData("/coffer/private/a%0d%0aFORGED: admin logged in", HttpStatusCode.Forbidden)]
    [InlineData("/coffer/private/a%0aFORGED: admin logged in", HttpStatusCode.Forbidden)]
    [InlineData("/coffer/private/a%0dFORGED: admin logged in", HttpStatusCode.Forbidden)]
    [InlineData("/coffer/private/a%e2%80%a8FORGED: admin logged in", HttpStatusCode.Forbidden)]
    [InlineData("/coffer/private/a%c2%85FORGED: admin logged in", HttpStatusCode.Forbidden)]
    [InlineData("/coffer/public/a%0d%0aFORGED: admin logged in.txt", HttpStatusCode.NotFound)]
    public async Task A_line_break_in_the_request_path_does_not_start_a_forged_log_line(string url, HttpStatusCode expected)
    {
        await using var app = await TestApp.StartAsync();

        using var response = await GetAsync(app, url);

        Assert.Equal(expected, response.StatusCode);
        // ASP.NET Core's own request logs (Hosting at Information, Routing at Debug) carry the decoded path as it is;
        // apps keep them at Warning ("Microsoft.AspNetCore": "Warning", as the sample and the templates do). What is
        // left is what such an app writes: every Coffer message, and anything at Warning or above.
        var messages = app.Logs.Entries
            .Where(e => e.Category.StartsWith("Coffer", StringComparison.Ordinal) || e.Level >= LogLevel.Warning)
            .Select(e => e.Message)
            .ToList();
        Assert.Contains(messages, m => m.Contains("FORGED", StringComparison.Ordinal)); // the name is logged, escaped
        Assert.DoesNotContain(messages, m => m.Contains('\r', StringComparison.Ordinal) || m.Contains('\n', StringComparison.Ordinal));
        Assert.DoesNotContain(messages.SelectMany(m => m.Split(LineBreaks)), line => line.TrimStart().StartsWith("FORGED", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_refused_name_is_logged_with_its_control_and_format_characters_as_escapes()
    {
        await using var app = await TestApp.StartAsync();

        // CR LF, a right-to-left override (which turns "txt.exe" around on screen) and a paragraph separator. The name
        // is refused before its signature is looked at (Tampered), and still logged.
        using var response = await GetAsync(app, "/coffer/private/a%0d%0aFORGED%e2%80%aeexe.txt%e2%80%a9b");

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        var entry = Assert.Single(app.Logs.Entries, e => e.EventId.Id == 4001);
        Assert.Equal(@"Refused a URL of storage private for a\u000D\u000AFORGED\u202Eexe.txt\u2029b: the signature is Tampered", entry.Message);
    }

    [Fact]
    public async Task An_ordinary_name_with_non_ascii_letters_is_logged_as_it_is()
    {
        await using var app = await TestApp.StartAsync();

        using var response = await GetAsync(app, "/coffer/private/" + Uri.EscapeDataString("Übersicht 2025 – 日本.pdf"));

        var entry = Assert.Single(app.Logs.Entries, e => e.EventId.Id == 4001);
        Assert.Equal("Refused a URL of storage private for Übersicht 2025 – 日本.pdf: the signature is Missing", entry.Message);
    }

    [Theory]
    [InlineData("missing")]
    [InlineData("tampered")]
    [InlineData("malformed")]
    public async Task A_refused_url_is_logged_at_debug_so_refusals_cannot_flood_the_log(string kind)
    {
        await using var app = await TestApp.StartAsync();
        using (var stream = new MemoryStream(Encoding.UTF8.GetBytes("hello")))
        {
            await app.Storage("private").SaveAsync("report.txt", stream);
        }

        string url = app.Storage("private").GetUrl("report.txt").Url;
        string refused = kind switch
        {
            "missing" => "/coffer/private/report.txt",
            "tampered" => url.Replace("report.txt", "report.txT", StringComparison.Ordinal),
            _ => url.Replace("exp=", "exp=x", StringComparison.Ordinal),
        };

        int mark = app.Logs.Entries.Count; // after the signing key's one-time Information line

        using var response = await GetAsync(app, refused);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        var logged = app.Logs.Entries.Skip(mark).ToList();
        var entry = Assert.Single(logged, e => e.EventId.Id == 4001);
        Assert.Equal(LogLevel.Debug, entry.Level);
        Assert.DoesNotContain(logged, e => e.Category.StartsWith("Coffer", StringComparison.Ordinal) && e.Level >= LogLevel.Information);
    }
}
