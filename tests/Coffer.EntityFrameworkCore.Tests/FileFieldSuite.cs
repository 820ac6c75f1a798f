using Coffer.EntityFrameworkCore.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Coffer.EntityFrameworkCore.Tests;

/// <summary>
/// The file-field suite. It runs once per database and storage pair (see <c>FileFieldSuites.cs</c>); each test writes
/// under a folder of its own, so the tests of a class share one database and one set of storages.
/// </summary>
public abstract class FileFieldSuite(FileFieldFixture fixture)
{
    private readonly string _folder = "t" + Guid.NewGuid().ToString("N")[..10];

    protected FileFieldFixture Fixture { get; } = fixture;

    // ----- Saving and reading -----

    [Fact]
    public async Task Save_uploads_the_file_and_stores_its_name()
    {
        await using var db = Fixture.CreateContext();
        var doc = NewDocument("My report.pdf", "hello");
        db.Add(doc);
        await db.SaveChangesAsync();

        Assert.Equal($"{_folder}/My_report.pdf", doc.File.Name);
        Assert.Equal("hello", await ReadAsync(Fixture.Private, doc.File.Name!));
        Assert.Equal(doc.File.Name, await StoredNameAsync(doc.Id));
    }

    [Fact]
    public async Task Loaded_field_gives_url_size_and_content_through_its_storage()
    {
        int id = await InsertAsync(NewDocument("report.pdf", "twelve bytes"));

        await using var db = Fixture.CreateContext();
        var doc = await db.Documents.SingleAsync(d => d.Id == id);

        Assert.StartsWith($"{Fixture.StorageFactory.PrivateUrlPrefix}{_folder}/report.pdf?", doc.File.Url, StringComparison.Ordinal);
        Assert.Contains(Fixture.StorageFactory.SignatureParameter, doc.File.Url, StringComparison.Ordinal);
        Assert.Equal(12, await doc.File.GetSizeAsync());
        await using var stream = await doc.File.OpenReadAsync();
        Assert.Equal("twelve bytes", await new StreamReader(stream).ReadToEndAsync());
    }

    [Fact]
    public async Task No_tracking_query_binds_the_field_too()
    {
        int id = await InsertAsync(NewDocument("a.txt", "a"));

        await using var db = Fixture.CreateContext();
        var doc = await db.Documents.AsNoTracking().SingleAsync(d => d.Id == id);

        Assert.Same(Fixture.Private, doc.File.Storage);
    }

    [Fact]
    public async Task Projected_field_knows_its_storage_and_gives_a_url()
    {
        int id = await InsertAsync(NewDocument("a.txt", "projected"));

        await using var db = Fixture.CreateContext();
        var row = await db.Documents.Where(d => d.Id == id).Select(d => new { d.Id, d.File }).SingleAsync();
        await using var stream = await row.File.OpenReadAsync();

        Assert.Same(Fixture.Private, row.File.Storage);
        Assert.StartsWith($"{Fixture.StorageFactory.PrivateUrlPrefix}{_folder}/a.txt?", row.File.Url, StringComparison.Ordinal);
        Assert.Equal("projected", await new StreamReader(stream).ReadToEndAsync());
    }

    [Fact]
    public async Task Field_read_by_a_compiled_query_knows_its_storage()
    {
        int id = await InsertAsync(NewDocument("a.txt", "compiled"));

        // Compiled per app (per set of storages), as EF runs a compiled query with one model only.
        var fileOfDocument = EF.CompileAsyncQuery((TestDbContext db, int id) => db.Documents.Where(d => d.Id == id).Select(d => d.File).Single());
        await using var db = Fixture.CreateContext();
        var file = await fileOfDocument(db, id);

        Assert.Same(Fixture.Private, file.Storage);
        Assert.Contains(Fixture.StorageFactory.SignatureParameter, file.GetUrl(new() { Expiry = TimeSpan.FromMinutes(1) }).Url, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Field_of_an_entity_read_by_raw_sql_knows_its_storage()
    {
        int id = await InsertAsync(NewDocument("a.txt", "raw"));

        await using var db = Fixture.CreateContext();
        var doc = await db.Documents.FromSqlRaw("SELECT * FROM \"Documents\"").AsNoTracking().SingleAsync(d => d.Id == id);

        Assert.Same(Fixture.Private, doc.File.Storage);
    }

    [Fact]
    public void Field_made_by_hand_says_how_to_get_its_url()
    {
        var file = StoredFile.FromName("files/report.pdf");

        var error = Assert.Throws<InvalidOperationException>(() => file.Url);

        Assert.Contains("made by hand (StoredFile.FromName)", error.Message, StringComparison.Ordinal);
        Assert.Contains("storage.GetUrl(name)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Saved_field_is_bound_without_reloading()
    {
        await using var db = Fixture.CreateContext();
        var doc = NewDocument("a.txt", "a");
        db.Add(doc);
        await db.SaveChangesAsync();

        Assert.StartsWith($"{Fixture.StorageFactory.PrivateUrlPrefix}{_folder}/a.txt?", doc.File.GetUrl().Url, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Empty_field_says_it_has_no_file()
    {
        int id = await InsertAsync(new Document { Folder = _folder, Title = _folder });

        await using var db = Fixture.CreateContext();
        var doc = await db.Documents.SingleAsync(d => d.Id == id);

        Assert.False(doc.File.HasFile);
        var error = Assert.Throws<InvalidOperationException>(() => doc.File.Url);
        Assert.Equal("The 'Document.File' attribute has no file associated with it.", error.Message);
    }

    [Fact]
    public void Pending_field_has_no_url_before_it_is_saved()
    {
        var file = StoredFile.FromStream(TestContent.Text("x"), "x.txt");

        var error = Assert.Throws<InvalidOperationException>(() => file.GetUrl());
        Assert.Contains("not bound to a storage", error.Message, StringComparison.Ordinal);
        Assert.True(file.IsPending);
    }

    [Fact]
    public async Task Same_name_twice_gets_an_alternative_name()
    {
        var first = await SaveNewAsync(NewDocument("same.txt", "1"));
        var second = await SaveNewAsync(NewDocument("same.txt", "2", title: _folder + "-2"));

        Assert.Equal($"{_folder}/same.txt", first.File.Name);
        Assert.Matches($"^{_folder}/same_[A-Za-z0-9]{{7}}\\.txt$", second.File.Name);
        Assert.Equal("2", await ReadAsync(Fixture.Private, second.File.Name!));
    }

    [Fact]
    public async Task Long_name_is_shortened_to_fit_the_column()
    {
        var doc = await SaveNewAsync(NewDocument(new string('a', 150) + ".pdf", "long"));

        Assert.Equal(100, doc.File.Name!.Length);
        Assert.EndsWith(".pdf", doc.File.Name, StringComparison.Ordinal);
        Assert.Equal(doc.File.Name, await StoredNameAsync(doc.Id));
    }

    [Fact]
    public async Task Name_that_cannot_fit_the_column_fails_before_any_upload()
    {
        await using var db = Fixture.CreateContext();
        var fits = NewDocument("fits.txt", "ok");
        var tooDeep = NewDocument("x.txt", "no", title: _folder + "-deep");
        tooDeep.Folder = _folder + "/" + new string('d', 95);
        db.AddRange(fits, tooDeep);

        var error = await Assert.ThrowsAsync<InvalidFileNameException>(() => db.SaveChangesAsync());

        Assert.Equal(FileNameProblem.TooLong, error.Problem);
        Assert.Empty(await ListAsync(Fixture.Private, _folder));
        Assert.True(fits.File.IsPending);
    }

    [Fact]
    public async Task Existing_name_too_long_for_the_column_is_refused()
    {
        await using var db = Fixture.CreateContext();
        db.Add(new Document { Folder = _folder, Title = _folder, File = StoredFile.FromName(_folder + "/" + new string('n', 100)) });

        var error = await Assert.ThrowsAsync<InvalidFileNameException>(() => db.SaveChangesAsync());
        Assert.Equal(FileNameProblem.TooLong, error.Problem);
    }

    [Fact]
    public async Task Synchronous_SaveChanges_uploads_too()
    {
        await using var db = Fixture.CreateContext();
        var doc = NewDocument("sync.txt", "sync");
        db.Add(doc);
        db.SaveChanges();

        Assert.Equal("sync", await ReadAsync(Fixture.Private, doc.File.Name!));
    }

    [Fact]
    public async Task UploadedOn_is_set_by_the_database_on_insert()
    {
        var before = DateTimeOffset.UtcNow.AddSeconds(-5);
        var doc = await SaveNewAsync(NewDocument("when.txt", "w"));

        await using var db = Fixture.CreateContext();
        var loaded = await db.Documents.SingleAsync(d => d.Id == doc.Id);
        Assert.InRange(loaded.UploadedOn, before, DateTimeOffset.UtcNow.AddSeconds(5));
    }

    [Fact]
    public async Task Issue_model_stores_files_under_upload_to()
    {
        await using var db = Fixture.CreateContext();
        var file = new PrivateFile { File = StoredFile.FromStream(TestContent.Text("pdf"), $"{_folder}.pdf") };
        db.PrivateFiles.Add(file);
        await db.SaveChangesAsync();

        Assert.Equal($"files/{_folder}.pdf", file.File.Name);
        Assert.StartsWith($"{Fixture.StorageFactory.PrivateUrlPrefix}files/{_folder}.pdf?", file.File.Url, StringComparison.Ordinal);
    }

    // ----- Failures: nothing is left half-written -----

    [Fact]
    public async Task Unique_violation_after_the_upload_removes_the_uploaded_file()
    {
        await InsertAsync(new Document { Folder = _folder + "-other", Title = _folder });

        await using var db = Fixture.CreateContext();
        var duplicate = NewDocument("dup.txt", "dup");
        db.Add(duplicate);

        await Assert.ThrowsAsync<DbUpdateException>(() => db.SaveChangesAsync());

        Assert.Empty(await ListAsync(Fixture.Private, _folder));
        Assert.True(duplicate.File.IsPending);
    }

    [Fact]
    public async Task Failed_save_can_be_retried_with_the_same_content()
    {
        await InsertAsync(new Document { Folder = _folder + "-other", Title = _folder });
        await using var db = Fixture.CreateContext();
        var doc = NewDocument("retry.txt", "retry me");
        db.Add(doc);
        await Assert.ThrowsAsync<DbUpdateException>(() => db.SaveChangesAsync());

        doc.Title = _folder + "-fixed";
        await db.SaveChangesAsync();

        Assert.Equal("retry me", await ReadAsync(Fixture.Private, doc.File.Name!));
        Assert.Single(await ListAsync(Fixture.Private, _folder));
    }

    [Fact]
    public async Task Storage_failure_during_upload_leaves_no_row_and_no_file()
    {
        await using var db = Fixture.CreateContext();
        db.Add(NewDocument("first.txt", "uploaded before the failure"));
        db.Add(new Document { Folder = _folder, Title = _folder + "-broken", File = StoredFile.FromStream(new BrokenStream(failAfter: 3000), "broken.bin") });

        await Assert.ThrowsAsync<IOException>(() => db.SaveChangesAsync());

        Assert.Empty(await ListAsync(Fixture.Private, _folder));
        Assert.Equal(0, await CountRowsAsync());
    }

    [Fact]
    public async Task Cancellation_mid_upload_leaves_no_row_and_no_file()
    {
        using var cancellation = new CancellationTokenSource();
        await using var db = Fixture.CreateContext();
        db.Add(NewDocument("first.txt", "uploaded before the cancellation"));
        db.Add(new Document { Folder = _folder, Title = _folder + "-cancelled", File = StoredFile.FromStream(new CancellingStream(cancellation, cancelAfter: 4096), "big.bin") });

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => db.SaveChangesAsync(cancellation.Token));

        Assert.Empty(await ListAsync(Fixture.Private, _folder));
        Assert.Equal(0, await CountRowsAsync());
    }

    [Fact]
    public async Task Concurrent_update_removes_the_losers_upload()
    {
        var original = await SaveNewAsync(NewDocument("v1.txt", "v1"));
        await using var winner = Fixture.CreateContext();
        await using var loser = Fixture.CreateContext();
        var a = await winner.Documents.SingleAsync(d => d.Id == original.Id);
        var b = await loser.Documents.SingleAsync(d => d.Id == original.Id);

        a.File = StoredFile.FromStream(TestContent.Text("winner"), "winner.txt");
        a.Revision++;
        await winner.SaveChangesAsync();
        b.File = StoredFile.FromStream(TestContent.Text("loser"), "loser.txt");
        b.Revision++;
        await Assert.ThrowsAsync<DbUpdateConcurrencyException>(() => loser.SaveChangesAsync());

        Assert.Equal([$"{_folder}/winner.txt"], await ListAsync(Fixture.Private, _folder));
        Assert.Equal($"{_folder}/winner.txt", await StoredNameAsync(original.Id));
    }

    // ----- Old files: deleted after the commit, never before -----

    [Fact]
    public async Task Replacing_a_file_deletes_the_old_one_after_the_commit()
    {
        var doc = await SaveNewAsync(NewDocument("old.txt", "old"));

        await using var db = Fixture.CreateContext();
        var loaded = await db.Documents.SingleAsync(d => d.Id == doc.Id);
        loaded.File = StoredFile.FromStream(TestContent.Text("new"), "new.txt");
        await db.SaveChangesAsync();

        Assert.Equal([$"{_folder}/new.txt"], await ListAsync(Fixture.Private, _folder));
    }

    [Fact]
    public async Task Replacing_in_a_transaction_keeps_the_old_file_until_the_commit()
    {
        var doc = await SaveNewAsync(NewDocument("old.txt", "old"));

        await using var db = Fixture.CreateContext();
        await using var transaction = await db.Database.BeginTransactionAsync();
        var loaded = await db.Documents.SingleAsync(d => d.Id == doc.Id);
        loaded.File = StoredFile.FromStream(TestContent.Text("new"), "new.txt");
        await db.SaveChangesAsync();
        Assert.Equal([$"{_folder}/new.txt", $"{_folder}/old.txt"], await ListAsync(Fixture.Private, _folder));

        await transaction.CommitAsync();

        Assert.Equal([$"{_folder}/new.txt"], await ListAsync(Fixture.Private, _folder));
    }

    [Fact]
    public async Task Replacing_then_rolling_back_keeps_the_old_file_and_removes_the_new_one()
    {
        var doc = await SaveNewAsync(NewDocument("old.txt", "old"));

        await using (var db = Fixture.CreateContext())
        {
            await using var transaction = await db.Database.BeginTransactionAsync();
            var loaded = await db.Documents.SingleAsync(d => d.Id == doc.Id);
            loaded.File = StoredFile.FromStream(TestContent.Text("new"), "new.txt");
            await db.SaveChangesAsync();
            await transaction.RollbackAsync();
        }

        Assert.Equal([$"{_folder}/old.txt"], await ListAsync(Fixture.Private, _folder));
        Assert.Equal($"{_folder}/old.txt", await StoredNameAsync(doc.Id));
    }

    [Fact]
    public async Task Transaction_disposed_without_commit_removes_the_upload()
    {
        await using (var db = Fixture.CreateContext())
        {
            await using var transaction = await db.Database.BeginTransactionAsync();
            db.Add(NewDocument("never.txt", "never committed"));
            await db.SaveChangesAsync();
        }

        Assert.Empty(await ListAsync(Fixture.Private, _folder));
        Assert.Equal(0, await CountRowsAsync());
    }

    [Fact]
    public async Task Pooled_context_returned_without_commit_removes_the_upload()
    {
        var options = new DbContextOptionsBuilder<TestDbContext>();
        Fixture.Database.Configure(options);
        var factory = new PooledDbContextFactory<TestDbContext>(options.UseCoffer(Fixture.Storages).Options);

        await using (var db = await factory.CreateDbContextAsync())
        {
            await db.Database.BeginTransactionAsync();
            db.Add(NewDocument("pooled.txt", "never committed"));
            await db.SaveChangesAsync();
        }

        Assert.Empty(await ListAsync(Fixture.Private, _folder));
        Assert.Equal(0, await CountRowsAsync());
    }

    [Fact]
    public async Task Transaction_committed_behind_EFs_back_keeps_the_upload()
    {
        await CommitBehindEFsBackAsync(db =>
        {
            db.Add(NewDocument("outside.txt", "committed outside EF"));
            return Task.CompletedTask;
        });

        // The outcome was invisible to Coffer, so it kept the file: a row never points at a missing file.
        Assert.Equal([$"{_folder}/outside.txt"], await ListAsync(Fixture.Private, _folder));
        Assert.Equal(1, await CountRowsAsync());
    }

    [Fact]
    public async Task Deleting_a_row_deletes_its_file_after_the_commit()
    {
        var doc = await SaveNewAsync(NewDocument("gone.txt", "gone"));

        await using var db = Fixture.CreateContext();
        await using var transaction = await db.Database.BeginTransactionAsync();
        db.Remove(await db.Documents.SingleAsync(d => d.Id == doc.Id));
        await db.SaveChangesAsync();
        Assert.Single(await ListAsync(Fixture.Private, _folder));

        await transaction.CommitAsync();

        Assert.Empty(await ListAsync(Fixture.Private, _folder));
    }

    [Fact]
    public async Task Deleting_a_row_then_rolling_back_keeps_its_file()
    {
        var doc = await SaveNewAsync(NewDocument("kept.txt", "kept"));

        await using var db = Fixture.CreateContext();
        await using var transaction = await db.Database.BeginTransactionAsync();
        db.Remove(await db.Documents.SingleAsync(d => d.Id == doc.Id));
        await db.SaveChangesAsync();
        await transaction.RollbackAsync();

        Assert.Equal([$"{_folder}/kept.txt"], await ListAsync(Fixture.Private, _folder));
    }

    [Fact]
    public async Task Clearing_a_field_deletes_the_old_file()
    {
        var doc = await SaveNewAsync(NewDocument("clear.txt", "clear"));

        await using var db = Fixture.CreateContext();
        var loaded = await db.Documents.SingleAsync(d => d.Id == doc.Id);
        loaded.File = StoredFile.Empty;
        await db.SaveChangesAsync();

        Assert.Empty(await ListAsync(Fixture.Private, _folder));
        Assert.Equal("", await StoredNameAsync(doc.Id));
    }

    [Fact]
    public async Task Public_field_keeps_old_files_by_default()
    {
        await using var db = Fixture.CreateContext();
        var poster = new Poster { Folder = _folder, Image = StoredFile.FromStream(TestContent.Text("v1"), "v1.png") };
        db.Add(poster);
        await db.SaveChangesAsync();
        poster.Image = StoredFile.FromStream(TestContent.Text("v2"), "v2.png");
        await db.SaveChangesAsync();
        db.Remove(poster);
        await db.SaveChangesAsync();

        Assert.Equal([$"{_folder}/v1.png", $"{_folder}/v2.png"], await ListAsync(Fixture.Public, _folder));
    }

    // ----- Sweeper -----

    [Fact]
    public async Task Sweeper_dry_run_reports_old_orphans_and_deletes_nothing()
    {
        var doc = await SaveNewAsync(NewDocument("kept.txt", "kept"));
        string orphan = await Fixture.Private.SaveAsync("orphan.txt", TestContent.Text("orphan"), new FileSaveOptions { UploadTo = _folder + "/sub" });

        await using var db = Fixture.CreateContext();
        var result = await db.SweepOrphanedFilesAsync("private", new SweepOptions { Directory = _folder, DryRun = true, TimeProvider = TwoDaysLater() });

        Assert.True(result.DryRun);
        Assert.Equal([orphan], result.Deleted);
        Assert.Equal(2, result.Listed);
        Assert.Equal(1, result.Referenced);
        Assert.Equal([doc.File.Name!, orphan], await ListAsync(Fixture.Private, _folder));
    }

    [Fact]
    public async Task Sweeper_deletes_orphans_older_than_the_grace_period()
    {
        var doc = await SaveNewAsync(NewDocument("kept.txt", "kept"));
        string orphan = await Fixture.Private.SaveAsync("orphan.txt", TestContent.Text("orphan"), new FileSaveOptions { UploadTo = _folder });

        await using var db = Fixture.CreateContext();
        var result = await db.SweepOrphanedFilesAsync("private", new SweepOptions { Directory = _folder, TimeProvider = TwoDaysLater() });

        Assert.Equal([orphan], result.Deleted);
        Assert.Equal([doc.File.Name!], await ListAsync(Fixture.Private, _folder));
    }

    [Fact]
    public async Task Sweeper_keeps_orphans_younger_than_the_grace_period()
    {
        string orphan = await Fixture.Private.SaveAsync("young.txt", TestContent.Text("young"), new FileSaveOptions { UploadTo = _folder });

        await using var db = Fixture.CreateContext();
        var result = await db.SweepOrphanedFilesAsync("private", new SweepOptions { Directory = _folder, GracePeriod = TimeSpan.FromHours(1) });

        Assert.Empty(result.Deleted);
        Assert.Equal([orphan], result.TooRecent);
        Assert.Equal([orphan], await ListAsync(Fixture.Private, _folder));
    }

    // ----- The file ledger -----

    [Fact]
    public async Task A_deleted_row_owes_nothing_once_its_file_is_deleted_after_the_commit()
    {
        var doc = await SaveNewAsync(NewDocument("owed.txt", "owed"));

        await using (var db = Fixture.CreateContext())
        {
            db.Remove(await db.Documents.SingleAsync(d => d.Id == doc.Id));
            await db.SaveChangesAsync();
            Assert.Empty(db.ChangeTracker.Entries<FileLedgerEntry>()); // the row is the record, not the context
        }

        Assert.Empty(await ListAsync(Fixture.Private, _folder));
        Assert.Empty(await OwedAsync());
    }

    [Fact]
    public async Task A_replace_rolled_back_with_its_transaction_owes_nothing_and_keeps_the_old_file()
    {
        var doc = await SaveNewAsync(NewDocument("old.txt", "old"));

        await using (var db = Fixture.CreateContext())
        {
            await using var transaction = await db.Database.BeginTransactionAsync();
            var row = await db.Documents.SingleAsync(d => d.Id == doc.Id);
            row.File = StoredFile.FromStream(TestContent.Text("new"), "new.txt");
            await db.SaveChangesAsync();
            await transaction.RollbackAsync();
        }

        Assert.Equal([$"{_folder}/old.txt"], await ListAsync(Fixture.Private, _folder));
        Assert.Empty(await OwedAsync());
    }

    [Fact]
    public async Task A_delete_committed_behind_EFs_back_stays_owed_and_one_ledger_sweep_does_it()
    {
        var doc = await SaveNewAsync(NewDocument("behind.txt", "behind"));

        await CommitBehindEFsBackAsync(async db => db.Remove(await db.Documents.SingleAsync(d => d.Id == doc.Id)));

        // The commit was invisible to Coffer, so the file is still there, and the ledger, committed with the delete, says so.
        Assert.Equal([$"{_folder}/behind.txt"], await ListAsync(Fixture.Private, _folder));
        var owed = Assert.Single(await OwedAsync());
        Assert.Equal((FileLedgerState.Deleting, "private", $"{_folder}/behind.txt"), (owed.State, owed.Storage, owed.Name));

        await using (var db = Fixture.CreateContext())
        {
            var result = await db.SweepFileLedgerAsync();
            Assert.Contains(result.Done, e => e.Id == owed.Id);
            Assert.Empty(result.Failed);
        }

        Assert.Empty(await ListAsync(Fixture.Private, _folder));
        Assert.Empty(await OwedAsync());
    }

    [Fact]
    public async Task Two_ledger_sweeps_at_once_do_each_owed_delete_exactly_once()
    {
        const int Count = 12;
        var docs = new List<Document>();
        for (int i = 0; i < Count; i++)
        {
            docs.Add(await SaveNewAsync(NewDocument($"many-{i}.txt", "many", title: $"{_folder}-{i}")));
        }

        await CommitBehindEFsBackAsync(async db => db.RemoveRange(await db.Documents.Where(d => d.Folder == _folder).ToListAsync()));

        Assert.Equal(Count, (await OwedAsync()).Count);
        await using var first = Fixture.CreateContext();
        await using var second = Fixture.CreateContext();
        var results = await Task.WhenAll(first.SweepFileLedgerAsync(), second.SweepFileLedgerAsync());

        var done = results.SelectMany(r => r.Done).Where(e => e.Name.StartsWith(_folder + "/", StringComparison.Ordinal)).Select(e => e.Id).ToList();
        Assert.Equal(Count, done.Count);
        Assert.Equal(Count, done.Distinct().Count());
        Assert.Empty(results.SelectMany(r => r.Failed));
        Assert.Empty(await ListAsync(Fixture.Private, _folder));
        Assert.Empty(await OwedAsync());
    }

    // ----- Pending uploads -----

    [Fact]
    public async Task An_upload_is_recorded_as_pending_before_its_first_byte_and_settled_in_the_transaction_of_its_row()
    {
        List<FileLedgerEntry>? seenAtFirstByte = null;
        var attachment = NewAttachment("report.pdf", new HookedStream("hello"u8.ToArray(), onFirstRead: async () => seenAtFirstByte = await PendingAsync()));

        await using (var db = Fixture.CreateContext())
        {
            db.Add(attachment);
            await db.SaveChangesAsync();
            Assert.Empty(db.ChangeTracker.Entries<FileLedgerEntry>());
        }

        var pending = Assert.Single(seenAtFirstByte!);
        Assert.Equal((FileLedgerState.Pending, "vault", attachment.File.Name), (pending.State, pending.Storage, pending.Name));
        Assert.Matches($"^{_folder}/report_[A-Za-z0-9]+\\.pdf$", attachment.File.Name);
        Assert.Equal("hello", await ReadAsync(Fixture.Vault, attachment.File.Name!));
        Assert.Empty(await PendingAsync());
    }

    [Fact]
    public async Task An_upload_whose_row_never_commits_is_deleted_by_the_ledger_sweep_once_it_expires()
    {
        // What a process killed between the upload and the commit leaves: the upload, and no row. Here the save's
        // transaction is rolled back behind EF's back, so Coffer cannot see it end and keeps the upload.
        await using (var db = Fixture.CreateContext())
        {
            await db.Database.OpenConnectionAsync();
            await using var transaction = await db.Database.GetDbConnection().BeginTransactionAsync();
            await db.Database.UseTransactionAsync(transaction);
            db.Add(NewAttachment("abandoned.txt", TestContent.Text("abandoned")));
            await db.SaveChangesAsync();
            await transaction.RollbackAsync();
        }

        var left = Assert.Single(await ListAsync(Fixture.Vault, _folder));
        if (Fixture.Database is not PostgresDatabase)
        {
            // SQLite has one writer, so inside a transaction the record joins it and is rolled back with it: the upload
            // is left to the full sweep (documented). Without a transaction it commits on its own (the kill tests).
            Assert.Empty(await PendingAsync());
            await using var db = Fixture.CreateContext();
            var full = await db.SweepOrphanedFilesAsync("vault", new SweepOptions { Directory = _folder, GracePeriod = TimeSpan.Zero });
            Assert.Equal([left], full.Deleted);
            return;
        }

        Assert.Equal(left, Assert.Single(await PendingAsync()).Name);

        await using (var db = Fixture.CreateContext())
        {
            var early = await db.SweepFileLedgerAsync(new FakeTimeProvider(DateTimeOffset.UtcNow.AddHours(1)));
            Assert.DoesNotContain(early.Done, e => e.Name == left); // still within its lifetime: it may yet commit
            var result = await db.SweepFileLedgerAsync(new FakeTimeProvider(DateTimeOffset.UtcNow.AddHours(7)));
            Assert.Contains(result.Done, e => e.Name == left && e.State == FileLedgerState.Pending);
        }

        Assert.Empty(await ListAsync(Fixture.Vault, _folder));
        Assert.Empty(await PendingAsync());
    }

    [Fact]
    public async Task A_save_whose_upload_the_sweep_took_over_fails_to_commit_and_leaves_nothing()
    {
        var attachment = NewAttachment("slow.txt", new HookedStream("slow"u8.ToArray(), onFirstRead: async () =>
        {
            await using var sweeper = Fixture.CreateContext();
            await sweeper.SweepFileLedgerAsync(new FakeTimeProvider(DateTimeOffset.UtcNow.AddHours(7)));
        }));

        await using (var db = Fixture.CreateContext())
        {
            db.Add(attachment);
            await Assert.ThrowsAsync<DbUpdateConcurrencyException>(() => db.SaveChangesAsync());
        }

        Assert.Empty(await ListAsync(Fixture.Vault, _folder));
        Assert.Empty(await PendingAsync());
        await using var check = Fixture.CreateContext();
        Assert.False(await check.Attachments.AnyAsync(a => a.Folder == _folder));
    }

    [Fact]
    public async Task A_failed_save_deletes_its_upload_and_its_pending_entry()
    {
        await using (var db = Fixture.CreateContext())
        {
            db.Add(new Attachment { Folder = _folder, Title = _folder });
            await db.SaveChangesAsync();
        }

        await using (var db = Fixture.CreateContext())
        {
            db.Add(NewAttachment("duplicate.txt", TestContent.Text("dup"))); // same title: the unique index refuses the row
            await Assert.ThrowsAsync<DbUpdateException>(() => db.SaveChangesAsync());
            Assert.Empty(db.ChangeTracker.Entries<FileLedgerEntry>());
        }

        Assert.Empty(await ListAsync(Fixture.Vault, _folder));
        Assert.Empty(await PendingAsync());
    }

    [Fact]
    public async Task An_upload_in_a_transaction_is_pending_until_the_commit_and_a_rollback_leaves_nothing()
    {
        await using (var db = Fixture.CreateContext())
        {
            await using var transaction = await db.Database.BeginTransactionAsync();
            db.Add(NewAttachment("kept.txt", TestContent.Text("kept")));
            await db.SaveChangesAsync();
            if (Fixture.Database is PostgresDatabase)
            {
                // Recorded on a connection of its own, so a crash before the commit cannot roll the record back.
                Assert.Single(await PendingAsync());
            }

            await transaction.CommitAsync();
        }

        Assert.Single(await ListAsync(Fixture.Vault, _folder));
        Assert.Empty(await PendingAsync());

        await using (var db = Fixture.CreateContext())
        {
            await using var transaction = await db.Database.BeginTransactionAsync();
            db.Add(NewAttachment("dropped.txt", TestContent.Text("dropped"), title: _folder + "-2"));
            await db.SaveChangesAsync();
            await transaction.RollbackAsync();
        }

        Assert.Single(await ListAsync(Fixture.Vault, _folder));
        Assert.Empty(await PendingAsync());
    }

    // ----- Direct uploads -----

    [Fact]
    public async Task A_direct_upload_is_committed_with_its_row_and_its_ticket_commits_once()
    {
        byte[] content = TestContent.Bytes(12 * 1024 * 1024 + 5);
        var upload = await DirectUploadAsync("clip.bin", content);

        await using (var db = Fixture.CreateContext())
        {
            db.Add(new Attachment { Folder = _folder, Title = _folder, File = StoredFile.FromUpload(upload) });
            await db.SaveChangesAsync();
        }

        Assert.Empty(await PendingAsync());
        await using (var db = Fixture.CreateContext())
        {
            var row = await db.Attachments.SingleAsync(a => a.Folder == _folder);
            Assert.Equal(upload.Name, row.File.Name);
            await using var stream = await row.File.OpenReadAsync();
            var copy = new MemoryStream();
            await stream.CopyToAsync(copy);
            Assert.Equal(content, copy.ToArray());

            db.Add(new Attachment { Folder = _folder, Title = _folder + "-again", File = StoredFile.FromUpload(upload) });
            var again = await Assert.ThrowsAsync<UploadTicketException>(() => db.SaveChangesAsync());
            Assert.Equal(UploadTicketProblem.AlreadyCommitted, again.Problem);
        }

        // The refused second commit deleted nothing: the first row still has its file, and nothing is owed.
        Assert.Equal([upload.Name], await ListAsync(Fixture.Vault, _folder));
        Assert.Empty(await OwedAsync());
    }

    [Fact]
    public async Task A_direct_upload_not_complete_yet_is_refused_and_can_be_committed_once_it_is()
    {
        byte[] content = TestContent.Bytes(9 * 1024 * 1024);
        var upload = await DirectUploadAsync("late.bin", content, complete: false);

        await using (var db = Fixture.CreateContext())
        {
            db.Add(new Attachment { Folder = _folder, Title = _folder, File = StoredFile.FromUpload(upload) });
            var early = await Assert.ThrowsAsync<UploadTicketException>(() => db.SaveChangesAsync());
            Assert.Equal(UploadTicketProblem.Incomplete, early.Problem);
            Assert.Single(await PendingAsync()); // nothing was settled: the client may finish and commit again

            // The client sends the part it missed (and, resuming blindly, the others again: a part sent twice replaces itself).
            await DirectUploadClient.SendAsync(Fixture.Vault, upload.Name, DirectUploadPlan.Parts(upload.UploadId!, upload.Length, upload.PartSize), content);
            await Fixture.Vault.CompleteDirectUploadAsync(upload.Name, upload.UploadId!, upload.Length);
            await db.SaveChangesAsync();
        }

        Assert.Empty(await PendingAsync());
        Assert.Equal([upload.Name], await ListAsync(Fixture.Vault, _folder));
    }

    [Fact]
    public async Task A_direct_upload_committed_in_a_rolled_back_transaction_stays_pending_and_the_sweep_removes_it()
    {
        var upload = await DirectUploadAsync("dropped.bin", TestContent.Bytes(1024));
        await using (var db = Fixture.CreateContext())
        {
            await using var transaction = await db.Database.BeginTransactionAsync();
            db.Add(new Attachment { Folder = _folder, Title = _folder, File = StoredFile.FromUpload(upload) });
            await db.SaveChangesAsync();
            await transaction.RollbackAsync();
        }

        Assert.Equal([upload.Name], await ListAsync(Fixture.Vault, _folder)); // a rollback deletes no direct upload: it may be committed again
        Assert.Single(await PendingAsync());

        await using (var db = Fixture.CreateContext())
        {
            var early = await db.SweepFileLedgerAsync(new FakeTimeProvider(upload.ExpiresAt.AddMinutes(-1)));
            Assert.DoesNotContain(early.Done, e => e.Name == upload.Name);
            var due = await db.SweepFileLedgerAsync(new FakeTimeProvider(upload.ExpiresAt.AddHours(1)));
            Assert.Contains(due.Done, e => e.Name == upload.Name && e.State == FileLedgerState.Pending);
        }

        Assert.Empty(await ListAsync(Fixture.Vault, _folder));
        Assert.Empty(await PendingAsync());
    }

    [Fact]
    public async Task An_unfinished_direct_upload_in_parts_is_aborted_by_the_ledger_sweep_and_leaves_no_part()
    {
        var upload = await DirectUploadAsync("parts.bin", TestContent.Bytes(11 * 1024 * 1024), complete: false);
        Assert.NotEmpty(await Fixture.Vault.ListDirectUploadPartsAsync(upload.Name, upload.UploadId!));

        await using (var db = Fixture.CreateContext())
        {
            await db.SweepFileLedgerAsync(new FakeTimeProvider(upload.ExpiresAt.AddHours(1)));
        }

        await Assert.ThrowsAsync<FileNotFoundException>(() => Fixture.Vault.ListDirectUploadPartsAsync(upload.Name, upload.UploadId!));
        Assert.Empty(await ListAsync(Fixture.Vault, _folder));
        Assert.Empty(await PendingAsync());
    }

    [Fact]
    public async Task A_direct_upload_the_sweep_took_over_cannot_be_committed()
    {
        var upload = await DirectUploadAsync("taken.bin", TestContent.Bytes(2048));
        await using (var sweeper = Fixture.CreateContext())
        {
            await sweeper.SweepFileLedgerAsync(new FakeTimeProvider(upload.ExpiresAt.AddHours(1)));
        }

        await using (var db = Fixture.CreateContext())
        {
            db.Add(new Attachment { Folder = _folder, Title = _folder, File = StoredFile.FromUpload(upload) });
            var refused = await Assert.ThrowsAsync<UploadTicketException>(() => db.SaveChangesAsync());
            Assert.Equal(UploadTicketProblem.AlreadyCommitted, refused.Problem);
            Assert.False(await db.Attachments.AnyAsync(a => a.Folder == _folder));
        }
    }

    [Fact]
    public async Task A_direct_upload_longer_than_declared_or_for_another_storage_is_refused()
    {
        var upload = await DirectUploadAsync("short.bin", TestContent.Bytes(100));
        var liar = new DirectUpload(upload.Storage, upload.Name, upload.FileName, 50, upload.ContentType, upload.Method, upload.UploadId, upload.PartSize,
            upload.LedgerEntryId, upload.LedgerDueAt, upload.Owner, upload.ExpiresAt);
        var elsewhere = new DirectUpload("private", upload.Name, upload.FileName, upload.Length, upload.ContentType, upload.Method, upload.UploadId, upload.PartSize,
            upload.LedgerEntryId, upload.LedgerDueAt, upload.Owner, upload.ExpiresAt);
        await using var db = Fixture.CreateContext();
        db.Add(new Attachment { Folder = _folder, Title = _folder, File = StoredFile.FromUpload(liar) });
        var tooLong = await Assert.ThrowsAsync<InvalidFileContentException>(() => db.SaveChangesAsync());
        Assert.Equal(FileContentProblem.TooLarge, tooLong.Problem);
        db.ChangeTracker.Clear();

        db.Add(new Attachment { Folder = _folder, Title = _folder, File = StoredFile.FromUpload(elsewhere) });
        var wrong = await Assert.ThrowsAsync<UploadTicketException>(() => db.SaveChangesAsync());
        Assert.Equal(UploadTicketProblem.WrongStorage, wrong.Problem);
        Assert.Single(await PendingAsync());
    }

    private Task<DirectUpload> DirectUploadAsync(string fileName, byte[] content, bool complete = true) =>
        DirectUploadClient.UploadAsync(Fixture, Fixture.Vault, _folder, fileName, content, complete);

    // ----- Helpers -----

    private Document NewDocument(string fileName, string content, string? title = null) =>
        new() { Folder = _folder, Title = title ?? _folder, File = StoredFile.FromStream(TestContent.Text(content), fileName) };

    private Attachment NewAttachment(string fileName, Stream content, string? title = null) =>
        new() { Folder = _folder, Title = title ?? _folder, File = StoredFile.FromStream(content, fileName) };

    /// <summary>The pending uploads of this test's folder, read on a connection of their own.</summary>
    private async Task<List<FileLedgerEntry>> PendingAsync() =>
        (await OwedAsync()).Where(e => e.State == FileLedgerState.Pending).ToList();

    private async Task<Document> SaveNewAsync(Document document)
    {
        await using var db = Fixture.CreateContext();
        db.Add(document);
        await db.SaveChangesAsync();
        return document;
    }

    private async Task<int> InsertAsync(Document document) => (await SaveNewAsync(document)).Id;

    private async Task<string?> StoredNameAsync(int id)
    {
        await using var db = Fixture.CreateContext();
        return (await db.Documents.AsNoTracking().SingleAsync(d => d.Id == id)).File.Name ?? "";
    }

    /// <summary>Saves a change in a transaction that is committed on the connection, where EF Core (and Coffer) cannot see it.</summary>
    private async Task CommitBehindEFsBackAsync(Func<TestDbContext, Task> change)
    {
        await using var db = Fixture.CreateContext();
        await db.Database.OpenConnectionAsync();
        await using var transaction = await db.Database.GetDbConnection().BeginTransactionAsync();
        await db.Database.UseTransactionAsync(transaction);
        await change(db);
        await db.SaveChangesAsync();
        await transaction.CommitAsync();
    }

    /// <summary>What the file ledger still owes for this test's folder.</summary>
    private Task<List<FileLedgerEntry>> OwedAsync() => Fixture.LedgerEntriesAsync(_folder);

    private async Task<int> CountRowsAsync()
    {
        await using var db = Fixture.CreateContext();
        return await db.Documents.CountAsync(d => d.Folder == _folder);
    }

    private static FakeTimeProvider TwoDaysLater() => new(DateTimeOffset.UtcNow.AddDays(2));

    private static async Task<string> ReadAsync(FileStorage storage, string name)
    {
        await using var stream = await storage.OpenReadAsync(name);
        return await new StreamReader(stream).ReadToEndAsync();
    }

    /// <summary>Every file under <paramref name="directory"/>, recursively, sorted.</summary>
    private static Task<List<string>> ListAsync(FileStorage storage, string directory) => StorageContents.ListAllAsync(storage, directory);
}

/// <summary>Content that runs a callback when it is first read: at the upload's first byte.</summary>
internal sealed class HookedStream(byte[] content, Func<Task> onFirstRead) : ForwardOnlyTestStream
{
    private int _position;
    private bool _started;

    public override int Read(Span<byte> buffer) => throw new NotSupportedException("async only");

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (!_started)
        {
            _started = true;
            await onFirstRead();
        }

        int count = Math.Min(buffer.Length, content.Length - _position);
        content.AsSpan(_position, count).CopyTo(buffer.Span);
        _position += count;
        return count;
    }
}
