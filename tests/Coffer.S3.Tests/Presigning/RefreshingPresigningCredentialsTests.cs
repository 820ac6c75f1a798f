using Coffer.S3;
using Amazon.Runtime;
using Coffer.S3.Presigning;
using Microsoft.Extensions.Time.Testing;

namespace Coffer.S3.Tests.Presigning;

public sealed class RefreshingPresigningCredentialsTests
{
    private static readonly DateTimeOffset Start = new(2030, 1, 1, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Credentials_are_replaced_in_the_background_ahead_of_their_expiry()
    {
        var time = new FakeTimeProvider(Start);
        var source = new ScriptedAwsCredentials(time, lifetime: TimeSpan.FromHours(1));
        using var credentials = await RefreshingPresigningCredentials.CreateAsync(source, new RefreshingCredentialsOptions { TimeProvider = time, RefreshAhead = TimeSpan.FromMinutes(15) });

        time.Advance(TimeSpan.FromMinutes(44));
        string beforeRefresh = credentials.Current.AccessKeyId;
        time.Advance(TimeSpan.FromMinutes(1));

        Assert.Equal("ASIA0001", beforeRefresh);
        Assert.Equal("ASIA0002", credentials.Current.AccessKeyId);
        Assert.Equal(Start.AddMinutes(45).AddHours(1), credentials.Current.Expiration);
        Assert.Equal(Start.AddMinutes(90), credentials.NextRefreshAt);
    }

    [Fact]
    public async Task Reading_current_never_waits_for_a_refresh_in_flight()
    {
        var time = new FakeTimeProvider(Start);
        var source = new ScriptedAwsCredentials(time, lifetime: TimeSpan.FromHours(1));
        using var credentials = await RefreshingPresigningCredentials.CreateAsync(source, new RefreshingCredentialsOptions { TimeProvider = time });
        var hang = new TaskCompletionSource<ImmutableCredentials>(TaskCreationOptions.RunContinuationsAsynchronously);
        source.Hang = hang;

        time.Advance(TimeSpan.FromMinutes(45)); // the refresh starts and hangs in the provider
        SigningCredentials during = credentials.Current;
        hang.SetResult(new ImmutableCredentials("ASIALATE", "secret", "token"));
        await WaitUntil(() => credentials.Current.AccessKeyId == "ASIALATE");

        Assert.Equal("ASIA0001", during.AccessKeyId);
    }

    [Fact]
    public async Task A_failed_refresh_keeps_the_old_credentials_and_retries()
    {
        var time = new FakeTimeProvider(Start);
        var source = new ScriptedAwsCredentials(time, lifetime: TimeSpan.FromHours(1));
        using var credentials = await RefreshingPresigningCredentials.CreateAsync(source, new RefreshingCredentialsOptions { TimeProvider = time, RetryDelay = TimeSpan.FromSeconds(30) });
        source.Fail = true;

        time.Advance(TimeSpan.FromMinutes(45));
        Exception? error = credentials.LastRefreshError;
        string during = credentials.Current.AccessKeyId;
        source.Fail = false;
        time.Advance(TimeSpan.FromSeconds(30));

        Assert.IsType<AmazonServiceException>(error);
        Assert.Equal("ASIA0001", during);
        Assert.Equal("ASIA0003", credentials.Current.AccessKeyId); // 0002 was the failed call
        Assert.Null(credentials.LastRefreshError);
    }

    [Fact]
    public async Task Urls_signed_near_the_end_of_the_credentials_are_clamped_to_them()
    {
        var time = new FakeTimeProvider(Start);
        var source = new ScriptedAwsCredentials(time, lifetime: TimeSpan.FromMinutes(20));
        using var credentials = await RefreshingPresigningCredentials.CreateAsync(source, new RefreshingCredentialsOptions { TimeProvider = time });
        var presigner = new SigV4Presigner(new Uri("http://127.0.0.1:4568"), "us-east-1", "bucket-name", S3AddressingStyle.Path, credentials);

        (string url, DateTimeOffset? expiresAt) = presigner.Presign(PresignMethod.Get, "a.txt", Start, TimeSpan.FromHours(1), ResponseOverrides.None);

        Assert.Contains("X-Amz-Expires=1200&", url, StringComparison.Ordinal);
        Assert.Equal(Start.AddMinutes(20), expiresAt);
    }

    [Fact]
    public async Task Credentials_that_do_not_expire_are_not_refreshed()
    {
        var time = new FakeTimeProvider(Start);
        using var credentials = await RefreshingPresigningCredentials.CreateAsync(new BasicAWSCredentials("AKIDLONGTERM", "secret"), new RefreshingCredentialsOptions { TimeProvider = time });

        time.Advance(TimeSpan.FromDays(30));

        Assert.Null(credentials.NextRefreshAt);
        Assert.Equal("AKIDLONGTERM", credentials.Current.AccessKeyId);
        Assert.Null(credentials.Current.Expiration);
    }

    [Fact]
    public async Task Short_lived_credentials_refresh_halfway_through_their_life()
    {
        var time = new FakeTimeProvider(Start);
        var source = new ScriptedAwsCredentials(time, lifetime: TimeSpan.FromMinutes(10));

        using var credentials = await RefreshingPresigningCredentials.CreateAsync(source, new RefreshingCredentialsOptions { TimeProvider = time, RefreshAhead = TimeSpan.FromMinutes(15) });

        Assert.Equal(Start.AddMinutes(5), credentials.NextRefreshAt);
    }

    [Fact]
    public async Task Sdk_refreshing_credentials_are_made_to_fetch_new_ones_before_they_expire()
    {
        // RefreshingAWSCredentials checks expiry against the real clock, so the fake clock starts at the real now.
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using var source = new CountingRefreshingAwsCredentials(TimeSpan.FromMinutes(20));
        using var credentials = await RefreshingPresigningCredentials.CreateAsync(source, new RefreshingCredentialsOptions { TimeProvider = time, RefreshAhead = TimeSpan.FromMinutes(15) });

        time.Advance(TimeSpan.FromMinutes(5)); // 15 minutes before expiry: the SDK would still hand out the cached set
        await WaitUntil(() => credentials.Current.AccessKeyId == "ASIA0002");

        Assert.Equal(2, source.Generated);
    }

    [Fact]
    public async Task Starting_does_not_wait_for_the_provider_and_only_a_reader_before_the_first_fetch_waits()
    {
        var time = new FakeTimeProvider(Start);
        var first = new TaskCompletionSource<ImmutableCredentials>(TaskCreationOptions.RunContinuationsAsynchronously);
        var source = new ScriptedAwsCredentials(time, lifetime: TimeSpan.FromHours(1)) { Hang = first };

        using var credentials = RefreshingPresigningCredentials.Start(source, new RefreshingCredentialsOptions { TimeProvider = time });
        Task<SigningCredentials> reading = Task.Run(() => credentials.Current);
        await Task.Delay(200);
        bool readBeforeFetch = reading.IsCompleted;
        first.SetResult(new ImmutableCredentials("ASIAFIRST", "secret", "token"));

        Assert.False(readBeforeFetch);
        Assert.Equal("ASIAFIRST", (await reading.WaitAsync(TimeSpan.FromSeconds(10))).AccessKeyId);
        Assert.Equal("ASIAFIRST", credentials.Current.AccessKeyId);
    }

    [Fact]
    public async Task A_failed_first_fetch_says_so_when_signing_and_is_retried_in_the_background()
    {
        var time = new FakeTimeProvider(Start);
        var source = new ScriptedAwsCredentials(time, lifetime: TimeSpan.FromHours(1)) { Fail = true };
        using var credentials = RefreshingPresigningCredentials.Start(source, new RefreshingCredentialsOptions { TimeProvider = time, RetryDelay = TimeSpan.FromSeconds(30) });

        var error = Assert.Throws<InvalidOperationException>(() => credentials.Current);
        source.Fail = false;
        time.Advance(TimeSpan.FromSeconds(30));
        await WaitUntil(() => credentials.LastRefreshError is null);

        Assert.Contains("No AWS credentials could be fetched", error.Message, StringComparison.Ordinal);
        Assert.IsType<AmazonServiceException>(error.InnerException);
        Assert.Equal("ASIA0002", credentials.Current.AccessKeyId);
    }

    private static async Task WaitUntil(Func<bool> condition)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (!condition())
        {
            await Task.Delay(10, timeout.Token);
        }
    }

    /// <summary>The SDK's own refreshing base class, generating a new set (ASIA0001, …) each time it decides to.</summary>
    private sealed class CountingRefreshingAwsCredentials(TimeSpan lifetime) : RefreshingAWSCredentials
    {
        private int _generated;

        public int Generated => Volatile.Read(ref _generated);

        protected override CredentialsRefreshState GenerateNewCredentials()
        {
            int call = Interlocked.Increment(ref _generated);
            return new CredentialsRefreshState(new ImmutableCredentials($"ASIA{call:D4}", $"secret-{call}", $"token-{call}"), DateTime.UtcNow + lifetime);
        }

        protected override Task<CredentialsRefreshState> GenerateNewCredentialsAsync() => Task.FromResult(GenerateNewCredentials());
    }

    /// <summary>A provider that hands out ASIA0001, ASIA0002, … each living <c>lifetime</c> from the fake now.</summary>
    private sealed class ScriptedAwsCredentials(FakeTimeProvider time, TimeSpan lifetime) : AWSCredentials
    {
        private int _calls;

        public bool Fail { get; set; }

        public TaskCompletionSource<ImmutableCredentials>? Hang { get; set; }

        public override ImmutableCredentials GetCredentials()
        {
            int call = Interlocked.Increment(ref _calls);
            if (Fail)
            {
                throw new AmazonServiceException("The metadata service is unavailable.");
            }

            Expiration = (time.GetUtcNow() + lifetime).UtcDateTime;
            return new ImmutableCredentials($"ASIA{call:D4}", $"secret-{call}", $"token-{call}");
        }

        public override Task<ImmutableCredentials> GetCredentialsAsync()
        {
            if (Hang is { } hang)
            {
                Hang = null;
                Expiration = (time.GetUtcNow() + lifetime).UtcDateTime;
                return hang.Task;
            }

            return Task.FromResult(GetCredentials());
        }
    }
}
