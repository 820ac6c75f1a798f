using Microsoft.Extensions.Logging;

namespace Coffer.Tests.Logging;

/// <summary>Issue 10: the core package's log messages escape the names and paths they carry.</summary>
public class LogEscapingTests
{
    [Fact]
    public void A_name_with_cr_lf_is_logged_on_one_line()
    {
        using var logs = new LogSink();
        var logger = logs.CreateLogger("test");

        Log.FileSaved(logger, "private", "a\r\nFORGED: admin logged in");

        Assert.Equal(@"Storage private saved a\u000D\u000AFORGED: admin logged in", Assert.Single(logs.Entries).Message);
    }

    [Fact]
    public void Every_name_and_path_of_a_message_is_escaped()
    {
        using var logs = new LogSink();
        var logger = logs.CreateLogger("test");

        Log.NameTaken(logger, "pri\nvate", "a\u2028b", "c\u202Ed");
        Log.FileDeleted(logger, "private", "x\u0085y");
        Log.TempFileLeft(logger, new IOException("disk"), "private", "/tmp/\u001b[31mred");

        Assert.Equal(
            [@"Storage pri\u000Avate: a\u2028b is taken, trying c\u202Ed", @"Storage private deleted x\u0085y", @"Storage private could not remove the temporary file /tmp/\u001B[31mred"],
            logs.Entries.Select(entry => entry.Message));
    }
}
