using Amazon.S3.Model;

namespace Coffer.S3.Tests.Integration;

/// <summary>
/// What a process that dies mid-upload leaves on S3 — the name reservation and the unfinished multipart upload with
/// its parts — is no file for any member, and one sweep removes all of it.
/// </summary>
public sealed class UnfinishedUploadTests(S3Server server) : S3TestBase(server)
{
    private const int MiB = 1024 * 1024;

    private S3FileStorage SmallPartStorage() => CreateStorage(configure: o =>
    {
        o.MultipartThreshold = 5 * MiB;
        o.MultipartPartSize = 5 * MiB;
        o.MultipartConcurrency = 1;
    });

    /// <summary>
    /// Starts a multipart save that stalls after its first part and never goes on: from the store's side, exactly what
    /// a process killed at that moment leaves (the reservation, the upload, its part), made by the storage's own code.
    /// </summary>
    private static async Task<(Task Save, TaskCompletionSource Gate)> StallAsync(S3FileStorage storage, string name)
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var content = new GatedStream(new byte[12 * MiB], gateAt: 6 * MiB, gate.Task);
        var save = storage.SaveAsync(name, content);
        await content.ReachedGate.WaitAsync(TimeSpan.FromSeconds(30));
        return (save, gate);
    }

    private async Task<(List<S3Object> Objects, List<MultipartUpload> Uploads)> WhatIsStoredAsync()
    {
        var objects = await Server.Client.ListObjectsV2Async(new ListObjectsV2Request { BucketName = Bucket });
        var uploads = await Server.Client.ListMultipartUploadsAsync(new ListMultipartUploadsRequest { BucketName = Bucket });
        return (objects.S3Objects ?? [], uploads.MultipartUploads ?? []);
    }

    [Fact]
    public async Task A_stalled_upload_is_not_listed_not_a_file_and_one_sweep_removes_its_reservation_and_parts()
    {
        var storage = SmallPartStorage();
        string kept = await storage.SaveAsync("kept.txt", new MemoryStream("a finished file"u8.ToArray()));
        var (save, gate) = await StallAsync(storage, "video.bin");
        var (objects, uploads) = await WhatIsStoredAsync();
        var reservation = Assert.Single(objects, o => o.Size == 0);
        Assert.Single(uploads);
        string reserved = reservation.Key; // the storage's location is empty here: the key is the name

        Assert.Equal([kept], (await storage.ListAsync("")).Files);
        Assert.False(await storage.ExistsAsync(reserved));
        Assert.False((await storage.GetInfoAsync(reserved)).Exists);
        await Assert.ThrowsAsync<FileNotFoundException>(() => storage.OpenReadAsync(reserved));

        await SweepLeavesOnlyAsync(storage, kept);
        gate.SetResult(); // the "dead" save wakes up to find its upload gone, and fails without leaving anything
        await Assert.ThrowsAnyAsync<Exception>(() => save);
        Assert.Equal([kept], (await WhatIsStoredAsync()).Objects.Select(o => o.Key));
    }

    [Fact]
    public async Task A_sweep_keeps_uploads_younger_than_its_grace_period_and_a_dry_run_removes_nothing()
    {
        var storage = SmallPartStorage();
        var (save, gate) = await StallAsync(storage, "video.bin");

        Assert.Empty(await storage.SweepUnfinishedUploadsAsync(TimeSpan.FromHours(1)));
        await Task.Delay(TimeSpan.FromSeconds(1.1));
        Assert.Equal(2, (await storage.SweepUnfinishedUploadsAsync(TimeSpan.Zero, dryRun: true)).Count);
        var (objects, uploads) = await WhatIsStoredAsync();
        Assert.Single(objects);
        Assert.Single(uploads);

        gate.SetResult();
        await save; // the upload was left alone, so it finishes
        Assert.Single((await storage.ListAsync("")).Files);
    }

    [Fact]
    public async Task A_process_killed_mid_upload_leaves_a_reservation_and_parts_that_one_sweep_removes()
    {
        var storage = SmallPartStorage();
        string kept = await storage.SaveAsync("kept.txt", new MemoryStream("a finished file"u8.ToArray()));
        await using (var uploader = await CrashUploader.StartS3Async(Server.Endpoint, Server.AccessKey, Server.SecretKey, Bucket, location: "", bytes: 12 * MiB))
        {
            await WaitForPartAsync(); // at least one 5 MiB part is stored before the kill
            await uploader.KillAsync(); // SIGKILL: no abort, no delete of the reservation
        }

        var (objects, uploads) = await WhatIsStoredAsync();
        Assert.Single(uploads);
        Assert.Single(objects, o => o.Size == 0); // the name reservation
        Assert.Equal([kept], (await storage.ListAsync("")).Files);

        await SweepLeavesOnlyAsync(storage, kept);
    }

    /// <summary>One sweep removes the reservation and the multipart upload, and leaves the finished file alone.</summary>
    private async Task SweepLeavesOnlyAsync(S3FileStorage storage, string kept)
    {
        await Task.Delay(TimeSpan.FromSeconds(1.1)); // S3 times have whole seconds
        var removed = await storage.SweepUnfinishedUploadsAsync(TimeSpan.Zero);

        Assert.Equal(2, removed.Count);
        var (objects, uploads) = await WhatIsStoredAsync();
        Assert.Empty(uploads);
        Assert.Equal([kept], objects.Select(o => o.Key));
    }

    private async Task WaitForPartAsync()
    {
        for (int attempt = 0; attempt < 300; attempt++)
        {
            var uploads = (await WhatIsStoredAsync()).Uploads;
            if (uploads is [var upload])
            {
                var parts = await Server.Client.ListPartsAsync(new ListPartsRequest { BucketName = Bucket, Key = upload.Key, UploadId = upload.UploadId });
                if (parts.Parts is { Count: > 0 })
                {
                    return;
                }
            }

            await Task.Delay(100);
        }

        throw new TimeoutException("The crash uploader stored no part within 30 s.");
    }

    [Fact]
    public async Task An_empty_file_is_listed_and_never_swept()
    {
        var storage = CreateStorage(configure: o => o.AllowEmptyFiles = true);
        string name = await storage.SaveAsync("empty.txt", new MemoryStream());

        await Task.Delay(TimeSpan.FromSeconds(1.1));
        Assert.Empty(await storage.SweepUnfinishedUploadsAsync(TimeSpan.Zero));
        Assert.Equal([name], (await storage.ListAsync("")).Files);
    }
}
