using Coffer.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;

namespace Coffer.CrashUploader;

/// <summary>A row of the kill test: a file on a storage with unique names, as an app's uploads are.</summary>
public sealed class KillUpload
{
    public int Id { get; set; }

    public StoredFile File { get; set; } = StoredFile.Empty;
}

/// <summary>
/// The kill test's model, shared by the process that is killed and the test that checks what it left: its rows and the
/// file ledger, on SQLite or PostgreSQL.
/// </summary>
public sealed class KillDbContext(DbContextOptions<KillDbContext> options) : DbContext(options)
{
    public DbSet<KillUpload> Uploads => Set<KillUpload>();

    public static DbContextOptionsBuilder<KillDbContext> Configure(DbContextOptionsBuilder<KillDbContext> builder, string provider, string connectionString) =>
        provider switch
        {
            "sqlite" => builder.UseSqlite(connectionString),
            "postgres" => builder.UseNpgsql(connectionString),
            _ => throw new ArgumentException($"unknown provider '{provider}': sqlite or postgres", nameof(provider)),
        };

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.AddCofferFileLedger();
        modelBuilder.Entity<KillUpload>(entity =>
        {
            entity.ToTable("kill_uploads");
            entity.Property(e => e.File).IsFileField("private", uploadTo: "kill");
        });
    }
}
