using Coffer;
using Coffer.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;

public class Document
{
    public int Id { get; set; }
    public StoredFile File { get; set; } = StoredFile.Empty;   // the column holds the name, the storage the file
}

public class AppDbContext(DbContextOptions<AppDbContext> options) : DbContext(options)
{
    public DbSet<Document> Documents => Set<Document>();

    protected override void OnModelCreating(ModelBuilder modelBuilder) =>
        modelBuilder.Entity<Document>().Property(d => d.File).IsFileField("private", uploadTo: "documents", maxLength: 100);
}

public static class DocumentsSetup
{
    // UseCoffer beside the provider: SaveChanges uploads first, then writes the row, and cleans up if either fails.
    public static IServiceCollection AddDocuments(this IServiceCollection services, string connectionString) =>
        services.AddDbContext<AppDbContext>((sp, options) => options
            .UseSqlite(connectionString)
            .UseCoffer(sp.GetRequiredService<IFileStorageProvider>()));
}
