using Coffer.EntityFrameworkCore.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;

namespace Coffer.EntityFrameworkCore.Tests;

/// <summary>
/// The adoption hook of <see cref="FileFieldHandler"/>, with a handler of the tests' own (no images): a file assigned by
/// name (a direct upload, an existing object) reaches <see cref="FileFieldHandler.AdoptAsync"/> in the save.
/// </summary>
public abstract class FileFieldHandlerSuite(HandlerFixture fixture)
{
    private readonly string _folder = "h" + Guid.NewGuid().ToString("N")[..10];

    protected HandlerFixture Fixture { get; } = fixture;

    [Fact]
    public async Task A_handler_that_does_not_adopt_hears_of_a_file_assigned_by_name_through_file_changed()
    {
        string name = await Fixture.Vault.SaveAsync("plain.txt", TestContent.Text("plain"), new FileSaveOptions { UploadTo = _folder });

        var note = new Note { Folder = _folder, Plain = StoredFile.FromName(name) };
        await using var db = Fixture.CreateContext();
        db.Add(note);
        await db.SaveChangesAsync();

        Assert.Equal($"changed:{name}", note.Seen);
    }

    [Fact]
    public async Task A_copy_made_at_adoption_replaces_a_direct_upload_whose_original_is_deleted_after_the_commit()
    {
        var upload = await DirectUploadClient.UploadAsync(Fixture, Fixture.Vault, _folder, "shout.txt", "quiet words"u8.ToArray());

        var note = new Note { Folder = _folder, Loud = StoredFile.FromUpload(upload) };
        await using (var db = Fixture.CreateContext())
        {
            db.Add(note);
            await db.SaveChangesAsync();
        }

        Assert.NotEqual(upload.Name, note.Loud.Name);
        Assert.Equal($"adopted:{upload.Name}:{upload.FileName}:direct", note.Seen);
        await using (var stream = await note.Loud.OpenReadAsync())
        {
            Assert.Equal("QUIET WORDS", await new StreamReader(stream).ReadToEndAsync());
        }

        Assert.Equal([note.Loud.Name!, note.Loud.Variant("len").Name!], await StorageContents.ListAllAsync(Fixture.Vault, _folder));
        Assert.Empty(await Fixture.LedgerEntriesAsync(_folder)); // the pending entry went with the row, the owed delete was done
    }

    [Fact]
    public async Task A_refusal_at_adoption_commits_nothing_and_leaves_the_upload_pending_with_no_copy()
    {
        var upload = await DirectUploadClient.UploadAsync(Fixture, Fixture.Vault, _folder, "refuse.txt", "refuse me"u8.ToArray());

        await using var db = Fixture.CreateContext();
        db.Add(new Note { Folder = _folder, Loud = StoredFile.FromUpload(upload) });
        var refused = await Assert.ThrowsAsync<InvalidFileContentException>(() => db.SaveChangesAsync());

        Assert.Contains("refuse", refused.ClientMessage, StringComparison.Ordinal);
        Assert.False(await db.Notes.AnyAsync(n => n.Folder == _folder));
        Assert.Equal([upload.Name], await StorageContents.ListAllAsync(Fixture.Vault, _folder));
        Assert.Equal(FileLedgerState.Pending, Assert.Single(await Fixture.LedgerEntriesAsync(_folder)).State);
    }

    [Fact]
    public async Task A_name_that_is_not_in_the_storage_is_refused_before_the_handler_reads_it()
    {
        await using var db = Fixture.CreateContext();
        db.Add(new Note { Folder = _folder, Loud = StoredFile.FromName(_folder + "/missing.txt") });

        var missing = await Assert.ThrowsAsync<FileNotFoundException>(() => db.SaveChangesAsync());

        Assert.Contains("has no file by that name", missing.Message, StringComparison.Ordinal);
        Assert.False(await db.Notes.AnyAsync(n => n.Folder == _folder));
    }
}

public sealed class SqliteLocalFileFieldHandlerTests(SqliteLocalHandlerFixture fixture) : FileFieldHandlerSuite(fixture), IClassFixture<SqliteLocalHandlerFixture>;

public sealed class PostgresLocalFileFieldHandlerTests(PostgresLocalHandlerFixture fixture) : FileFieldHandlerSuite(fixture), IClassFixture<PostgresLocalHandlerFixture>;

public sealed class SqliteS3FileFieldHandlerTests(SqliteS3HandlerFixture fixture) : FileFieldHandlerSuite(fixture), IClassFixture<SqliteS3HandlerFixture>;

public class Note
{
    public int Id { get; set; }

    public string Folder { get; set; } = "";

    public StoredFile Plain { get; set; } = StoredFile.Empty;

    public StoredFile Loud { get; set; } = StoredFile.Empty;

    public string? Seen { get; set; }
}

public class HandlerDbContext(DbContextOptions options) : DbContext(options)
{
    public DbSet<Note> Notes => Set<Note>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.AddCofferFileLedger();
        modelBuilder.Entity<Note>(entity =>
        {
            entity.Property(e => e.Plain).IsFileField(new FileFieldOptions { Storage = "vault", UploadTo = "plain", Handler = new SeenHandler() });
            entity.Property(e => e.Loud).IsFileField(new FileFieldOptions
            {
                Storage = "vault",
                UploadTo = UploadTo.From(c => $"{((Note)c.Instance!).Folder}/{c.FileName}"),
                Handler = new ShoutingHandler(),
            });
        });
    }
}

/// <summary>A handler that only notes what it hears (the default <see cref="FileFieldHandler.AdoptAsync"/>).</summary>
internal sealed class SeenHandler : FileFieldHandler
{
    public override void FileChanged(EntityEntry entry, StoredFile file) => entry.Property(nameof(Note.Seen)).CurrentValue = $"changed:{file.Name}";
}

/// <summary>Adopts text by storing an upper-cased copy and a variant holding its length; refuses text with "refuse".</summary>
internal sealed class ShoutingHandler : FileFieldHandler
{
    public override IReadOnlyDictionary<string, string> Variants { get; } = new Dictionary<string, string> { ["len"] = ".txt" };

    public override async Task AdoptAsync(FileFieldAdoption adoption, CancellationToken cancellationToken)
    {
        string text;
        await using (var stream = await adoption.OpenReadAsync(cancellationToken))
        {
            text = await new StreamReader(stream).ReadToEndAsync(cancellationToken);
        }

        if (text.Contains("refuse", StringComparison.Ordinal))
        {
            throw new InvalidFileContentException(FileContentProblem.NotAnImage, "This handler refuses text that says refuse.");
        }

        adoption.Entry.Property(nameof(Note.Seen)).CurrentValue = $"adopted:{adoption.Name}:{adoption.FileName}:{(adoption.IsDirectUpload ? "direct" : "named")}";
        await adoption.SaveCopyAsync(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(text.ToUpperInvariant())), adoption.FileName, "text/plain", cancellationToken);
        await adoption.SaveVariantAsync("len", new MemoryStream(System.Text.Encoding.UTF8.GetBytes(text.Length.ToString(System.Globalization.CultureInfo.InvariantCulture))), "text/plain", cancellationToken);
    }
}

public abstract class HandlerFixture(ITestDatabase database, IStorageFactory storages)
    : DatabaseFixture<HandlerDbContext>(database, storages, options => new HandlerDbContext(options));

public sealed class SqliteLocalHandlerFixture() : HandlerFixture(new SqliteDatabase(), new LocalStorageFactory());

public sealed class PostgresLocalHandlerFixture() : HandlerFixture(new PostgresDatabase(), new LocalStorageFactory());

public sealed class SqliteS3HandlerFixture() : HandlerFixture(new SqliteDatabase(), new S3StorageFactory());
