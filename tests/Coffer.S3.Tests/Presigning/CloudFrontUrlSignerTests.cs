using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Coffer.S3.Presigning;

namespace Coffer.S3.Tests.Presigning;

public sealed class CloudFrontUrlSignerTests : IDisposable
{
    private const string KeyPairId = "K2JCJMDEHXQW5F";
    private static readonly DateTimeOffset ExpiresAt = new(2030, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private readonly RSA _key = RSA.Create(2048);

    public void Dispose() => _key.Dispose();

    [Fact]
    public void Signed_url_has_expires_signature_and_key_pair_id_in_that_order()
    {
        using var signer = CloudFrontUrlSigner.FromPem(KeyPairId, _key.ExportRSAPrivateKeyPem());

        string url = signer.Sign("https://d111111abcdef8.cloudfront.net/private/report%20%C3%A9.pdf", ExpiresAt);

        Assert.Matches(@"^https://d111111abcdef8\.cloudfront\.net/private/report%20%C3%A9\.pdf\?Expires=1893456000&Signature=[A-Za-z0-9\-_~]+&Key-Pair-Id=K2JCJMDEHXQW5F$", url);
    }

    [Fact]
    public void Signature_verifies_with_the_public_key_over_the_canned_policy()
    {
        using var signer = CloudFrontUrlSigner.FromPem(KeyPairId, _key.ExportPkcs8PrivateKeyPem());
        const string resource = "https://d111111abcdef8.cloudfront.net/private/a.pdf?versionId=3";

        string url = signer.Sign(resource, ExpiresAt.AddTicks(9_999_999));

        Dictionary<string, string> query = QueryOf(url);
        byte[] signature = Convert.FromBase64String(query["Signature"].Replace('-', '+').Replace('_', '=').Replace('~', '/'));
        string policy = "{\"Statement\":[{\"Resource\":\"" + resource + "\",\"Condition\":{\"DateLessThan\":{\"AWS:EpochTime\":1893456000}}}]}";
        using var publicKey = RSA.Create();
        publicKey.ImportFromPem(_key.ExportSubjectPublicKeyInfoPem());
        Assert.True(publicKey.VerifyData(Encoding.ASCII.GetBytes(policy), signature, HashAlgorithmName.SHA1, RSASignaturePadding.Pkcs1));
        Assert.Equal("1893456000", query["Expires"]);
        Assert.Equal(KeyPairId, query["Key-Pair-Id"]);
        Assert.StartsWith(resource + "&Expires=", url, StringComparison.Ordinal);
    }

    [Fact]
    public void Canned_policy_is_the_json_cloudfront_documents()
    {
        const string resource = "https://d111111abcdef8.cloudfront.net/x.png";
        string policy = "{\"Statement\":[{\"Resource\":\"" + resource + "\",\"Condition\":{\"DateLessThan\":{\"AWS:EpochTime\":1893456000}}}]}";

        using JsonDocument document = JsonDocument.Parse(policy);
        JsonElement statement = document.RootElement.GetProperty("Statement")[0];

        Assert.Equal(resource, statement.GetProperty("Resource").GetString());
        Assert.Equal(1893456000, statement.GetProperty("Condition").GetProperty("DateLessThan").GetProperty("AWS:EpochTime").GetInt64());
        // And it is exactly what the signer signed: a signature over any other bytes would not verify.
        using var signer = CloudFrontUrlSigner.FromPem(KeyPairId, _key.ExportRSAPrivateKeyPem());
        byte[] signature = Convert.FromBase64String(QueryOf(signer.Sign(resource, ExpiresAt))["Signature"].Replace('-', '+').Replace('_', '=').Replace('~', '/'));
        Assert.True(_key.VerifyData(Encoding.ASCII.GetBytes(policy), signature, HashAlgorithmName.SHA1, RSASignaturePadding.Pkcs1));
        Assert.False(_key.VerifyData(Encoding.ASCII.GetBytes(policy.Replace("1893456000", "1893456001", StringComparison.Ordinal)), signature, HashAlgorithmName.SHA1, RSASignaturePadding.Pkcs1));
    }

    [Fact]
    public void Signature_equals_the_openssl_command_line_with_cloudfront_substitutions()
    {
        string pemPath = Path.GetTempFileName();
        try
        {
            File.WriteAllText(pemPath, _key.ExportRSAPrivateKeyPem());
            using var signer = CloudFrontUrlSigner.FromPem(KeyPairId, _key.ExportRSAPrivateKeyPem());
            const string resource = "https://d111111abcdef8.cloudfront.net/private/report.pdf";
            string policy = "{\"Statement\":[{\"Resource\":\"" + resource + "\",\"Condition\":{\"DateLessThan\":{\"AWS:EpochTime\":1893456000}}}]}";

            // What AWS's documentation does: openssl sha1 -sign key | base64 | tr '+=/' '-_~'
            byte[] expected = RunOpenSsl(pemPath, Encoding.ASCII.GetBytes(policy));
            string expectedSignature = Convert.ToBase64String(expected).Replace('+', '-').Replace('=', '_').Replace('/', '~');

            Assert.Equal(expectedSignature, QueryOf(signer.Sign(resource, ExpiresAt))["Signature"]);
        }
        finally
        {
            File.Delete(pemPath);
        }
    }

    [Theory]
    [InlineData("/relative/path.pdf")]
    [InlineData("ftp://host/file")]
    [InlineData("https://host/with space.pdf")]
    [InlineData("https://host/é.pdf")]
    [InlineData("https://host/a.pdf#fragment")]
    [InlineData("https://host/a.pdf?Expires=1")]
    [InlineData("https://host/a.pdf?x=1&Signature=abc")]
    public void Urls_that_cloudfront_would_not_match_are_rejected(string url)
    {
        using var signer = CloudFrontUrlSigner.FromPem(KeyPairId, _key.ExportRSAPrivateKeyPem());

        Assert.Throws<ArgumentException>(() => signer.Sign(url, ExpiresAt));
    }

    [Fact]
    public void Query_parameters_that_only_contain_expires_are_kept()
    {
        using var signer = CloudFrontUrlSigner.FromPem(KeyPairId, _key.ExportRSAPrivateKeyPem());

        string url = signer.Sign("https://host/a.pdf?response-expires=x", ExpiresAt);

        Assert.StartsWith("https://host/a.pdf?response-expires=x&Expires=1893456000&Signature=", url, StringComparison.Ordinal);
    }

    [Fact]
    public void A_public_key_is_rejected_as_a_signing_key()
    {
        var error = Assert.Throws<ArgumentException>(() => CloudFrontUrlSigner.FromPem(KeyPairId, _key.ExportSubjectPublicKeyInfoPem()));

        Assert.Equal("privateKeyPem", error.ParamName);
    }

    private static Dictionary<string, string> QueryOf(string url) =>
        new Uri(url).Query.TrimStart('?').Split('&').Select(p => p.Split('=', 2)).ToDictionary(p => p[0], p => p[1], StringComparer.Ordinal);

    private static byte[] RunOpenSsl(string pemPath, byte[] input)
    {
        var start = new ProcessStartInfo("openssl", ["dgst", "-sha1", "-sign", pemPath])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using Process process = Process.Start(start) ?? throw new InvalidOperationException("openssl did not start; install it with: apt-get install -y openssl");
        process.StandardInput.BaseStream.Write(input);
        process.StandardInput.Close();
        using var output = new MemoryStream();
        process.StandardOutput.BaseStream.CopyTo(output);
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, process.StandardError.ReadToEnd());
        return output.ToArray();
    }
}
