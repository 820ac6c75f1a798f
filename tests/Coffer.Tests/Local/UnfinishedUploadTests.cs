using System.Text;
using Coffer.Local;
using Coffer.Signing;

namespace Coffer.Tests.Local;

/// <summary>
/// What a process that dies mid-save leaves on disk — a <c>.coffer-….tmp</c> file beside where the file was going —
/// is no file for any member, and one sweep removes it.
/// </summary>
public sealed class UnfinishedUploadTests : IDisposable
{
    private readonly TempFolder _folder = new();
    private readonly LocalFileStorage _storage;

    public UnfinishedUploadTests()
    {
        var options = new LocalFileStorageOptions { RootPath = _folder.Path, Location = "private", BaseUrl = "/media/private/" };
        options.SigningKeys.Add(new UrlSigningKey { Id = "k1", Secret = Convert.ToBase64String(new byte[32]) });
        _storage = new LocalFileStorage("private", options);
    }

    public void Dispose() => _folder.Dispose();

    /// <summary>
    /// Starts a save whose content stalls after its first bytes and never goes on: on disk, exactly what a process
    /// killed at that moment leaves, made by the storage's own code. Returns the temporary file it is writing.
    /// </summary>
    private async Task<(Task<string> Save, TaskCompletionSource Gate, string TempFile)> StallAsync()
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var save = _storage.SaveAsync("video.bin", new StalledStream(gate.Task), new() { UploadTo = "files" });
        string folder = Path.Combine(_storage.RootDirectory, "files");
        // Until the first bytes are on disk: after that the save writes nothing more until the gate opens.
        for (int i = 0; i < 300 && !(Directory.Exists(folder) && Directory.GetFiles(folder, ".coffer-*.tmp") is [var file] && new FileInfo(file).Length > 0); i++)
        {
            await Task.Delay(10);
        }

        return (save, gate, Assert.Single(Directory.GetFiles(folder, ".coffer-*.tmp")));
    }

    [Fact]
    public async Task A_stalled_save_is_not_listed_not_a_file_and_one_sweep_removes_its_temporary_file()
    {
        string kept = await _storage.SaveAsync("kept.txt", new MemoryStream("finished"u8.ToArray()), new() { UploadTo = "files" });
        var (save, gate, temp) = await StallAsync();
        string tempName = "files/" + Path.GetFileName(temp);
        File.SetLastWriteTimeUtc(temp, DateTime.UtcNow.AddHours(-2)); // the process died two hours ago

        Assert.Equal([kept["files/".Length..]], (await _storage.ListAsync("files")).Files);
        Assert.Equal(FileNameProblem.Reserved, (await Assert.ThrowsAsync<InvalidFileNameException>(() => _storage.ExistsAsync(tempName))).Problem);
        await Assert.ThrowsAsync<InvalidFileNameException>(() => _storage.GetInfoAsync(tempName));
        await Assert.ThrowsAsync<InvalidFileNameException>(() => _storage.OpenReadAsync(tempName));

        var removed = await _storage.SweepUnfinishedUploadsAsync(TimeSpan.FromHours(1));

        Assert.Equal([temp], removed);
        Assert.False(File.Exists(temp));
        Assert.True(await _storage.ExistsAsync(kept));
        gate.SetResult();
        await Assert.ThrowsAnyAsync<Exception>(() => save); // the "dead" save cannot link a file that is gone
        Assert.Equal([kept["files/".Length..]], (await _storage.ListAsync("files")).Files);
    }

    [Fact]
    public async Task A_sweep_keeps_a_save_still_writing_and_a_dry_run_removes_nothing()
    {
        var (save, gate, temp) = await StallAsync();

        Assert.Empty(await _storage.SweepUnfinishedUploadsAsync(TimeSpan.FromHours(1)));
        File.SetLastWriteTimeUtc(temp, DateTime.UtcNow.AddHours(-2));
        Assert.Equal([temp], await _storage.SweepUnfinishedUploadsAsync(TimeSpan.FromHours(1), dryRun: true));
        Assert.True(File.Exists(temp));

        gate.SetResult();
        string name = await save; // left alone, the save finishes
        Assert.True(await _storage.ExistsAsync(name));
        Assert.Empty(await _storage.SweepUnfinishedUploadsAsync(TimeSpan.Zero));
    }

    [Fact]
    public async Task A_process_killed_mid_save_leaves_a_temporary_file_that_one_sweep_removes()
    {
        string kept = await _storage.SaveAsync("kept.txt", new MemoryStream("finished"u8.ToArray()), new() { UploadTo = "files" });
        await using (var uploader = await CrashUploader.StartLocalAsync(_folder.Path, "private", bytes: 3 * 1024 * 1024))
        {
            await uploader.KillAsync(); // SIGKILL: the save's own clean-up never runs
        }

        string folder = Path.Combine(_storage.RootDirectory, "files");
        string temp = Assert.Single(Directory.GetFiles(folder, ".coffer-*.tmp"));
        Assert.Equal(3 * 1024 * 1024, new FileInfo(temp).Length);
        Assert.Equal([kept["files/".Length..]], (await _storage.ListAsync("files")).Files);
        await Task.Delay(50); // younger than "now" by a margin the file system's clock can see

        var removed = await _storage.SweepUnfinishedUploadsAsync(TimeSpan.Zero);

        Assert.Equal([temp], removed);
        Assert.Equal([Path.Combine(folder, kept["files/".Length..])], Directory.GetFiles(_storage.RootDirectory, "*", SearchOption.AllDirectories));
    }

    /// <summary>Gives a few bytes, then waits for the gate before it gives the rest.</summary>
    private sealed class StalledStream(Task gate) : ForwardOnlyTestStream
    {
        private int _reads;

        public override int Read(Span<byte> buffer) => throw new NotSupportedException("async only");

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            switch (_reads++)
            {
                case 0:
                    return Encoding.ASCII.GetBytes("first bytes", buffer.Span);
                case 1:
                    await gate.WaitAsync(cancellationToken);
                    return Encoding.ASCII.GetBytes(" and the rest", buffer.Span);
                default:
                    return 0;
            }
        }
    }
}
