using System.Runtime.Versioning;
using Coffer.Sample.Tests.Infrastructure;

namespace Coffer.Sample.Tests;

/// <summary>
/// Issue 10: the embedded default's SQLite database holds password hashes, so it and the files SQLite keeps next to it
/// (-wal, -shm, -journal) are the app user's alone (0600, in a 0700 folder), like the URL signing key.
/// </summary>
[UnsupportedOSPlatform("windows")]
public sealed class DatabaseFileModeTests(SqliteDiskApp app, ITestOutputHelper output) : IClassFixture<SqliteDiskApp>
{
    private const UnixFileMode GroupOrOther =
        UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute
        | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;

    private string AppData => Path.Combine(app.ContentRoot, "App_Data");

    private string Database => Path.Combine(AppData, "coffer-sample.db");

    [Fact]
    public void The_database_file_and_its_folder_are_private_after_start()
    {
        Assert.True(File.Exists(Database), $"The sample app did not create {Database}.");
        AssertPrivate(Database);
        AssertPrivate(AppData);
        AssertFilesNextToTheDatabaseArePrivate();
    }

    [Fact]
    public async Task The_database_and_the_files_next_to_it_stay_private_after_a_sign_up_and_an_upload()
    {
        var user = await app.UserAsync("modes");
        await user.UploadFileAsync("modes.txt", TestFiles.Text("modes"), "text/plain");

        AssertPrivate(Database);
        AssertPrivate(AppData);
        AssertFilesNextToTheDatabaseArePrivate();
    }

    private void AssertFilesNextToTheDatabaseArePrivate()
    {
        var siblings = Directory.GetFiles(AppData, "coffer-sample.db*");
        output.WriteLine("database files: " + string.Join(", ", siblings.Select(f => $"{Path.GetFileName(f)} {Mode(f)}")));
        Assert.Contains(Database, siblings);
        foreach (string file in siblings)
        {
            AssertPrivate(file);
        }
    }

    private static void AssertPrivate(string path)
    {
        var mode = File.GetUnixFileMode(path);
        Assert.True((mode & GroupOrOther) == 0, $"{path} is {Mode(path)}: group or others have access (expected 0600 for a file, 0700 for a folder).");
    }

    private static string Mode(string path) => Convert.ToString((int)File.GetUnixFileMode(path), 8).PadLeft(4, '0');
}

/// <summary>The embedded default started on a database an earlier version left readable by all (0644, with a 0644 -wal).</summary>
[UnsupportedOSPlatform("windows")]
public sealed class LooseSqliteDiskApp() : SampleApp(new LooseSqliteSampleDatabase(), new DiskSampleStorage(), SampleAppTests.Settings);

/// <summary>Leaves an empty database and journal file readable by all, where the app looks for its database.</summary>
[UnsupportedOSPlatform("windows")]
public sealed class LooseSqliteSampleDatabase : ISampleDatabase
{
    public Task<IReadOnlyDictionary<string, string>> CreateAsync(string contentRoot, CancellationToken cancellationToken)
    {
        string appData = Directory.CreateDirectory(Path.Combine(contentRoot, "App_Data")).FullName;
        foreach (string file in new[] { "coffer-sample.db", "coffer-sample.db-wal" })
        {
            string path = Path.Combine(appData, file);
            File.WriteAllBytes(path, []);
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        }

        return Task.FromResult<IReadOnlyDictionary<string, string>>(new Dictionary<string, string>());
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}

[UnsupportedOSPlatform("windows")]
public sealed class LooseDatabaseFileModeTests(LooseSqliteDiskApp app) : IClassFixture<LooseSqliteDiskApp>
{
    [Fact]
    public void A_database_left_readable_by_all_is_made_private_at_start()
    {
        string appData = Path.Combine(app.ContentRoot, "App_Data");
        foreach (string file in Directory.GetFiles(appData, "coffer-sample.db*"))
        {
            var mode = File.GetUnixFileMode(file);
            Assert.True((mode & (UnixFileMode)0b111_111) == 0, $"{file} is still {Convert.ToString((int)mode, 8)} after start.");
        }
    }
}
