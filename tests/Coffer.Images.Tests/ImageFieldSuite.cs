using Coffer.EntityFrameworkCore;
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
        var directories = ImageMetadataReader.ReadMetadata(stored);
        Assert.Empty(directories.OfType<GpsDirectory>());
        Assert.Equal(6, directories.OfType<ExifIfd0Directory>().Single().GetInt32(ExifDirectoryBase.TagOrientation));
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

        await using var db = Fixture.CreateContext();
        var first = await db.RegenerateImageVariantsAsync<Photo>(p => p.Image);
        var second = await db.RegenerateImageVariantsAsync<Photo>(p => p.Image);

        Assert.True(await Fixture.Private.ExistsAsync(thumb));
        Assert.Equal(0, first.Failed);
        Assert.Equal(first, second);
        Assert.True(first.Done >= 1);
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
