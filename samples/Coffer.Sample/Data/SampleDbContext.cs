using Coffer.EntityFrameworkCore;
using Coffer.Images;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;

namespace Coffer.Sample.Data;

/// <summary>A user's private file: the row keeps the name, the "private" storage keeps the bytes.</summary>
public sealed class PrivateFile
{
    public int Id { get; set; }

    public required string OwnerId { get; set; }

    public StoredFile File { get; set; } = StoredFile.Empty;

    /// <summary>The name the user uploaded, for display and as the download name.</summary>
    public required string OriginalName { get; set; }

    /// <summary>Kept in the row so that listing files never asks the storage.</summary>
    public long Size { get; set; }

    public DateTimeOffset UploadedOn { get; set; }

    /// <summary>For an image: its width as shown (Django's width_field); <see langword="null"/> for other files.</summary>
    public int? Width { get; set; }

    /// <summary>For an image: its height as shown; <see langword="null"/> for other files.</summary>
    public int? Height { get; set; }
}

/// <summary>A public upload, readable by anyone on a plain URL.</summary>
public sealed class MediaFile
{
    public int Id { get; set; }

    public required string UploaderId { get; set; }

    public StoredFile File { get; set; } = StoredFile.Empty;

    public required string OriginalName { get; set; }

    public long Size { get; set; }

    public string? ContentType { get; set; }

    public DateTimeOffset UploadedOn { get; set; }

    /// <summary>For an image: its width as shown; <see langword="null"/> for other files.</summary>
    public int? Width { get; set; }

    /// <summary>For an image: its height as shown; <see langword="null"/> for other files.</summary>
    public int? Height { get; set; }
}

/// <summary>The sample's database: Identity's tables plus the two file tables.</summary>
public abstract class SampleDbContext(DbContextOptions options) : IdentityDbContext<IdentityUser>(options)
{
    /// <summary>Where private files go (<c>upload_to</c>): through the app or sent directly (<c>POST /api/uploads</c>).</summary>
    public const string PrivateFilesFolder = "files/{yyyy}/{MM}";

    public DbSet<PrivateFile> PrivateFiles => Set<PrivateFile>();

    public DbSet<MediaFile> MediaFiles => Set<MediaFile>();

    protected override void OnModelCreating(ModelBuilder builder)
    {
        base.OnModelCreating(builder);
        // Deletes of old files are recorded with the change that makes them, so a store outage cannot lose one.
        builder.AddCofferFileLedger();
        builder.Entity<PrivateFile>(entity =>
        {
            // Any file; images are checked, stripped of their location data, measured, and get a thumbnail.
            entity.Property(e => e.File).IsImageField("private", o => ImageFields(o, PrivateFilesFolder));
            entity.Property(e => e.OriginalName).HasMaxLength(255);
            // Django's auto_now_add: stamped once, by the application, when the row is first saved.
            entity.Property(e => e.UploadedOn).ValueGeneratedNever();
            entity.HasIndex(e => e.OwnerId);
            entity.HasOne<IdentityUser>().WithMany().HasForeignKey(e => e.OwnerId).OnDelete(DeleteBehavior.Cascade);
        });
        builder.Entity<MediaFile>(entity =>
        {
            entity.Property(e => e.File).IsImageField("public", o => ImageFields(o, "media/{yyyy}/{MM}"));
            entity.Property(e => e.OriginalName).HasMaxLength(255);
            entity.Property(e => e.ContentType).HasMaxLength(100);
            entity.HasIndex(e => e.UploaderId);
            entity.HasOne<IdentityUser>().WithMany().HasForeignKey(e => e.UploaderId).OnDelete(DeleteBehavior.Cascade);
        });
    }

    /// <summary>The sample's two file fields take any file, and treat images as images (the names match both entities).</summary>
    private static void ImageFields(ImageFieldOptions options, string uploadTo)
    {
        options.UploadTo = uploadTo;
        options.AcceptOtherFiles = true;
        options.WidthProperty = nameof(MediaFile.Width);
        options.HeightProperty = nameof(MediaFile.Height);
        options.Variants["thumb"] = ImageVariant.Thumbnail(256);
    }
}

/// <summary>The SQLite flavour (the embedded default); its migrations live in Data/Migrations/Sqlite.</summary>
public sealed class SqliteSampleDbContext(DbContextOptions<SqliteSampleDbContext> options) : SampleDbContext(options);

/// <summary>The PostgreSQL flavour (scale-out); its migrations live in Data/Migrations/PostgreSql.</summary>
public sealed class PostgreSqlSampleDbContext(DbContextOptions<PostgreSqlSampleDbContext> options) : SampleDbContext(options);
