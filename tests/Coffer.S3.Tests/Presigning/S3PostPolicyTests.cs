using System.Globalization;
using System.Text;
using System.Text.Json;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using Coffer.S3.Presigning;

namespace Coffer.S3.Tests.Presigning;

public sealed class S3PostPolicyTests
{
    private const string AccessKey = "AKIAIOSFODNN7EXAMPLE";
    private const string SecretKey = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
    private static readonly Uri Endpoint = new("http://127.0.0.1:4568");

    [Theory]
    [InlineData(null)]
    [InlineData("session-token/with+chars=")]
    public void The_signature_and_credential_are_those_of_the_aws_sdk_for_the_same_policy(string? token)
    {
        // The SDK signs at its own clock; its signature of its policy is compared with ours of the same text and date.
        AWSCredentials sdkCredentials = token is null ? new BasicAWSCredentials(AccessKey, SecretKey) : new SessionAWSCredentials(AccessKey, SecretKey, token);
        using var client = new AmazonS3Client(sdkCredentials, new AmazonS3Config { ServiceURL = Endpoint.ToString(), ForcePathStyle = true, AuthenticationRegion = "us-east-1" });
        var sdk = client.CreatePresignedPost(new CreatePresignedPostRequest
        {
            BucketName = "media",
            Key = "private/a.pdf",
            Expires = DateTime.UtcNow.AddMinutes(5),
            Conditions = [S3PostCondition.ExactMatch("Content-Type", "application/pdf"), S3PostCondition.ContentLengthRange(1, 100)],
        });
        var sdkFields = new Dictionary<string, string>(sdk.Fields, StringComparer.OrdinalIgnoreCase);
        var signedAt = DateTimeOffset.ParseExact(sdkFields["x-amz-date"], "yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);
        var presigner = new SigV4Presigner(Endpoint, "us-east-1", "media", S3AddressingStyle.Path, PresigningCredentials.Static(AccessKey, SecretKey, token));

        var ours = S3PostPolicy.Create(presigner, "private/a.pdf", 1, 100, "application/pdf", [], signedAt, TimeSpan.FromMinutes(5));
        var state = presigner.Begin(signedAt, TimeSpan.FromMinutes(5), out _, out _);

        Assert.Equal(sdkFields["x-amz-signature"], presigner.SignString(state, Encoding.ASCII.GetBytes(sdkFields["policy"])));
        var fields = ours.Fields.ToDictionary(f => f.Key, f => f.Value);
        Assert.Equal(sdkFields["x-amz-credential"], fields["x-amz-credential"]);
        Assert.Equal(sdkFields["x-amz-date"], fields["x-amz-date"]);
        Assert.Equal(sdkFields["x-amz-algorithm"], fields["x-amz-algorithm"]);
        Assert.Equal(token, fields.GetValueOrDefault("x-amz-security-token"));
        Assert.Equal(new Uri(sdk.Url).AbsoluteUri.TrimEnd('/'), ours.Url.AbsoluteUri.TrimEnd('/'));
    }

    [Fact]
    public void Every_field_but_the_policy_and_signature_is_bound_by_an_exact_condition()
    {
        var presigner = new SigV4Presigner(Endpoint, "us-east-1", "media", S3AddressingStyle.Path, PresigningCredentials.Static(AccessKey, SecretKey, "token"));
        var now = new DateTimeOffset(2026, 12, 2, 18, 0, 0, TimeSpan.Zero);

        var form = S3PostPolicy.Create(presigner, "private/é \"q\".pdf", 1, 100, "application/pdf", [new("acl", "private"), new("x-amz-meta-owner", "42")], now, TimeSpan.FromMinutes(5));

        using var policy = JsonDocument.Parse(Convert.FromBase64String(form.Fields.Single(f => f.Key == "policy").Value));
        Assert.Equal("2026-12-02T18:05:00.000Z", policy.RootElement.GetProperty("expiration").GetString());
        var exact = new Dictionary<string, string>();
        long[]? range = null;
        foreach (var condition in policy.RootElement.GetProperty("conditions").EnumerateArray())
        {
            if (condition.ValueKind == JsonValueKind.Object)
            {
                var property = condition.EnumerateObject().Single();
                exact.Add(property.Name, property.Value.GetString()!);
            }
            else if (condition[0].GetString() == "eq")
            {
                exact.Add(condition[1].GetString()!.TrimStart('$'), condition[2].GetString()!);
            }
            else
            {
                Assert.Equal("content-length-range", condition[0].GetString());
                range = [condition[1].GetInt64(), condition[2].GetInt64()];
            }
        }

        Assert.Equal([1L, 100L], range!);
        Assert.Equal("media", exact["bucket"]);
        Assert.Equal(form.Fields.Where(f => f.Key is not ("policy" or "x-amz-signature")), exact.Where(e => e.Key != "bucket"));
        Assert.Equal(["key", "acl", "x-amz-meta-owner", "Content-Type", "x-amz-security-token", "x-amz-algorithm", "x-amz-credential", "x-amz-date", "policy", "x-amz-signature"], form.Fields.Select(f => f.Key));
        Assert.Equal(now.AddMinutes(5), form.ExpiresAt);
    }

    [Fact]
    public void A_form_never_outlives_its_credentials()
    {
        var now = new DateTimeOffset(2026, 12, 2, 18, 0, 0, TimeSpan.Zero);
        var presigner = new SigV4Presigner(Endpoint, "us-east-1", "media", S3AddressingStyle.Path, PresigningCredentials.Static(AccessKey, SecretKey, "token", now.AddMinutes(2)));

        var form = S3PostPolicy.Create(presigner, "a.pdf", 1, 100, "application/pdf", [], now, TimeSpan.FromHours(1));

        Assert.Equal(now.AddMinutes(2), form.ExpiresAt);
        Assert.Contains("2026-12-02T18:02:00.000Z", Encoding.UTF8.GetString(Convert.FromBase64String(form.Fields.Single(f => f.Key == "policy").Value)), StringComparison.Ordinal);
    }
}
