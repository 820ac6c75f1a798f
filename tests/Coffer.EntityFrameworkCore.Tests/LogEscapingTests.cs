using Coffer.EntityFrameworkCore.Internal;
using Coffer.EntityFrameworkCore.Tests.Infrastructure;
using Microsoft.Extensions.Logging;

// EF1001 is meant for EF Core's own .Internal namespaces; this is the package's internal Log class, tested directly.
#pragma warning disable EF1001

namespace Coffer.EntityFrameworkCore.Tests;

/// <summary>Issue 10: the EF Core package's log messages escape the names they carry (a client's file name among them).</summary>
public sealed class LogEscapingTests : IDisposable
{
    private readonly LogSink _logs = new();
    private readonly LoggerFactory _factory;

    public LogEscapingTests() => _factory = new LoggerFactory([_logs]);

    public void Dispose() => _factory.Dispose();

    [Fact]
    public void Names_fields_and_reasons_are_logged_without_raw_line_breaks()
    {
        var logger = _factory.CreateLogger("test");

        Log.FileUploaded(logger, "private", "a\r\nFORGED", "Doc\n.File");
        Log.UploadRemoved(logger, "private", "b\u2029c", "rolled\nback");
        Log.OrphanDeleteFailed(logger, new IOException("disk"), "private", "d\u000be");

        Assert.Equal(
            [
                @"Uploaded a\u000D\u000AFORGED to storage private for Doc\u000A.File",
                @"Removed b\u2029c from storage private: the save that uploaded it did not commit (rolled\u000Aback)",
                @"Sweeper could not delete d\u000Be from storage private",
            ],
            _logs.Entries.Select(e => e.Message));
    }
}
