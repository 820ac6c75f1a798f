using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Coffer.S3.Presigning.Internal;

/// <summary>
/// Everything a presigner derives from one set of credentials on one UTC day: the day's signing key (as HMAC
/// midstates) and the encoded, constant parts of the canonical request, the string to sign and the URL.
/// Immutable; built at most once per day and credentials rotation, then shared by all threads.
/// </summary>
internal sealed class SigningState
{
    private SigningState(SigningCredentials credentials, long day, Sha256Engine.HmacKey signingKey, byte[] dateStamp, byte[] credentialPart, byte[] tokenPart, byte[] scopePart)
    {
        Credentials = credentials;
        Day = day;
        SigningKey = signingKey;
        DateStamp = dateStamp;
        CredentialPart = credentialPart;
        TokenPart = tokenPart;
        ScopePart = scopePart;
    }

    public SigningCredentials Credentials { get; }

    /// <summary>Days since 0001-01-01 (UTC) this state signs for.</summary>
    public long Day { get; }

    /// <summary>HMAC key of <c>kSigning = HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date), region), "s3"), "aws4_request")</c>.</summary>
    public Sha256Engine.HmacKey SigningKey { get; }

    /// <summary><c>yyyyMMdd</c>.</summary>
    public byte[] DateStamp { get; }

    /// <summary><c>&amp;X-Amz-Algorithm=AWS4-HMAC-SHA256&amp;X-Amz-Credential=AKID%2F20130524%2Fregion%2Fs3%2Faws4_request&amp;X-Amz-Date=</c>; the canonical query starts at index 1.</summary>
    public byte[] CredentialPart { get; }

    /// <summary><c>&amp;X-Amz-Security-Token=…</c> or empty; the same bytes in the canonical query and the URL.</summary>
    public byte[] TokenPart { get; }

    /// <summary><c>\n20130524/region/s3/aws4_request\n</c>, between the timestamp and the hash in the string to sign.</summary>
    public byte[] ScopePart { get; }

    public static SigningState Create(SigningCredentials credentials, long day, string region, Sha256Engine engine)
    {
        var date = new DateTime(day * TimeSpan.TicksPerDay, DateTimeKind.Utc);
        string dateStamp = date.ToString("yyyyMMdd", CultureInfo.InvariantCulture);
        string scope = dateStamp + "/" + region + "/s3/aws4_request";

        byte[] secret = Encoding.UTF8.GetBytes("AWS4" + credentials.SecretAccessKey);
        byte[] key = HMACSHA256.HashData(secret, Encoding.ASCII.GetBytes(dateStamp));
        key = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(region));
        key = HMACSHA256.HashData(key, "s3"u8);
        key = HMACSHA256.HashData(key, "aws4_request"u8);
        Sha256Engine.HmacKey signingKey = engine.CreateHmacKey(key);
        CryptographicOperations.ZeroMemory(secret);
        CryptographicOperations.ZeroMemory(key);

        byte[] credentialPart = [
            .. "&X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential="u8,
            .. S3UriEncoder.EncodeValue(credentials.AccessKeyId + "/" + scope),
            .. "&X-Amz-Date="u8,
        ];
        byte[] tokenPart = credentials.SessionToken is { } token
            ? [.. "&X-Amz-Security-Token="u8, .. S3UriEncoder.EncodeValue(token)]
            : [];
        byte[] scopePart = Encoding.ASCII.GetBytes("\n" + scope + "\n");
        return new SigningState(credentials, day, signingKey, Encoding.ASCII.GetBytes(dateStamp), credentialPart, tokenPart, scopePart);
    }
}
