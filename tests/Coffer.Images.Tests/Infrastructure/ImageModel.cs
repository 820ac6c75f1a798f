using Coffer.EntityFrameworkCore;
using Coffer.EntityFrameworkCore.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Coffer.Images.Tests.Infrastructure;

/// <summary>Django's <c>ImageField(width_field="width", height_field="height")</c>, on a private and on a public storage.</summary>
public class Photo
{
    public int Id { get; set; }

    public string Folder { get; set; } = "";

    public string Title { get; set; } = "";

    public StoredFile Image { get; set; } = StoredFile.Empty;

    public int? Width { get; set; }

    public int? Height { get; set; }
}

public class Poster
{
    public int Id { get; set; }

    public string Folder { get; set; } = "";

    public StoredFile Image { get; set; } = StoredFile.Empty;

    public int Width { get; set; }

    public int Height { get; set; }
}

/// <summary>An image field on a storage with unique names whose uploads the file ledger records: where direct uploads go.</summary>
public class Snapshot
{
    public int Id { get; set; }

    public string Folder { get; set; } = "";

    public StoredFile Image { get; set; } = StoredFile.Empty;

    public int? Width { get; set; }

    public int? Height { get; set; }
}

public class ImageDbContext(DbContextOptions options) : DbContext(options)
{
    public DbSet<Photo> Photos => Set<Photo>();

    public DbSet<Poster> Posters => Set<Poster>();

    public DbSet<Snapshot> Snapshots => Set<Snapshot>();

    /// <summary>
    /// When set, this context sees only the photos under this folder: a test that works on the whole set (regeneration)
    /// then counts its own rows, not what other tests of the class left in the shared table.
    /// </summary>
    public string? PhotoFolder { get; set; }

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.AddCofferFileLedger(); // direct uploads commit through it
        modelBuilder.Entity<Snapshot>(entity => entity.Property(e => e.Image).IsImageField("vault", o =>
        {
            o.UploadTo = UploadTo.From(c => $"{((Snapshot)c.Instance!).Folder}/{c.FileName}");
            o.WidthProperty = nameof(Snapshot.Width);
            o.HeightProperty = nameof(Snapshot.Height);
            o.Variants["thumb"] = ImageVariant.Thumbnail(64);
        }));
        modelBuilder.Entity<Photo>(entity =>
        {
            entity.HasIndex(e => e.Title).IsUnique();
            entity.HasQueryFilter(e => PhotoFolder == null || e.Folder == PhotoFolder);
            entity.Property(e => e.Image).IsImageField("private", o =>
            {
                o.UploadTo = UploadTo.From(c => $"{((Photo)c.Instance!).Folder}/{c.FileName}");
                o.WidthProperty = nameof(Photo.Width);
                o.HeightProperty = nameof(Photo.Height);
                o.Variants["thumb"] = ImageVariant.Thumbnail(256);
                o.Variants["preview"] = ImageVariant.Preview(1280);
            });
        });

        modelBuilder.Entity<Poster>(entity => entity.Property(e => e.Image).IsImageField("public", o =>
        {
            o.UploadTo = UploadTo.From(c => $"{((Poster)c.Instance!).Folder}/{c.FileName}");
            o.WidthProperty = nameof(Poster.Width);
            o.HeightProperty = nameof(Poster.Height);
            o.Variants["thumb"] = ImageVariant.Thumbnail(64);
            o.AcceptOtherFiles = true;
        }));
    }
}

/// <summary>One database and one pair of storages ("private", "public") for a test class of the image-field suite.</summary>
public abstract class ImageFieldFixture(ITestDatabase database, IStorageFactory storages)
    : DatabaseFixture<ImageDbContext>(database, storages, options => new ImageDbContext(options));

public sealed class SqliteLocalImageFixture() : ImageFieldFixture(new SqliteDatabase(), new LocalStorageFactory());

public sealed class PostgresLocalImageFixture() : ImageFieldFixture(new PostgresDatabase(), new LocalStorageFactory());

public sealed class SqliteS3ImageFixture() : ImageFieldFixture(new SqliteDatabase(), new S3StorageFactory());

public sealed class PostgresS3ImageFixture() : ImageFieldFixture(new PostgresDatabase(), new S3StorageFactory());
