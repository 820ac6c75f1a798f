using System.Security.Claims;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Coffer.AspNetCore.Tests;

/// <summary>
/// The ticket of a direct upload, from <see cref="DirectUploads.StartAsync"/> to <see cref="DirectUploads.Read"/>: it
/// carries the upload unchanged, and is refused when changed, expired, someone else's, or another app's.
/// </summary>
public sealed class DirectUploadTicketTests
{
    private const int MiB = 1024 * 1024;

    private static readonly ClaimsPrincipal Alice = User("alice");

    // Whole milliseconds, as a ticket carries its expiry: the expiry is then exactly the instant from which it is refused.
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.FromUnixTimeMilliseconds(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()));

    private readonly MemoryLedger _ledger = new();

    private static ClaimsPrincipal User(string id) => new(new ClaimsIdentity([new Claim(ClaimTypes.NameIdentifier, id)], "test"));

    private Task<TestApp> StartAppAsync() => TestApp.StartAsync(
        services: s =>
        {
            s.AddCoffer().AddDirectUploads();
            s.AddSingleton<IPendingUploadLedger>(_ledger);
            s.AddSingleton<TimeProvider>(_clock);
        },
        endpoints: e => e.MapCofferUploads());

    private static async Task<DirectUploadTicket> StartAsync(TestApp app, ClaimsPrincipal user, long length = 20 * MiB)
    {
        var started = await app.Services.GetRequiredService<DirectUploads>().StartAsync(app.Storage("private"), "holiday.mov", length, "video/quicktime", user);
        Assert.True(started.Succeeded);
        return started.Ticket!;
    }

    private static UploadTicketProblem Refusal(TestApp app, string? ticket, ClaimsPrincipal user) =>
        Assert.Throws<UploadTicketException>(() => app.Services.GetRequiredService<DirectUploads>().Read(ticket, user)).Problem;

    [Fact]
    public async Task A_ticket_reads_back_as_the_upload_it_was_issued_for()
    {
        await using var app = await StartAppAsync();

        var ticket = await StartAsync(app, Alice);
        var upload = app.Services.GetRequiredService<DirectUploads>().Read(ticket.Ticket, Alice);

        var entry = Assert.Single(_ledger.Entries);
        Assert.Equal(("private", ticket.Name, "holiday.mov", 20L * MiB, "video/quicktime"), (upload.Storage, upload.Name, upload.FileName, upload.Length, upload.ContentType));
        Assert.Equal((DirectUploadMethod.Parts, 8L * MiB, 3), (upload.Method, upload.PartSize, upload.PartCount));
        Assert.False(string.IsNullOrEmpty(upload.UploadId));
        Assert.Equal((entry.Id, entry.DueAt), (upload.LedgerEntryId, upload.LedgerDueAt));
        Assert.Equal("alice", upload.Owner);
        Assert.Equal(ticket.ExpiresAt.ToUnixTimeMilliseconds(), upload.ExpiresAt.ToUnixTimeMilliseconds());
        Assert.Equal(_clock.GetUtcNow() + TimeSpan.FromHours(1), ticket.ExpiresAt);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(-2)]
    [InlineData(-1)]
    public async Task A_ticket_with_one_character_changed_is_invalid(int position)
    {
        await using var app = await StartAppAsync();
        string ticket = (await StartAsync(app, Alice)).Ticket;
        int index = position < 0 ? ticket.Length + position : position;
        char[] chars = ticket.ToCharArray();
        chars[index] = chars[index] == 'A' ? 'B' : 'A';

        Assert.Equal(UploadTicketProblem.Invalid, Refusal(app, new string(chars), Alice));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("not a ticket")]
    [InlineData("CfDJ8")]
    public async Task What_is_not_a_ticket_is_invalid(string? ticket)
    {
        await using var app = await StartAppAsync();

        Assert.Equal(UploadTicketProblem.Invalid, Refusal(app, ticket, Alice));
    }

    [Fact]
    public async Task A_ticket_longer_than_any_ticket_is_invalid_without_being_decoded()
    {
        await using var app = await StartAppAsync();
        string ticket = (await StartAsync(app, Alice)).Ticket;

        Assert.Equal(UploadTicketProblem.Invalid, Refusal(app, ticket + new string('A', 8192), Alice));
    }

    [Fact]
    public async Task A_ticket_works_until_its_expiry_and_not_from_then_on()
    {
        await using var app = await StartAppAsync();
        var ticket = await StartAsync(app, Alice);
        var uploads = app.Services.GetRequiredService<DirectUploads>();

        _clock.SetUtcNow(ticket.ExpiresAt - TimeSpan.FromMilliseconds(1));
        var upload = uploads.Read(ticket.Ticket, Alice);
        _clock.SetUtcNow(ticket.ExpiresAt);
        var ex = Assert.Throws<UploadTicketException>(() => uploads.Read(ticket.Ticket, Alice));

        Assert.Equal(ticket.Name, upload.Name);
        Assert.Equal(UploadTicketProblem.Expired, ex.Problem);
        Assert.Contains("expired", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_ticket_read_by_another_user_or_anonymously_is_someone_elses()
    {
        await using var app = await StartAppAsync();
        string ticket = (await StartAsync(app, Alice)).Ticket;

        Assert.Equal(UploadTicketProblem.WrongOwner, Refusal(app, ticket, User("bob")));
        Assert.Equal(UploadTicketProblem.WrongOwner, Refusal(app, ticket, new ClaimsPrincipal(new ClaimsIdentity())));
    }

    [Fact]
    public async Task A_ticket_of_another_app_is_invalid()
    {
        await using var issuer = await StartAppAsync();
        await using var other = await StartAppAsync(); // its own content root, so its own Data Protection keys
        string ticket = (await StartAsync(issuer, Alice)).Ticket;

        Assert.Equal(UploadTicketProblem.Invalid, Refusal(other, ticket, Alice));
    }

    [Fact]
    public async Task The_part_urls_of_the_parts_answer_are_written_with_a_plain_ampersand()
    {
        await using var app = await StartAppAsync();
        string ticket = (await StartAsync(app, new ClaimsPrincipal(new ClaimsIdentity()))).Ticket; // anonymous: the test client's caller

        using var response = await app.Client.PostAsync(new Uri("/coffer-uploads/parts", UriKind.Relative), new StringContent(
            System.Text.Json.JsonSerializer.Serialize(new { ticket, partNumbers = new[] { 1, 2 } }), System.Text.Encoding.UTF8, "application/json"));
        string body = await response.Content.ReadAsStringAsync();

        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("&", body, StringComparison.Ordinal);
        Assert.DoesNotContain("\\u0026", body, StringComparison.Ordinal);
    }

    [Fact]
    public void The_default_options_are_valid()
    {
        var options = Options(_ => { });

        Assert.Equal((TimeSpan.FromHours(1), TimeSpan.FromMinutes(10), 100), (options.TicketLifetime, options.SweepGrace, options.MaxPartUrlsPerRequest));
    }

    [Fact]
    public void The_options_at_their_bounds_are_valid()
    {
        Options(o => (o.TicketLifetime, o.SweepGrace, o.MaxPartUrlsPerRequest) = (TimeSpan.FromMinutes(1), TimeSpan.Zero, 1));
        Options(o => (o.TicketLifetime, o.SweepGrace, o.MaxPartUrlsPerRequest) = (TimeSpan.FromDays(7), TimeSpan.FromDays(1), 1000));
    }

    [Theory]
    [InlineData("TicketLifetime", "00:00:59")]
    [InlineData("TicketLifetime", "7.00:00:01")]
    [InlineData("SweepGrace", "-00:00:01")]
    [InlineData("SweepGrace", "1.00:00:01")]
    [InlineData("MaxPartUrlsPerRequest", "0")]
    [InlineData("MaxPartUrlsPerRequest", "1001")]
    public void A_bad_option_is_named_with_its_value_and_its_range(string key, string value)
    {
        var ex = Assert.Throws<OptionsValidationException>(() => Options(o => Set(o, key, value)));

        string failure = Assert.Single(ex.Failures);
        Assert.StartsWith($"DirectUploads:{key} is {value}; it must be between ", failure, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_bad_option_is_named_at_once()
    {
        var ex = Assert.Throws<OptionsValidationException>(() => Options(o =>
            (o.TicketLifetime, o.SweepGrace, o.MaxPartUrlsPerRequest) = (TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(-1), 0)));

        Assert.Equal(["DirectUploads:TicketLifetime", "DirectUploads:SweepGrace", "DirectUploads:MaxPartUrlsPerRequest"],
            ex.Failures.Select(f => f[..f.IndexOf(' ', StringComparison.Ordinal)]));
    }

    private static DirectUploadOptions Options(Action<DirectUploadOptions> configure)
    {
        var services = new ServiceCollection();
        services.AddCoffer().AddDirectUploads(configure);
        using var provider = services.BuildServiceProvider();
        return provider.GetRequiredService<IOptions<DirectUploadOptions>>().Value;
    }

    private static void Set(DirectUploadOptions options, string key, string value)
    {
        switch (key)
        {
            case nameof(DirectUploadOptions.TicketLifetime):
                options.TicketLifetime = TimeSpan.Parse(value, System.Globalization.CultureInfo.InvariantCulture);
                break;
            case nameof(DirectUploadOptions.SweepGrace):
                options.SweepGrace = TimeSpan.Parse(value, System.Globalization.CultureInfo.InvariantCulture);
                break;
            default:
                options.MaxPartUrlsPerRequest = int.Parse(value, System.Globalization.CultureInfo.InvariantCulture);
                break;
        }
    }

    /// <summary>A ledger of pending uploads in memory: what the tickets carry of it is what it recorded.</summary>
    private sealed class MemoryLedger : IPendingUploadLedger
    {
        private long _next;

        public List<PendingUploadEntry> Entries { get; } = [];

        public Task<PendingUploadEntry> RecordAsync(string storage, string name, DateTimeOffset dueAt, CancellationToken cancellationToken)
        {
            var entry = new PendingUploadEntry(Interlocked.Increment(ref _next), new DateTime(dueAt.UtcTicks - (dueAt.UtcTicks % TimeSpan.TicksPerMillisecond), DateTimeKind.Utc));
            lock (Entries)
            {
                Entries.Add(entry);
            }

            return Task.FromResult(entry);
        }

        public Task<bool> TryAbandonAsync(PendingUploadEntry entry, CancellationToken cancellationToken) => Task.FromResult(false);

        public Task ForgetAsync(long id, CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
