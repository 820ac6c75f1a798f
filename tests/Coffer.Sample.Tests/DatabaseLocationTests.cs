using Coffer.Sample.Tests.Infrastructure;

namespace Coffer.Sample.Tests;

/// <summary>The embedded default started from a working directory other than its content root (<c>--contentRoot</c>).</summary>
public sealed class SqliteDiskAppStartedElsewhere() : SampleApp(new SqliteSampleDatabase(), new DiskSampleStorage(), SampleAppTests.Settings)
{
    protected override bool StartsElsewhere => true;
}

/// <summary>The default SQLite file is under the content root, beside the local storages, wherever the app is started from.</summary>
public sealed class DatabaseLocationTests(SqliteDiskAppStartedElsewhere app) : IClassFixture<SqliteDiskAppStartedElsewhere>
{
    [Fact]
    public async Task The_default_database_is_under_the_content_root_and_nothing_is_written_to_the_working_directory()
    {
        var user = await app.UserAsync("elsewhere");
        await user.UploadFileAsync("elsewhere.txt", TestFiles.Text("elsewhere"), "text/plain");

        Assert.NotEqual(app.ContentRoot, app.WorkingDirectory);
        Assert.True(File.Exists(Path.Combine(app.ContentRoot, "App_Data", "coffer-sample.db")), $"No database under the content root {app.ContentRoot}.");
        Assert.Empty(Directory.EnumerateFileSystemEntries(app.WorkingDirectory, "*", SearchOption.AllDirectories));
    }
}
