using Microsoft.EntityFrameworkCore;

namespace Coffer.EntityFrameworkCore.Tests.Infrastructure;

/// <summary>The seed's model from the issue: a private file and when it was uploaded.</summary>
public class PrivateFile
{
    public int Id { get; set; }

    public StoredFile File { get; set; } = StoredFile.Empty;

    public DateTimeOffset UploadedOn { get; set; }
}

/// <summary>A private file field whose upload-to uses the entity (each test writes under its own folder).</summary>
public class Document
{
    public int Id { get; set; }

    public string Folder { get; set; } = "";

    public string Title { get; set; } = "";

    public StoredFile File { get; set; } = StoredFile.Empty;

    public int Revision { get; set; }

    public DateTimeOffset UploadedOn { get; set; }
}

/// <summary>A public file field: old files are kept unless the field opts in.</summary>
public class Poster
{
    public int Id { get; set; }

    public string Folder { get; set; } = "";

    public StoredFile Image { get; set; } = StoredFile.Empty;
}

/// <summary>A file field on a storage with unique names, whose uploads the file ledger records as pending.</summary>
public class Attachment
{
    public int Id { get; set; }

    public string Folder { get; set; } = "";

    public string Title { get; set; } = "";

    public StoredFile File { get; set; } = StoredFile.Empty;
}

public class TestDbContext(DbContextOptions options) : DbContext(options)
{
    public DbSet<PrivateFile> PrivateFiles => Set<PrivateFile>();

    public DbSet<Document> Documents => Set<Document>();

    public DbSet<Poster> Posters => Set<Poster>();

    public DbSet<Attachment> Attachments => Set<Attachment>();

    /// <summary>Whether the model maps Coffer's file ledger, as an app that follows the docs does.</summary>
    protected virtual bool UsesFileLedger => true;

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        if (UsesFileLedger)
        {
            modelBuilder.AddCofferFileLedger();
        }

        modelBuilder.Entity<PrivateFile>(entity =>
        {
            entity.Property(e => e.File).IsFileField("private", uploadTo: "files");
            // UploadedOn is set by the database when the row is inserted (Django's auto_now_add).
            entity.Property(e => e.UploadedOn).HasDefaultValueSql("CURRENT_TIMESTAMP").ValueGeneratedOnAdd();
        });

        modelBuilder.Entity<Document>(entity =>
        {
            entity.HasIndex(e => e.Title).IsUnique();
            entity.Property(e => e.File).IsFileField("private", UploadTo.From(c => $"{((Document)c.Instance!).Folder}/{c.FileName}"));
            entity.Property(e => e.Revision).IsConcurrencyToken();
            entity.Property(e => e.UploadedOn).HasDefaultValueSql("CURRENT_TIMESTAMP").ValueGeneratedOnAdd();
        });

        modelBuilder.Entity<Poster>(entity =>
            entity.Property(e => e.Image).IsFileField("public", UploadTo.From(c => $"{((Poster)c.Instance!).Folder}/{c.FileName}")));

        modelBuilder.Entity<Attachment>(entity =>
        {
            entity.HasIndex(e => e.Title).IsUnique();
            entity.Property(e => e.File).IsFileField("vault", UploadTo.From(c => $"{((Attachment)c.Instance!).Folder}/{c.FileName}"));
        });
    }
}

/// <summary>The same model without the file ledger: an app that has not added it keeps the older behaviour.</summary>
public sealed class NoLedgerDbContext(DbContextOptions options) : TestDbContext(options)
{
    protected override bool UsesFileLedger => false;
}
