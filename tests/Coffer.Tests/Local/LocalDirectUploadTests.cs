using System.Text;
using Coffer.Local;
using Coffer.Signing;

namespace Coffer.Tests.Local;

/// <summary>
/// Direct uploads in parts to local disk, at the storage: the parts wait in a hidden folder that no member shows, a
/// part counts once it arrived whole, and completing puts them together under the name without replacing any file.
/// </summary>
public sealed class LocalDirectUploadTests : IDisposable
{
    private const int MiB = 1024 * 1024;

    /// <summary>Two whole parts of 8 MiB and a last one of 5 bytes.</summary>
    private static readonly byte[] Content = MakeContent(2 * 8 * MiB + 5);

    private readonly TempFolder _folder = new();
    private readonly LocalFileStorage _storage;

    public LocalDirectUploadTests() => _storage = Create(FileVisibility.Private);

    public void Dispose() => _folder.Dispose();

    private LocalFileStorage Create(FileVisibility visibility)
    {
        var options = new LocalFileStorageOptions { RootPath = _folder.Path, Location = "private", BaseUrl = "/coffer/private/", Visibility = visibility };
        if (visibility == FileVisibility.Private)
        {
            options.SigningKeys.Add(new UrlSigningKey { Id = "k1", Secret = Convert.ToBase64String(new byte[32]) });
        }

        return new LocalFileStorage("private", options);
    }

    private static byte[] MakeContent(int length)
    {
        var bytes = new byte[length];
        new Random(11).NextBytes(bytes);
        return bytes;
    }

    private async Task<(string Name, DirectUploadPlan Plan)> StartAsync(string fileName = "holiday.mov", long? length = null)
    {
        string name = _storage.GetSaveName(fileName, new() { UploadTo = "uploads" });
        var plan = await _storage.StartDirectUploadAsync(name, length ?? Content.Length, "video/quicktime", TimeSpan.FromHours(1));
        return (name, plan);
    }

    private Task<string> SendAsync(string name, DirectUploadPlan plan, int partNumber, byte[]? content = null)
    {
        content ??= Content;
        long length = plan.GetPartLength(partNumber, content.Length);
        var body = new MemoryStream(content, (int)((partNumber - 1) * plan.PartSize), (int)length, writable: false);
        return _storage.SaveDirectUploadPartAsync(name, plan.UploadId!, partNumber, length, body);
    }

    private string UploadsFolder => Path.Combine(_storage.RootDirectory, ".coffer-uploads");

    private string[] UploadFolders() =>
        Directory.Exists(UploadsFolder) ? Directory.GetDirectories(UploadsFolder).SelectMany(Directory.GetDirectories).ToArray() : [];

    private async Task<byte[]> ReadAsync(string name)
    {
        await using var stream = await _storage.OpenReadAsync(name);
        using var copy = new MemoryStream();
        await stream.CopyToAsync(copy);
        return copy.ToArray();
    }

    [Fact]
    public async Task Start_plans_parts_of_8_MiB_and_nothing_is_visible_under_the_name()
    {
        var (name, plan) = await StartAsync();

        Assert.Equal(DirectUploadMethod.Parts, plan.Method);
        Assert.Equal(8 * MiB, plan.PartSize);
        Assert.Equal(3, plan.PartCount);
        Assert.Equal(5, plan.GetPartLength(3, Content.Length));
        Assert.Matches("^[0-9a-f]{32}$", plan.UploadId);
        Assert.False(await _storage.ExistsAsync(name));
        Assert.Empty(await _storage.ListDirectUploadPartsAsync(name, plan.UploadId!));
        Assert.Single(UploadFolders());
    }

    [Fact]
    public async Task Two_starts_of_one_name_are_two_uploads()
    {
        var (name, first) = await StartAsync();
        var second = await _storage.StartDirectUploadAsync(name, Content.Length, "video/quicktime", TimeSpan.FromHours(1));

        await SendAsync(name, first, 1);

        Assert.NotEqual(first.UploadId, second.UploadId);
        Assert.Single(await _storage.ListDirectUploadPartsAsync(name, first.UploadId!));
        Assert.Empty(await _storage.ListDirectUploadPartsAsync(name, second.UploadId!));
    }

    [Fact]
    public async Task The_list_holds_only_parts_that_arrived_whole()
    {
        var (name, plan) = await StartAsync();
        await SendAsync(name, plan, 3);
        await SendAsync(name, plan, 1);
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var stop = new CancellationTokenSource();
        var stalled = _storage.SaveDirectUploadPartAsync(name, plan.UploadId!, 2, plan.PartSize, new StalledStream(gate.Task), stop.Token);
        string uploadFolder = Assert.Single(UploadFolders());
        for (int i = 0; i < 300 && Directory.GetFiles(uploadFolder, "2.*.partial").Length == 0; i++)
        {
            await Task.Delay(10);
        }

        var parts = await _storage.ListDirectUploadPartsAsync(name, plan.UploadId!);

        Assert.Equal([new UploadedPart(1, 8 * MiB), new UploadedPart(3, 5)], parts);
        Assert.Single(Directory.GetFiles(uploadFolder, "2.*.partial")); // the stalled part is on its way, and not listed
        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => stalled);
        Assert.Empty(Directory.GetFiles(uploadFolder, "*.partial")); // a part that never arrived whole leaves nothing
        Assert.Equal(parts, await _storage.ListDirectUploadPartsAsync(name, plan.UploadId!));
    }

    [Fact]
    public async Task Complete_puts_the_parts_together_in_order_under_the_name_and_removes_them()
    {
        var (name, plan) = await StartAsync();
        foreach (int part in new[] { 3, 1, 2 })
        {
            await SendAsync(name, plan, part);
        }

        await _storage.CompleteDirectUploadAsync(name, plan.UploadId!, Content.Length);

        Assert.Equal(Content, await ReadAsync(name));
        Assert.Empty(UploadFolders());
        Assert.Empty(Directory.GetFileSystemEntries(UploadsFolder)); // the name's folder went with its last upload
        await Assert.ThrowsAsync<FileNotFoundException>(() => _storage.ListDirectUploadPartsAsync(name, plan.UploadId!));
        await Assert.ThrowsAsync<FileNotFoundException>(() => _storage.CompleteDirectUploadAsync(name, plan.UploadId!, Content.Length));
        Assert.Empty(Directory.GetFiles(_storage.RootDirectory, ".coffer-*.tmp", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task A_part_sent_twice_replaces_itself()
    {
        var (name, plan) = await StartAsync();
        var other = (byte[])Content.Clone();
        other[0] ^= 0xff;
        await SendAsync(name, plan, 1, other);
        await SendAsync(name, plan, 1);
        await SendAsync(name, plan, 2);
        await SendAsync(name, plan, 3);

        await _storage.CompleteDirectUploadAsync(name, plan.UploadId!, Content.Length);

        Assert.Equal(Content, await ReadAsync(name));
    }

    [Fact]
    public async Task Complete_with_a_part_missing_is_incomplete_and_keeps_the_parts_for_the_client_to_resume()
    {
        var (name, plan) = await StartAsync();
        await SendAsync(name, plan, 1);
        await SendAsync(name, plan, 3);

        var ex = await Assert.ThrowsAsync<UploadTicketException>(() => _storage.CompleteDirectUploadAsync(name, plan.UploadId!, Content.Length));

        Assert.Equal(UploadTicketProblem.Incomplete, ex.Problem);
        Assert.Contains("1 of its 3 parts", ex.Message, StringComparison.Ordinal);
        Assert.False(await _storage.ExistsAsync(name));
        Assert.Equal([1, 3], (await _storage.ListDirectUploadPartsAsync(name, plan.UploadId!)).Select(p => p.Number));

        await SendAsync(name, plan, 2);
        await _storage.CompleteDirectUploadAsync(name, plan.UploadId!, Content.Length);
        Assert.Equal(Content, await ReadAsync(name));
    }

    [Fact]
    public async Task Complete_with_more_bytes_than_declared_aborts_the_upload()
    {
        var (name, plan) = await StartAsync();
        for (int part = 1; part <= plan.PartCount; part++)
        {
            await SendAsync(name, plan, part);
        }

        var ex = await Assert.ThrowsAsync<InvalidFileContentException>(() => _storage.CompleteDirectUploadAsync(name, plan.UploadId!, Content.Length - 1));

        Assert.Equal(FileContentProblem.TooLarge, ex.Problem);
        Assert.False(await _storage.ExistsAsync(name));
        Assert.Empty(UploadFolders());
        await Assert.ThrowsAsync<FileNotFoundException>(() => _storage.ListDirectUploadPartsAsync(name, plan.UploadId!));
    }

    [Fact]
    public async Task Complete_never_replaces_a_file_stored_under_the_name()
    {
        var (name, plan) = await StartAsync();
        await _storage.SaveAsync(name, new MemoryStream("already here"u8.ToArray()), new() { ExactName = true });
        for (int part = 1; part <= plan.PartCount; part++)
        {
            await SendAsync(name, plan, part);
        }

        var ex = await Assert.ThrowsAsync<UploadTicketException>(() => _storage.CompleteDirectUploadAsync(name, plan.UploadId!, Content.Length));

        Assert.Equal(UploadTicketProblem.AlreadyCommitted, ex.Problem);
        Assert.Equal("already here"u8.ToArray(), await ReadAsync(name));
        Assert.Empty(Directory.GetFiles(_storage.RootDirectory, ".coffer-*.tmp", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task A_part_longer_than_signed_is_refused_at_the_extra_byte_and_nothing_of_it_is_kept()
    {
        var (name, plan) = await StartAsync();
        var body = new NonSeekableStream(new byte[5 + 1]);

        var ex = await Assert.ThrowsAsync<InvalidFileContentException>(() => _storage.SaveDirectUploadPartAsync(name, plan.UploadId!, 3, 5, body));

        Assert.Equal(FileContentProblem.TooLarge, ex.Problem);
        Assert.Empty(await _storage.ListDirectUploadPartsAsync(name, plan.UploadId!));
        Assert.Empty(Directory.GetFiles(Assert.Single(UploadFolders()), "*.partial"));
    }

    [Fact]
    public async Task A_part_cut_short_is_refused_and_nothing_of_it_is_kept()
    {
        var (name, plan) = await StartAsync();

        await Assert.ThrowsAsync<EndOfStreamException>(() => _storage.SaveDirectUploadPartAsync(name, plan.UploadId!, 3, 5, new NonSeekableStream(new byte[4])));

        Assert.Empty(await _storage.ListDirectUploadPartsAsync(name, plan.UploadId!));
        Assert.Empty(Directory.GetFiles(Assert.Single(UploadFolders()), "*.partial"));
    }

    [Theory]
    [InlineData(4, 5)] // no such part
    [InlineData(3, 6)] // another length than planned
    [InlineData(1, 5)]
    public async Task A_part_the_plan_does_not_have_is_refused(int partNumber, long partLength)
    {
        var (name, plan) = await StartAsync();

        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() =>
            _storage.SaveDirectUploadPartAsync(name, plan.UploadId!, partNumber, partLength, new MemoryStream(new byte[partLength])));

        Assert.Empty(await _storage.ListDirectUploadPartsAsync(name, plan.UploadId!));
    }

    [Theory]
    [InlineData("0123456789abcdef0123456789abcdef")] // well formed, never started
    [InlineData("../../../../etc")]
    [InlineData("0123456789ABCDEF0123456789ABCDEF")]
    public async Task An_upload_id_the_storage_did_not_start_is_no_upload(string uploadId)
    {
        var (name, _) = await StartAsync();

        await Assert.ThrowsAsync<FileNotFoundException>(() => _storage.ListDirectUploadPartsAsync(name, uploadId));
        await Assert.ThrowsAsync<FileNotFoundException>(() => _storage.CompleteDirectUploadAsync(name, uploadId, Content.Length));
        await Assert.ThrowsAsync<FileNotFoundException>(() => _storage.SaveDirectUploadPartAsync(name, uploadId, 3, 5, new MemoryStream(new byte[5])));
        await _storage.AbortDirectUploadAsync(name, uploadId); // nothing to abort is not an error
        Assert.Single(UploadFolders());
    }

    [Fact]
    public async Task An_upload_is_bound_to_its_name()
    {
        var (name, plan) = await StartAsync();
        var (other, _) = await StartAsync("other.mov");

        await Assert.ThrowsAsync<FileNotFoundException>(() => _storage.ListDirectUploadPartsAsync(other, plan.UploadId!));
        await Assert.ThrowsAsync<FileNotFoundException>(() => _storage.SaveDirectUploadPartAsync(other, plan.UploadId!, 3, 5, new MemoryStream(new byte[5])));
        Assert.Empty(await _storage.ListDirectUploadPartsAsync(name, plan.UploadId!));
    }

    [Fact]
    public async Task Abort_by_name_removes_every_unfinished_upload_of_the_name_and_no_other()
    {
        var (name, first) = await StartAsync();
        var second = await _storage.StartDirectUploadAsync(name, Content.Length, "video/quicktime", TimeSpan.FromHours(1));
        var (other, otherPlan) = await StartAsync("other.mov");
        await SendAsync(name, first, 1);
        await SendAsync(name, second, 2);
        await SendAsync(other, otherPlan, 3);

        await _storage.AbortDirectUploadAsync(name, uploadId: null);

        await Assert.ThrowsAsync<FileNotFoundException>(() => _storage.ListDirectUploadPartsAsync(name, first.UploadId!));
        await Assert.ThrowsAsync<FileNotFoundException>(() => _storage.ListDirectUploadPartsAsync(name, second.UploadId!));
        Assert.Equal([new UploadedPart(3, 5)], await _storage.ListDirectUploadPartsAsync(other, otherPlan.UploadId!));
        Assert.Single(UploadFolders());
    }

    [Fact]
    public async Task Abort_of_one_upload_removes_its_parts_and_then_a_part_or_complete_finds_no_upload()
    {
        var (name, plan) = await StartAsync();
        await SendAsync(name, plan, 1);

        await _storage.AbortDirectUploadAsync(name, plan.UploadId);

        Assert.Empty(UploadFolders());
        await Assert.ThrowsAsync<FileNotFoundException>(() => SendAsync(name, plan, 2));
        await Assert.ThrowsAsync<FileNotFoundException>(() => _storage.CompleteDirectUploadAsync(name, plan.UploadId!, Content.Length));
    }

    [Fact]
    public async Task The_sweep_removes_upload_folders_nothing_was_written_to_since_the_cutoff()
    {
        var (name, old) = await StartAsync();
        await SendAsync(name, old, 3);
        var (fresh, freshPlan) = await StartAsync("fresh.mov");
        string oldFolder = UploadFolders().Single(f => f.EndsWith(old.UploadId!, StringComparison.Ordinal));
        foreach (string entry in Directory.GetFiles(oldFolder).Append(oldFolder))
        {
            File.SetLastWriteTimeUtc(entry, DateTime.UtcNow.AddHours(-2)); // the client left two hours ago
        }

        Assert.Equal([oldFolder], await _storage.SweepUnfinishedUploadsAsync(TimeSpan.FromHours(1), dryRun: true));
        Assert.Equal(2, UploadFolders().Length);
        var removed = await _storage.SweepUnfinishedUploadsAsync(TimeSpan.FromHours(1));

        Assert.Equal([oldFolder], removed);
        await Assert.ThrowsAsync<FileNotFoundException>(() => _storage.ListDirectUploadPartsAsync(name, old.UploadId!));
        Assert.Empty(await _storage.ListDirectUploadPartsAsync(fresh, freshPlan.UploadId!));
        Assert.Single(Directory.GetDirectories(UploadsFolder)); // the old name's folder went with its upload
    }

    [Fact]
    public async Task A_part_written_recently_keeps_an_old_upload_from_the_sweep()
    {
        var (name, plan) = await StartAsync();
        string folder = Assert.Single(UploadFolders());
        File.SetLastWriteTimeUtc(Path.Combine(folder, "upload"), DateTime.UtcNow.AddHours(-2));
        Directory.SetLastWriteTimeUtc(folder, DateTime.UtcNow.AddHours(-2));
        await SendAsync(name, plan, 3);
        Directory.SetLastWriteTimeUtc(folder, DateTime.UtcNow.AddHours(-2));

        Assert.Empty(await _storage.SweepUnfinishedUploadsAsync(TimeSpan.FromHours(1)));
        Assert.Single(await _storage.ListDirectUploadPartsAsync(name, plan.UploadId!));
    }

    [Fact]
    public async Task Listings_and_lookups_never_show_the_uploads_folder()
    {
        var (name, plan) = await StartAsync();
        await SendAsync(name, plan, 3);
        await _storage.SaveAsync("kept.txt", new MemoryStream("kept"u8.ToArray()), new() { ExactName = true });
        Assert.True(Directory.Exists(UploadsFolder));
        string partName = Path.GetRelativePath(_storage.RootDirectory, Path.Combine(Assert.Single(UploadFolders()), "3.part")).Replace('\\', '/');

        var root = await _storage.ListAsync("");

        Assert.Empty(root.Directories);
        Assert.Equal(["kept.txt"], root.Files);
        foreach (string hidden in new[] { ".coffer-uploads", partName })
        {
            Assert.Equal(FileNameProblem.Reserved, (await Assert.ThrowsAsync<InvalidFileNameException>(() => _storage.ExistsAsync(hidden))).Problem);
            await Assert.ThrowsAsync<InvalidFileNameException>(() => _storage.GetInfoAsync(hidden));
            await Assert.ThrowsAsync<InvalidFileNameException>(() => _storage.OpenReadAsync(hidden));
            await Assert.ThrowsAsync<InvalidFileNameException>(() => _storage.ListAsync(hidden));
        }
    }

    [Fact]
    public async Task A_part_url_is_on_the_storage_base_and_signed_for_its_upload_part_and_length_only()
    {
        var (name, plan) = await StartAsync();
        var url = _storage.GetDirectUploadPartUrl(name, plan.UploadId!, 3, 5, TimeSpan.FromMinutes(10));
        var query = ParseQuery(url.Url);

        Assert.StartsWith("/coffer/private/" + name + "?upload=" + plan.UploadId + "&part=3&len=5&exp=", url.Url, StringComparison.Ordinal);
        Assert.NotNull(url.ExpiresAt);
        Assert.Equal(UrlSignatureStatus.Valid, _storage.VerifyDirectUploadPartUrl(name, Part(query)));
        Assert.Equal(UrlSignatureStatus.Tampered, _storage.VerifyDirectUploadPartUrl(name, Part(query, ("part", "2"))));
        Assert.Equal(UrlSignatureStatus.Tampered, _storage.VerifyDirectUploadPartUrl(name, Part(query, ("len", "6"))));
        Assert.Equal(UrlSignatureStatus.Tampered, _storage.VerifyDirectUploadPartUrl(name, Part(query, ("upload", "0123456789abcdef0123456789abcdef"))));
        Assert.Equal(UrlSignatureStatus.Tampered, _storage.VerifyDirectUploadPartUrl(name + "x", Part(query)));
        Assert.Equal(UrlSignatureStatus.Malformed, _storage.VerifyDirectUploadPartUrl(name, Part(query, ("part", "03"))));
        Assert.Equal(UrlSignatureStatus.Malformed, _storage.VerifyDirectUploadPartUrl(name, Part(query, ("len", "+5"))));
        // Neither kind of URL works as the other.
        Assert.Equal(UrlSignatureStatus.Tampered, _storage.VerifyUrl(name, SignedUrlQuery.From(k => query.GetValueOrDefault(k))));
        var download = ParseQuery(_storage.GetUrl(name).Url);
        Assert.Equal(UrlSignatureStatus.Malformed, _storage.VerifyDirectUploadPartUrl(name, Part(download)));
        Assert.Equal(UrlSignatureStatus.Tampered, _storage.VerifyDirectUploadPartUrl(name,
            Part(download, ("upload", plan.UploadId!), ("part", "3"), ("len", "5"))));
    }

    [Fact]
    public async Task A_public_storage_takes_no_direct_uploads()
    {
        var storage = Create(FileVisibility.Public);

        Assert.False(storage.SupportsDirectUploads);
        var ex = await Assert.ThrowsAsync<NotSupportedException>(() => storage.StartDirectUploadAsync("a.bin", 10, "application/octet-stream", TimeSpan.FromHours(1)));
        Assert.Contains("does not take direct uploads", ex.Message, StringComparison.Ordinal);
        Assert.Throws<NotSupportedException>(() => storage.GetDirectUploadPartUrl("a.bin", "0123456789abcdef0123456789abcdef", 1, 10, TimeSpan.FromHours(1)));
        await Assert.ThrowsAsync<NotSupportedException>(() => storage.SaveDirectUploadPartAsync("a.bin", "0123456789abcdef0123456789abcdef", 1, 1, new MemoryStream(new byte[1])));
    }

    [Fact]
    public async Task A_file_of_many_parts_gets_parts_large_enough_to_stay_within_10000()
    {
        // 100 GiB in 8 MiB parts would be 12,800 parts; nothing is written but the plan.
        var (_, plan) = await StartAsync(length: 100L * 1024 * MiB);

        Assert.True(plan.PartCount <= 10_000);
        Assert.Equal(11 * MiB, plan.PartSize);
    }

    private static Dictionary<string, string> ParseQuery(string url) => url[(url.IndexOf('?', StringComparison.Ordinal) + 1)..]
        .Split('&')
        .Select(pair => pair.Split('=', 2))
        .ToDictionary(pair => pair[0], pair => Uri.UnescapeDataString(pair[1]), StringComparer.Ordinal);

    private static DirectUploadPartQuery Part(Dictionary<string, string> query, params (string Key, string Value)[] changes)
    {
        var changed = new Dictionary<string, string>(query, StringComparer.Ordinal);
        foreach (var (key, value) in changes)
        {
            changed[key] = value;
        }

        return DirectUploadPartQuery.From(key => changed.GetValueOrDefault(key));
    }

    /// <summary>Gives a few bytes, then waits for the gate (or the token) before it gives anything more.</summary>
    private sealed class StalledStream(Task gate) : ForwardOnlyTestStream
    {
        private int _reads;

        public override int Read(Span<byte> buffer) => throw new NotSupportedException("async only");

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (_reads++ == 0)
            {
                return Encoding.ASCII.GetBytes("first bytes", buffer.Span);
            }

            await gate.WaitAsync(cancellationToken);
            return 0;
        }
    }
}
