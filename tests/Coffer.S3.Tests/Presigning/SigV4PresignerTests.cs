using Coffer.S3;
using Coffer.S3.Presigning;

namespace Coffer.S3.Tests.Presigning;

public sealed class SigV4PresignerTests
{
    private static readonly DateTimeOffset Now = new(2013, 5, 24, 0, 0, 0, TimeSpan.Zero);

    private static readonly PresigningCredentials Example =
        PresigningCredentials.Static("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY");

    public static TheoryData<string> UnreachableKeys => new()
    {
        "/leading-slash.txt",
        "a//b.txt",
        "trailing/",
        "./a.txt",
        "a/./b.txt",
        "a/../b.txt",
        "..",
        "a/..",
        "",
        new string('x', 1025),
        string.Concat(Enumerable.Repeat("é", 513)),
    };

    [Fact]
    public void Aws_documentation_example_reproduces_its_signature()
    {
        // https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-query-string-auth.html, "An example".
        var presigner = new SigV4Presigner(new Uri("https://s3.amazonaws.com"), "us-east-1", "examplebucket", S3AddressingStyle.VirtualHosted, Example);

        string url = presigner.Presign(PresignMethod.Get, "test.txt", Now, TimeSpan.FromSeconds(86400)).Url;

        Assert.Equal(
            "https://examplebucket.s3.amazonaws.com/test.txt?X-Amz-Expires=86400&X-Amz-Algorithm=AWS4-HMAC-SHA256"
            + "&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20130524T000000Z"
            + "&X-Amz-SignedHeaders=host&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404",
            url);
    }

    [Theory]
    [MemberData(nameof(UnreachableKeys))]
    public void Keys_no_url_can_carry_are_rejected_with_an_argument_exception(string key)
    {
        var presigner = CreatePathStyle(Example);

        var error = Assert.Throws<ArgumentException>(() => presigner.Presign(PresignMethod.Get, key, Now, TimeSpan.FromHours(1)).Url);

        Assert.Equal("key", error.ParamName);
    }

    [Fact]
    public void Keys_with_an_unpaired_surrogate_are_rejected()
    {
        // Not in UnreachableKeys: xunit's theory serialization would replace the surrogate with U+FFFD.
        var presigner = CreatePathStyle(Example);

        var error = Assert.Throws<ArgumentException>(() => presigner.Presign(PresignMethod.Get, "lone\ud800surrogate", Now, TimeSpan.FromHours(1)).Url);

        Assert.Contains("unpaired surrogate", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Dot_segment_error_names_the_key_and_the_reason()
    {
        var presigner = CreatePathStyle(Example);

        var error = Assert.Throws<ArgumentException>(() => presigner.Presign(PresignMethod.Get, "files/../secret.txt", Now, TimeSpan.FromHours(1)).Url);

        Assert.Contains("'files/../secret.txt'", error.Message, StringComparison.Ordinal);
        Assert.Contains("'.' or '..' segment", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Keys_with_dots_inside_segments_are_accepted()
    {
        var presigner = CreatePathStyle(Example);

        string url = presigner.Presign(PresignMethod.Get, "..a/b../.c/d.", Now, TimeSpan.FromHours(1)).Url;

        Assert.StartsWith("http://127.0.0.1:4568/bucket-name/..a/b../.c/d.?", url, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0.999)]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(604801)]
    public void Expiry_outside_one_second_to_seven_days_is_rejected(double seconds)
    {
        var presigner = CreatePathStyle(Example);

        var error = Assert.Throws<ArgumentOutOfRangeException>(() => presigner.Presign(PresignMethod.Get, "a.txt", Now, TimeSpan.FromSeconds(seconds)).Url);

        Assert.Equal("expiry", error.ParamName);
        Assert.Contains("between 1 second and 7 days", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(604800)]
    public void Expiry_at_the_limits_is_signed(int seconds)
    {
        var presigner = CreatePathStyle(Example);

        string url = presigner.Presign(PresignMethod.Get, "a.txt", Now, TimeSpan.FromSeconds(seconds)).Url;

        Assert.Contains($"X-Amz-Expires={seconds}&", url, StringComparison.Ordinal);
    }

    [Fact]
    public void Expiry_is_clamped_to_the_credentials_expiration_and_reported()
    {
        var credentials = PresigningCredentials.Static("ASIAEXAMPLE", "secret", "token", expiration: Now.AddMinutes(10));
        var presigner = CreatePathStyle(credentials);

        (string url, DateTimeOffset? expiresAt) = presigner.Presign(PresignMethod.Get, "a.txt", Now.AddMilliseconds(700), TimeSpan.FromHours(1), ResponseOverrides.None);

        Assert.Contains("X-Amz-Expires=600&", url, StringComparison.Ordinal);
        Assert.Equal(Now.AddMinutes(10), expiresAt);
    }

    [Fact]
    public void Expiry_shorter_than_the_credentials_is_kept_and_reported()
    {
        var credentials = PresigningCredentials.Static("ASIAEXAMPLE", "secret", "token", expiration: Now.AddHours(6));
        var presigner = CreatePathStyle(credentials);

        (string url, DateTimeOffset? expiresAt) = presigner.Presign(PresignMethod.Get, "a.txt", Now.AddMilliseconds(700), TimeSpan.FromHours(1), ResponseOverrides.None);

        Assert.Contains("X-Amz-Expires=3600&", url, StringComparison.Ordinal);
        Assert.Equal(Now.AddHours(1), expiresAt);
    }

    [Fact]
    public void Expired_credentials_fail_instead_of_signing_a_dead_url()
    {
        var credentials = PresigningCredentials.Static("ASIAEXAMPLE", "secret", "token", expiration: Now.AddMilliseconds(500));
        var presigner = CreatePathStyle(credentials);

        var error = Assert.Throws<InvalidOperationException>(() => presigner.Presign(PresignMethod.Get, "a.txt", Now, TimeSpan.FromHours(1)).Url);

        Assert.Contains("ASIAEXAMPLE", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("secret", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Http_endpoint_stays_http_and_keeps_its_port()
    {
        var presigner = CreatePathStyle(Example);

        string url = presigner.Presign(PresignMethod.Get, "a.txt", Now, TimeSpan.FromHours(1)).Url;

        Assert.StartsWith("http://127.0.0.1:4568/bucket-name/a.txt?", url, StringComparison.Ordinal);
    }

    [Fact]
    public void Virtual_hosted_style_puts_the_bucket_in_the_host()
    {
        var presigner = new SigV4Presigner(new Uri("https://minio.example.com:9000"), "us-east-1", "bucket-name", S3AddressingStyle.VirtualHosted, Example);

        string url = presigner.Presign(PresignMethod.Get, "a.txt", Now, TimeSpan.FromHours(1)).Url;

        Assert.StartsWith("https://bucket-name.minio.example.com:9000/a.txt?", url, StringComparison.Ordinal);
    }

    [Fact]
    public void Virtual_hosted_style_on_an_ip_address_is_rejected()
    {
        var error = Assert.Throws<ArgumentException>(() => new SigV4Presigner(new Uri("http://127.0.0.1:4568"), "us-east-1", "bucket-name", S3AddressingStyle.VirtualHosted, Example));

        Assert.Contains("S3AddressingStyle.Path", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Upper")]
    [InlineData("ab")]
    [InlineData("under_score")]
    [InlineData("-dash")]
    [InlineData("a..b")]
    public void Invalid_bucket_names_are_rejected(string bucket)
    {
        var error = Assert.Throws<ArgumentException>(() => new SigV4Presigner(new Uri("http://127.0.0.1:4568"), "us-east-1", bucket, S3AddressingStyle.Path, Example));

        Assert.Equal("bucket", error.ParamName);
    }

    [Fact]
    public void Response_overrides_are_signed_in_sorted_order_after_the_sdk_parameters()
    {
        var presigner = CreatePathStyle(Example);
        var overrides = new ResponseOverrides { ContentType = "text/plain", ContentDisposition = "inline", CacheControl = "no-store" };

        string url = presigner.Presign(PresignMethod.Get, "a.txt", Now, TimeSpan.FromHours(1), overrides).Url;

        Assert.Contains("?X-Amz-Expires=3600&response-cache-control=no-store&response-content-disposition=inline&response-content-type=text%2Fplain&X-Amz-Algorithm=", url, StringComparison.Ordinal);
    }

    [Fact]
    public void Session_token_is_sent_as_security_token()
    {
        var presigner = CreatePathStyle(PresigningCredentials.Static("ASIAEXAMPLE", "secret", "to/ken+="));

        string url = presigner.Presign(PresignMethod.Get, "a.txt", Now, TimeSpan.FromHours(1)).Url;

        Assert.Contains("&X-Amz-Security-Token=to%2Fken%2B%3D&", url, StringComparison.Ordinal);
    }

    [Fact]
    public void Attachment_overrides_carry_an_ascii_fallback_and_the_utf8_name()
    {
        ResponseOverrides overrides = ResponseOverrides.Attachment("Größe \"1\".pdf", "application/pdf");

        Assert.Equal("attachment; filename=\"Gr__e _1_.pdf\"; filename*=UTF-8''Gr%C3%B6%C3%9Fe%20%221%22.pdf", overrides.ContentDisposition);
        Assert.Equal("application/pdf", overrides.ContentType);
    }

    [Fact]
    public void Credentials_change_is_picked_up_by_the_next_url()
    {
        var source = new SwitchableCredentials(new SigningCredentials("AKIDFIRST", "secret-1"));
        var presigner = CreatePathStyle(source);
        string first = presigner.Presign(PresignMethod.Get, "a.txt", Now, TimeSpan.FromHours(1)).Url;

        source.Set(new SigningCredentials("AKIDSECOND", "secret-2"));
        string second = presigner.Presign(PresignMethod.Get, "a.txt", Now, TimeSpan.FromHours(1)).Url;

        Assert.Contains("X-Amz-Credential=AKIDFIRST%2F", first, StringComparison.Ordinal);
        Assert.Contains("X-Amz-Credential=AKIDSECOND%2F", second, StringComparison.Ordinal);
    }

    [Fact]
    public void Signing_across_midnight_uses_each_days_scope()
    {
        var presigner = CreatePathStyle(Example);

        string before = presigner.Presign(PresignMethod.Get, "a.txt", Now.AddSeconds(-1), TimeSpan.FromHours(1)).Url;
        string after = presigner.Presign(PresignMethod.Get, "a.txt", Now, TimeSpan.FromHours(1)).Url;

        Assert.Contains("%2F20130523%2F", before, StringComparison.Ordinal);
        Assert.Contains("X-Amz-Date=20130523T235959Z", before, StringComparison.Ordinal);
        Assert.Contains("%2F20130524%2F", after, StringComparison.Ordinal);
    }

    [Fact]
    public void Signing_allocates_only_the_returned_string()
    {
        var presigner = CreatePathStyle(PresigningCredentials.Static("ASIAEXAMPLE", "secret", "token"));
        var overrides = ResponseOverrides.Attachment("report é.pdf", "application/pdf");
        string warm = presigner.Presign(PresignMethod.Get, "private/files/report é.pdf", Now, TimeSpan.FromHours(1), overrides).Url;

        long before = GC.GetAllocatedBytesForCurrentThread();
        string url = presigner.Presign(PresignMethod.Get, "private/files/report é.pdf", Now, TimeSpan.FromHours(1), overrides).Url;
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(warm, url);
        long stringSize = 22 + (2L * url.Length); // object header, length and terminator on 64-bit, rounded below
        Assert.InRange(allocated, 1, stringSize + 8);
    }

    [Fact]
    public void Concurrent_signing_across_days_and_credential_rotations_matches_sequential_signing()
    {
        var first = new SigningCredentials("AKIDFIRST", "secret-1");
        var second = new SigningCredentials("AKIDSECOND", "secret-2", "token-2");
        List<string> keys = HostileKeys.Random(2000, seed: 11);
        DateTimeOffset TimeOf(int i) => Now.AddHours(i % 2 == 0 ? -1 : 1).AddSeconds(i % 7);
        SigningCredentials CredentialsOf(int i) => (i / 100) % 2 == 0 ? first : second;
        string[] expected = keys.Select((key, i) => CreatePathStyle(PresigningCredentials.Static(CredentialsOf(i))).Presign(PresignMethod.Get, key, TimeOf(i), TimeSpan.FromHours(1)).Url).ToArray();
        var source = new SwitchableCredentials(first);
        var shared = CreatePathStyle(source);
        string[] actual = new string[keys.Count];

        Parallel.For(0, keys.Count, new ParallelOptions { MaxDegreeOfParallelism = 4 }, i =>
        {
            // Each block of 100 keys belongs to one credentials set; rotate the shared source to it, then sign while others rotate it back.
            SigningCredentials wanted = CredentialsOf(i);
            for (int attempt = 0; attempt < 1000; attempt++)
            {
                source.Set(wanted);
                string url = shared.Presign(PresignMethod.Get, keys[i], TimeOf(i), TimeSpan.FromHours(1)).Url;
                if (url.Contains("X-Amz-Credential=" + wanted.AccessKeyId + "%2F", StringComparison.Ordinal))
                {
                    actual[i] = url;
                    return;
                }
            }
        });

        Assert.Equal(expected, actual);
    }

    private static SigV4Presigner CreatePathStyle(PresigningCredentials credentials) =>
        new(new Uri("http://127.0.0.1:4568"), "us-east-1", "bucket-name", S3AddressingStyle.Path, credentials);

    private sealed class SwitchableCredentials(SigningCredentials first) : PresigningCredentials
    {
        private SigningCredentials _current = first;

        public override SigningCredentials Current => Volatile.Read(ref _current);

        public void Set(SigningCredentials credentials) => Volatile.Write(ref _current, credentials);
    }
}
