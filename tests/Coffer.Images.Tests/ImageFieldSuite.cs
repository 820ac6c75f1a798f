using System.Collections.Concurrent;
using System.Diagnostics;
using Coffer.EntityFrameworkCore;
using Coffer.EntityFrameworkCore.Tests.Infrastructure;
using Coffer.Images.Tests.Infrastructure;
using MetadataExtractor;
using MetadataExtractor.Formats.Exif;
using Microsoft.EntityFrameworkCore;

namespace Coffer.Images.Tests;

/// <summary>
/// The image-field suite. It runs once per database and storage pair (see <c>ImageFieldSuites.cs</c>); each test writes
/// under a folder of its own.
/// </summary>
public abstract class ImageFieldSuite(ImageFieldFixture fixture)
{
    private readonly string _folder = "i" + Guid.NewGuid().ToString("N")[..10];

    protected ImageFieldFixture Fixture { get; } = fixture;

    [Fact]
    public async Task Saving_an_image_fills_width_and_height_as_shown_with_the_orientation_applied()
    {
        var photo = NewPhoto(TestImages.JpegWithExif(orientation: 6, withGps: true, 400, 200), "holiday.jpg");

        await SaveAsync(photo);

        Assert.Equal((200, 400), (photo.Width, photo.Height));
        await using var db = Fixture.CreateContext();
        var loaded = await db.Photos.SingleAsync(p => p.Id == photo.Id);
        Assert.Equal((200, 400), (loaded.Width, loaded.Height));
    }

    [Fact]
    public async Task The_stored_original_has_no_gps_position_but_keeps_its_orientation()
    {
        var photo = NewPhoto(TestImages.JpegWithExif(orientation: 6, withGps: true), "holiday.jpg");

        await SaveAsync(photo);

        await using var stored = await ReadAsync(Fixture.Private, photo.Image.Name!);
        AssertNoGpsButOrientation(stored, 6);
    }

    [Fact]
    public async Task A_webp_whose_exif_chunk_holds_a_gps_position_is_stored_without_it_but_keeps_its_orientation()
    {
        var photo = NewPhoto(TestImages.WebpWithExif(orientation: 6), "phone.webp");

        await SaveAsync(photo);

        Assert.Equal((80, 120), (photo.Width, photo.Height));
        await using var stored = await ReadAsync(Fixture.Private, photo.Image.Name!);
        AssertNoGpsButOrientation(stored, 6);
    }

    [Fact]
    public async Task A_gif_whose_xmp_holds_a_place_is_stored_without_it()
    {
        var photo = NewPhoto(TestImages.GifWithXmp(), "animated.gif");

        await SaveAsync(photo);

        await using var stored = await ReadAsync(Fixture.Private, photo.Image.Name!);
        Assert.DoesNotContain("Paris", TestImages.XmpAndComments(stored), StringComparison.Ordinal);
        Assert.DoesNotContain("GPS", System.Text.Encoding.ASCII.GetString(stored.ToArray()), StringComparison.Ordinal);
        Assert.Equal((60, 40), (photo.Width, photo.Height));
    }

    [Fact]
    public async Task Variants_are_stored_beside_the_original_and_their_urls_are_signed_like_it()
    {
        var photo = NewPhoto(TestImages.Encode(ImageFormat.Jpeg, 3000, 2000), "big.jpg");

        await SaveAsync(photo);

        var thumb = photo.Image.Variant("thumb");
        Assert.Equal(photo.Image.Name + "~thumb.webp", thumb.Name);
        Assert.Equal(photo.Image.Name + "~preview.jpg", photo.Image.Variant("preview").Name);
        Assert.StartsWith(Fixture.StorageFactory.PrivateUrlPrefix + _folder + "/", thumb.Url, StringComparison.Ordinal);
        Assert.Contains(Fixture.StorageFactory.SignatureParameter, thumb.Url, StringComparison.Ordinal);
        await using var stored = await ReadAsync(Fixture.Private, thumb.Name!);
        var info = new ImageProcessor().Inspect(stored);
        Assert.Equal((ImageFormat.Webp, 256, 256), (info.Format, info.Width, info.Height));
        Assert.Equal(["preview", "thumb"], photo.Image.VariantKeys.Order());
    }

    [Fact]
    public async Task A_loaded_field_gives_variant_urls_without_any_storage_call()
    {
        var photo = NewPhoto(TestImages.Encode(ImageFormat.Png, 300, 300), "p.png");
        await SaveAsync(photo);

        await using var db = Fixture.CreateContext();
        var loaded = await db.Photos.AsNoTracking().SingleAsync(p => p.Id == photo.Id);

        Assert.Contains("~thumb.webp", loaded.Image.Variant("thumb").Url, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => loaded.Image.Variant("huge"));
    }

    [Fact]
    public async Task A_text_file_named_png_is_refused_and_nothing_is_stored()
    {
        var photo = NewPhoto(TestImages.Text("not an image"), "notes.png");

        await using var db = Fixture.CreateContext();
        db.Add(photo);
        var ex = await Assert.ThrowsAsync<InvalidFileContentException>(() => db.SaveChangesAsync());

        Assert.Equal(FileContentProblem.NotAnImage, ex.Problem);
        Assert.Empty(await ListAsync(Fixture.Private));
    }

    [Fact]
    public async Task A_header_bomb_is_refused_with_a_clear_message()
    {
        var photo = NewPhoto(TestImages.PngHeaderClaiming(60_000, 60_000), "bomb.png");

        await using var db = Fixture.CreateContext();
        db.Add(photo);
        var ex = await Assert.ThrowsAsync<InvalidFileContentException>(() => db.SaveChangesAsync());

        Assert.Equal(FileContentProblem.ImageTooLarge, ex.Problem);
        Assert.Empty(await ListAsync(Fixture.Private));
    }

    [Fact]
    public async Task A_png_named_jpg_is_stored_under_its_real_extension()
    {
        var photo = NewPhoto(TestImages.Encode(ImageFormat.Png, 50, 40), "picture.jpg");

        await SaveAsync(photo);

        Assert.EndsWith("/picture.png", photo.Image.Name, StringComparison.Ordinal);
        Assert.Equal((50, 40), (photo.Width, photo.Height));
    }

    [Fact]
    public async Task A_save_the_database_refuses_leaves_neither_original_nor_variants()
    {
        await SaveAsync(NewPhoto(TestImages.Encode(ImageFormat.Jpeg), "first.jpg", title: "same"));
        var before = await ListAsync(Fixture.Private);

        await using var db = Fixture.CreateContext();
        db.Add(NewPhoto(TestImages.Encode(ImageFormat.Jpeg), "second.jpg", title: "same"));
        await Assert.ThrowsAsync<DbUpdateException>(() => db.SaveChangesAsync());

        Assert.Equal(before, await ListAsync(Fixture.Private));
        Assert.Equal(3, before.Count); // the first photo and its two variants
    }

    [Fact]
    public async Task A_rolled_back_transaction_removes_the_variants_with_the_original()
    {
        await using var db = Fixture.CreateContext();
        await using (var transaction = await db.Database.BeginTransactionAsync())
        {
            db.Add(NewPhoto(TestImages.Encode(ImageFormat.Jpeg), "rolled.jpg"));
            await db.SaveChangesAsync();
            Assert.Equal(3, (await ListAsync(Fixture.Private)).Count);
            await transaction.RollbackAsync();
        }

        Assert.Empty(await ListAsync(Fixture.Private));
    }

    [Fact]
    public async Task Deleting_the_row_deletes_the_variants_after_the_commit()
    {
        var photo = NewPhoto(TestImages.Encode(ImageFormat.Jpeg), "gone.jpg");
        await SaveAsync(photo);

        await using var db = Fixture.CreateContext();
        db.Remove(await db.Photos.SingleAsync(p => p.Id == photo.Id));
        await db.SaveChangesAsync();

        Assert.Empty(await ListAsync(Fixture.Private));
    }

    [Fact]
    public async Task Replacing_the_image_replaces_its_variants_and_dimensions()
    {
        var photo = NewPhoto(TestImages.Encode(ImageFormat.Jpeg, 200, 100), "old.jpg");
        await SaveAsync(photo);

        await using var db = Fixture.CreateContext();
        var loaded = await db.Photos.SingleAsync(p => p.Id == photo.Id);
        loaded.Image = StoredFile.FromStream(TestImages.Encode(ImageFormat.Png, 30, 60), "new.png");
        await db.SaveChangesAsync();

        var names = await ListAsync(Fixture.Private);
        Assert.Equal([loaded.Image.Name!, loaded.Image.Variant("preview").Name!, loaded.Image.Variant("thumb").Name!], names);
        Assert.Equal((30, 60), (loaded.Width, loaded.Height));
    }

    [Fact]
    public async Task Clearing_the_field_clears_width_and_height_and_removes_the_files()
    {
        var photo = NewPhoto(TestImages.Encode(ImageFormat.Jpeg), "clear.jpg");
        await SaveAsync(photo);

        await using var db = Fixture.CreateContext();
        var loaded = await db.Photos.SingleAsync(p => p.Id == photo.Id);
        loaded.Image = StoredFile.Empty;
        await db.SaveChangesAsync();

        Assert.Equal((null, null), (loaded.Width, loaded.Height));
        Assert.Empty(await ListAsync(Fixture.Private));
    }

    [Fact]
    public async Task Non_nullable_dimension_properties_are_cleared_to_zero()
    {
        var poster = new Poster { Folder = _folder, Image = StoredFile.FromStream(TestImages.Encode(ImageFormat.Webp, 80, 20), "poster.webp") };
        await using var db = Fixture.CreateContext();
        db.Add(poster);
        await db.SaveChangesAsync();
        Assert.Equal((80, 20), (poster.Width, poster.Height));

        poster.Image = StoredFile.Empty;
        await db.SaveChangesAsync();

        Assert.Equal((0, 0), (poster.Width, poster.Height));
    }

    [Fact]
    public async Task A_field_that_accepts_other_files_stores_a_pdf_as_a_plain_file_but_still_refuses_a_truncated_image()
    {
        await using var db = Fixture.CreateContext();
        var pdf = new Poster { Folder = _folder, Image = StoredFile.FromStream(TestImages.Text("%PDF-1.4 not really"), "doc.pdf") };
        db.Add(pdf);
        await db.SaveChangesAsync();

        Assert.Equal((0, 0), (pdf.Width, pdf.Height));
        Assert.Equal([pdf.Image.Name!], await ListAsync(Fixture.Public));

        using var whole = TestImages.Encode(ImageFormat.Jpeg, 400, 300);
        db.Add(new Poster { Folder = _folder, Image = StoredFile.FromStream(TestImages.Truncated(whole), "cut.jpg") });
        await Assert.ThrowsAsync<InvalidFileContentException>(() => db.SaveChangesAsync());
    }

    [Fact]
    public async Task Regenerating_writes_missing_variants_and_can_run_again()
    {
        var photo = NewPhoto(TestImages.Encode(ImageFormat.Jpeg, 600, 400), "regen.jpg");
        await SaveAsync(photo);
        var thumb = photo.Image.Variant("thumb").Name!;
        await Fixture.Private.DeleteAsync(thumb);

        // The table is shared by the class's tests: only this test's rows are counted.
        await using var db = Fixture.CreateContext();
        db.PhotoFolder = _folder;
        var first = await db.RegenerateImageVariantsAsync<Photo>(p => p.Image);
        var second = await db.RegenerateImageVariantsAsync<Photo>(p => p.Image);

        Assert.True(await Fixture.Private.ExistsAsync(thumb));
        Assert.Equal(new VariantRegenerationResult(Done: 1, Skipped: 0, Failed: 0), first);
        Assert.Equal(first, second);
    }

    [Fact]
    public async Task The_sweeper_keeps_the_variants_of_a_referenced_image()
    {
        var photo = NewPhoto(TestImages.Encode(ImageFormat.Jpeg), "kept.jpg");
        await SaveAsync(photo);

        await using var db = Fixture.CreateContext();
        var result = await db.SweepOrphanedFilesAsync("private", new SweepOptions { Directory = _folder, GracePeriod = TimeSpan.Zero });

        Assert.Empty(result.Deleted);
        Assert.Equal(3, result.Referenced);
    }

    // ----- Files that reached the store another way: adopted at commit -----

    [Fact]
    public async Task A_direct_uploaded_jpeg_is_committed_with_its_oriented_dimensions_its_variants_and_no_gps()
    {
        var upload = await DirectUploadAsync("holiday.jpg", TestImages.JpegWithExif(orientation: 6, withGps: true, 400, 200), "image/jpeg");

        var snapshot = new Snapshot { Folder = _folder, Image = StoredFile.FromUpload(upload) };
        await using (var db = Fixture.CreateContext())
        {
            db.Add(snapshot);
            await db.SaveChangesAsync();
        }

        Assert.Equal((200, 400), (snapshot.Width, snapshot.Height));
        await using (var stored = await ReadAsync(Fixture.Vault, snapshot.Image.Name!))
        {
            AssertNoGpsButOrientation(stored, 6);
        }

        await using (var thumb = await ReadAsync(Fixture.Vault, snapshot.Image.Variant("thumb").Name!))
        {
            Assert.Equal((ImageFormat.Webp, 64, 64), Inspect(thumb));
        }

        // The original with its GPS position is gone once the row committed with the stripped copy; nothing is owed.
        Assert.Equal([snapshot.Image.Name!, snapshot.Image.Variant("thumb").Name!], await ListAllAsync(Fixture.Vault));
        Assert.Empty(await LedgerAsync());
        await using (var db = Fixture.CreateContext())
        {
            var loaded = await db.Snapshots.SingleAsync(s => s.Id == snapshot.Id);
            Assert.Equal((snapshot.Image.Name, 200, 400), (loaded.Image.Name, loaded.Width, loaded.Height));
        }
    }

    [Fact]
    public async Task Committing_a_direct_upload_to_an_image_field_asks_the_store_for_the_file_once()
    {
        var upload = await DirectUploadAsync("once.jpg", TestImages.JpegWithExif(orientation: 1, withGps: false, 120, 80), "image/jpeg");
        var snapshot = new Snapshot { Folder = _folder, Image = StoredFile.FromUpload(upload) };

        // Other tests run at the same time: only the storage spans under this test's own trace are counted.
        using var source = new ActivitySource("Coffer.Images.Tests");
        var infos = new ConcurrentQueue<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name == source.Name || s.Name == CofferDiagnostics.ActivitySourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = a => { if (a.OperationName == "coffer.storage.info") { infos.Enqueue(a); } },
        };
        ActivitySource.AddActivityListener(listener);
        ActivityTraceId trace;
        using (var test = source.StartActivity("commit")!)
        {
            trace = test.TraceId;
            await using var db = Fixture.CreateContext();
            db.Add(snapshot);
            await db.SaveChangesAsync();
        }

        Assert.Equal((120, 80), (snapshot.Width, snapshot.Height));
        Assert.Single(infos, a => a.TraceId == trace); // the commit's check; adoption reuses its answer
    }

    [Theory]
    [MemberData(nameof(Impostors))]
    public async Task A_direct_upload_that_is_not_an_accepted_image_is_refused_and_nothing_is_committed(string fileName, string kind, FileContentProblem problem)
    {
        var upload = await DirectUploadAsync(fileName, Impostor(kind), "image/" + Path.GetExtension(fileName)[1..]);

        await using var db = Fixture.CreateContext();
        db.Add(new Snapshot { Folder = _folder, Image = StoredFile.FromUpload(upload) });
        var refused = await Assert.ThrowsAsync<InvalidFileContentException>(() => db.SaveChangesAsync());

        Assert.Equal(problem, refused.Problem);
        Assert.False(await CountSnapshotsAsync() > 0);
        // Only the upload itself is left, still pending: the ledger sweep removes it once its ticket expired.
        Assert.Equal([upload.Name], await ListAllAsync(Fixture.Vault));
        var pending = Assert.Single(await LedgerAsync());
        Assert.Equal((FileLedgerState.Pending, upload.Name), (pending.State, pending.Name));
    }

    [Theory]
    [MemberData(nameof(Impostors))]
    public async Task An_existing_object_that_is_not_an_accepted_image_is_refused_by_name_and_nothing_is_committed(string fileName, string kind, FileContentProblem problem)
    {
        string name = await Fixture.Private.SaveAsync(fileName, Impostor(kind), new FileSaveOptions { UploadTo = _folder });

        await using var db = Fixture.CreateContext();
        db.Add(new Photo { Folder = _folder, Title = _folder, Image = StoredFile.FromName(name) });
        var refused = await Assert.ThrowsAsync<InvalidFileContentException>(() => db.SaveChangesAsync());

        Assert.Equal(problem, refused.Problem);
        Assert.False(await db.Photos.AnyAsync(p => p.Folder == _folder));
        Assert.Equal([name], await ListAllAsync(Fixture.Private)); // left as it was, with no variant
    }

    public static TheoryData<string, string, FileContentProblem> Impostors => new()
    {
        { "notes.jpg", "text", FileContentProblem.NotAnImage },
        { "bomb.png", "bomb", FileContentProblem.ImageTooLarge },
        { "picture.jpg", "png", FileContentProblem.NotAnImage },
    };

    [Fact]
    public async Task An_existing_jpeg_with_gps_assigned_by_name_is_kept_as_a_copy_without_it_and_the_object_is_left_as_it_was()
    {
        using var original = TestImages.JpegWithExif(orientation: 6, withGps: true, 400, 200);
        string name = await Fixture.Private.SaveAsync("camera.jpg", new MemoryStream(original.ToArray()), new FileSaveOptions { UploadTo = _folder + "/incoming" });

        var photo = new Photo { Folder = _folder, Title = _folder, Image = StoredFile.FromName(name) };
        await using (var db = Fixture.CreateContext())
        {
            db.Add(photo);
            await db.SaveChangesAsync();
        }

        Assert.NotEqual(name, photo.Image.Name);
        Assert.Equal($"{_folder}/camera.jpg", photo.Image.Name);
        Assert.Equal((200, 400), (photo.Width, photo.Height));
        await using (var stored = await ReadAsync(Fixture.Private, photo.Image.Name!))
        {
            Assert.Empty(ImageMetadataReader.ReadMetadata(stored).OfType<GpsDirectory>());
        }

        // The named object may be another row's, or behind a link someone holds: it is not changed, nor deleted.
        await using (var untouched = await ReadAsync(Fixture.Private, name))
        {
            Assert.Equal(original.ToArray(), untouched.ToArray());
        }

        Assert.True(await Fixture.Private.ExistsAsync(photo.Image.Variant("thumb").Name!));
        Assert.True(await Fixture.Private.ExistsAsync(photo.Image.Variant("preview").Name!));
    }

    [Fact]
    public async Task A_stored_image_shared_by_name_keeps_its_name_and_its_variants()
    {
        var first = NewPhoto(TestImages.JpegWithExif(orientation: 6, withGps: true), "shared.jpg");
        await SaveAsync(first);
        var before = await ListAllAsync(Fixture.Private);

        var second = new Photo { Folder = _folder, Title = _folder + "second", Image = StoredFile.FromName(first.Image.Name!) };
        await SaveAsync(second);

        Assert.Equal(first.Image.Name, second.Image.Name);
        Assert.Equal((first.Width, first.Height), (second.Width, second.Height));
        Assert.Equal(before, await ListAllAsync(Fixture.Private)); // no copy: Coffer stripped it already; variants kept
    }

    [Fact]
    public async Task An_image_taken_from_another_row_gives_this_row_its_dimensions_and_no_new_file()
    {
        var first = NewPhoto(TestImages.Encode(ImageFormat.Png, 90, 30), "moved.png");
        await SaveAsync(first);
        var before = await ListAllAsync(Fixture.Private);

        await using var db = Fixture.CreateContext();
        var loaded = await db.Photos.AsNoTracking().SingleAsync(p => p.Id == first.Id);
        var second = new Photo { Folder = _folder, Title = _folder + "second", Image = loaded.Image };
        db.Add(second);
        await db.SaveChangesAsync();

        Assert.Equal((first.Image.Name, 90, 30), (second.Image.Name, second.Width, second.Height));
        Assert.Equal(before, await ListAllAsync(Fixture.Private));
    }

    [Fact]
    public async Task A_direct_uploaded_image_stored_with_a_type_that_is_not_its_own_is_refused_where_the_store_keeps_types()
    {
        var upload = await DirectUploadAsync("page.jpg", TestImages.Encode(ImageFormat.Jpeg, 40, 40), "text/html");
        bool keepsTypes = (await Fixture.Vault.GetInfoAsync(upload.Name)).ContentType is not null;

        await using var db = Fixture.CreateContext();
        db.Add(new Snapshot { Folder = _folder, Image = StoredFile.FromUpload(upload) });
        if (keepsTypes)
        {
            // Served as text/html from the store's own URL, the "image" would be a page: it is refused, not committed.
            var refused = await Assert.ThrowsAsync<InvalidFileContentException>(() => db.SaveChangesAsync());
            Assert.Contains("text/html", refused.ClientMessage, StringComparison.Ordinal);
            Assert.Equal(0, await CountSnapshotsAsync());
        }
        else
        {
            // Local disk keeps no type: a file is served as its extension says.
            await db.SaveChangesAsync();
            Assert.Equal(1, await CountSnapshotsAsync());
        }
    }

    [Fact]
    public async Task A_direct_upload_adopted_in_a_rolled_back_transaction_leaves_no_copy_or_variant_and_stays_pending()
    {
        var upload = await DirectUploadAsync("back.jpg", TestImages.JpegWithExif(orientation: 1, withGps: true), "image/jpeg");

        await using (var db = Fixture.CreateContext())
        {
            await using var transaction = await db.Database.BeginTransactionAsync();
            db.Add(new Snapshot { Folder = _folder, Image = StoredFile.FromUpload(upload) });
            await db.SaveChangesAsync();
            Assert.Equal(3, (await ListAllAsync(Fixture.Vault)).Count); // the upload, its copy, the copy's thumbnail
            await transaction.RollbackAsync();
        }

        Assert.Equal([upload.Name], await ListAllAsync(Fixture.Vault));
        Assert.Equal(FileLedgerState.Pending, Assert.Single(await LedgerAsync()).State);
        Assert.Equal(0, await CountSnapshotsAsync());
    }

    /// <summary>An independent reader (MetadataExtractor) finds no GPS position in the image, and the orientation kept.</summary>
    private static void AssertNoGpsButOrientation(Stream image, int orientation)
    {
        var directories = ImageMetadataReader.ReadMetadata(image);
        Assert.Empty(directories.OfType<GpsDirectory>());
        Assert.Equal(orientation, directories.OfType<ExifIfd0Directory>().Single().GetInt32(ExifDirectoryBase.TagOrientation));
    }

    private static MemoryStream Impostor(string kind) => kind switch
    {
        "text" => TestImages.Text("not an image"),
        "bomb" => TestImages.PngHeaderClaiming(60_000, 60_000),
        _ => TestImages.Encode(ImageFormat.Png, 50, 40),
    };

    private static (ImageFormat, int, int) Inspect(Stream image)
    {
        var info = new ImageProcessor().Inspect(image);
        return (info.Format, info.Width, info.Height);
    }

    private Task<DirectUpload> DirectUploadAsync(string fileName, MemoryStream content, string contentType) =>
        DirectUploadClient.UploadAsync(Fixture, Fixture.Vault, _folder, fileName, content.ToArray(), contentType: contentType);

    /// <summary>What the file ledger holds for this test's folder, read on a connection of its own.</summary>
    private Task<List<FileLedgerEntry>> LedgerAsync() => Fixture.LedgerEntriesAsync(_folder);

    private async Task<int> CountSnapshotsAsync()
    {
        await using var db = Fixture.CreateContext();
        return await db.Snapshots.CountAsync(s => s.Folder == _folder);
    }

    /// <summary>Every file under this test's folder, recursively, sorted.</summary>
    private Task<List<string>> ListAllAsync(FileStorage storage) => StorageContents.ListAllAsync(storage, _folder);

    private Photo NewPhoto(MemoryStream content, string fileName, string? title = null) => new()
    {
        Folder = _folder,
        Title = title is null ? Guid.NewGuid().ToString("N") : _folder + title,
        Image = StoredFile.FromStream(content, fileName),
    };

    private async Task SaveAsync(Photo photo)
    {
        await using var db = Fixture.CreateContext();
        db.Add(photo);
        await db.SaveChangesAsync();
    }

    private static async Task<MemoryStream> ReadAsync(FileStorage storage, string name)
    {
        await using var stream = await storage.OpenReadAsync(name);
        var copy = new MemoryStream();
        await stream.CopyToAsync(copy);
        copy.Position = 0;
        return copy;
    }

    private async Task<List<string>> ListAsync(FileStorage storage)
    {
        var listing = await storage.ListAsync(_folder);
        return listing.Files.Select(f => $"{_folder}/{f}").Order(StringComparer.Ordinal).ToList();
    }
}
