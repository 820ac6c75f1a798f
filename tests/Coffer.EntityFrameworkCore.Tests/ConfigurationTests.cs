using Coffer.EntityFrameworkCore.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Coffer.EntityFrameworkCore.Tests;

/// <summary>Mistakes in configuration get errors that name the fix. SQLite in memory; no server needed.</summary>
#pragma warning disable CA1001 // xunit disposes it through IAsyncLifetime.DisposeAsync
public sealed class ConfigurationTests : IAsyncLifetime
#pragma warning restore CA1001
{
    private readonly LocalStorageFactory _storages = new();
    private FileStorageRegistry _registry = null!;

    public Task InitializeAsync()
    {
        _registry = new FileStorageRegistry([_storages.Create("private", FileVisibility.Private)]);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _storages.DisposeAsync();

    [Fact]
    public void File_field_is_a_string_column_of_its_max_length()
    {
        using var db = new TestDbContext(new DbContextOptionsBuilder().UseSqlite("Data Source=:memory:").UseCoffer(_registry).Options);

        var property = db.Model.FindEntityType(typeof(PrivateFile))!.FindProperty(nameof(PrivateFile.File))!;

        Assert.Equal(100, property.GetMaxLength());
        Assert.Equal(typeof(string), property.GetTypeMapping().Converter!.ProviderClrType);
    }

    [Fact]
    public void UseCoffer_without_a_relational_provider_names_the_missing_call()
    {
        var options = new DbContextOptionsBuilder().UseCoffer(_registry).Options;

        var error = Assert.ThrowsAny<InvalidOperationException>(() => new TestDbContext(options).Model);

        Assert.Contains("UseSqlite", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Saving_new_content_without_UseCoffer_names_the_missing_call()
    {
        await using var db = new TestDbContext(new DbContextOptionsBuilder().UseSqlite("Data Source=:memory:").Options);
        await db.Database.OpenConnectionAsync();
        await db.Database.EnsureCreatedAsync();
        db.Add(new PrivateFile { File = StoredFile.FromStream(TestContent.Text("x"), "x.txt") });

        var error = await Assert.ThrowsAnyAsync<Exception>(() => db.SaveChangesAsync());

        Assert.Contains("UseCoffer", (error.InnerException ?? error).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unreachable_PostgreSQL_fails_with_the_command_that_starts_it()
    {
        await using var database = new PostgresDatabase("Host=127.0.0.1;Port=9;Username=postgres;Password=postgres");

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => database.InitializeAsync("Unreachable"));

        Assert.Contains("run scripts/postgres.sh start", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Field_read_without_UseCoffer_says_it_is_not_bound()
    {
        var file = StoredFile.FromName("files/a.txt");

        var error = Assert.Throws<InvalidOperationException>(() => file.Url);

        Assert.Contains("UseCoffer", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unknown_storage_name_lists_the_configured_ones()
    {
        await using var db = new TestDbContext(new DbContextOptionsBuilder().UseSqlite("Data Source=:memory:").UseCoffer(_registry).Options);
        await db.Database.OpenConnectionAsync();
        await db.Database.EnsureCreatedAsync();
        db.Add(new Poster { Folder = "p", Image = StoredFile.FromStream(TestContent.Text("x"), "x.png") });

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => db.SaveChangesAsync());

        Assert.Contains("No storage is named 'public'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sweeping_a_storage_no_field_uses_is_refused()
    {
        var registry = new FileStorageRegistry([_storages.Create("private", FileVisibility.Private), _storages.Create("spare", FileVisibility.Public)]);
        await using var db = new TestDbContext(new DbContextOptionsBuilder().UseSqlite("Data Source=:memory:").UseCoffer(registry).Options);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => db.SweepOrphanedFilesAsync("spare"));

        Assert.Contains("No file field", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Same_context_type_gets_one_model_per_set_of_storages()
    {
        await using var otherStorages = new LocalStorageFactory();
        var other = new FileStorageRegistry([otherStorages.Create("private", FileVisibility.Private)]);
        using var first = new TestDbContext(new DbContextOptionsBuilder().UseSqlite("Data Source=:memory:").UseCoffer(_registry).Options);
        using var again = new TestDbContext(new DbContextOptionsBuilder().UseSqlite("Data Source=:memory:").UseCoffer(_registry).Options);
        using var second = new TestDbContext(new DbContextOptionsBuilder().UseSqlite("Data Source=:memory:").UseCoffer(other).Options);

        Assert.Same(first.Model, again.Model);
        Assert.NotSame(first.Model, second.Model); // so that a value read by a projection knows which storages it belongs to
    }
}
