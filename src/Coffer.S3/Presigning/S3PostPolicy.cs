using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Coffer.S3.Presigning;

/// <summary>
/// Builds the SigV4 POST policy of a browser upload form (S3 "POST Object"): a JSON document, in base64, that lists
/// every condition the store checks before it writes, signed with the presigner's day key. No network I/O.
/// </summary>
/// <remarks>
/// Every field of the form except <c>file</c>, <c>policy</c> and <c>x-amz-signature</c> is bound by an exact
/// condition (<c>{"name": value}</c> or <c>["eq", "$name", value]</c>), so a client can change none of them without
/// the store refusing the upload; the length is bound by <c>content-length-range</c>.
/// </remarks>
internal static class S3PostPolicy
{
    /// <summary>Signs a form for one object.</summary>
    /// <param name="presigner">Signs for the endpoint, bucket, region and credentials the browser uses.</param>
    /// <param name="key">The exact object key.</param>
    /// <param name="minLength">The fewest bytes the file may have.</param>
    /// <param name="maxLength">The most bytes the file may have.</param>
    /// <param name="contentType">The exact Content-Type the form must send and the object gets.</param>
    /// <param name="fields">Further fields bound to exact values, in form order (<c>acl</c>, <c>Cache-Control</c>, <c>x-amz-meta-*</c>, …).</param>
    /// <param name="now">The signing time.</param>
    /// <param name="expiry">How long the form works (1 second to 7 days; clamped to the credentials' expiry).</param>
    public static S3UploadForm Create(SigV4Presigner presigner, string key, long minLength, long maxLength, string contentType, IReadOnlyList<KeyValuePair<string, string>> fields, DateTimeOffset now, TimeSpan expiry)
    {
        var state = presigner.Begin(now, expiry, out long signedTicks, out long seconds);
        var expiresAt = new DateTimeOffset(signedTicks + (seconds * TimeSpan.TicksPerSecond), TimeSpan.Zero);
        string timestamp = SigV4Presigner.FormatTimestamp(state, signedTicks);
        string scope = Encoding.ASCII.GetString(state.ScopePart).Trim('\n');

        var form = new List<KeyValuePair<string, string>>(fields.Count + 8) { new("key", key) };
        form.AddRange(fields);
        form.Add(new("Content-Type", contentType));
        if (state.Credentials.SessionToken is { } token)
        {
            form.Add(new("x-amz-security-token", token));
        }

        form.Add(new("x-amz-algorithm", "AWS4-HMAC-SHA256"));
        form.Add(new("x-amz-credential", state.Credentials.AccessKeyId + "/" + scope));
        form.Add(new("x-amz-date", timestamp));

        var json = new ArrayBufferWriter<byte>(512);
        using (var writer = new Utf8JsonWriter(json))
        {
            writer.WriteStartObject();
            writer.WriteString("expiration", expiresAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'.000Z'", CultureInfo.InvariantCulture));
            writer.WriteStartArray("conditions");
            WriteExact(writer, "bucket", presigner.Bucket);
            foreach (var (name, value) in form)
            {
                // x-amz-* in the object form, as AWS documents them; the others with "eq" on the $-named field.
                if (name.StartsWith("x-amz-", StringComparison.Ordinal) && !name.StartsWith("x-amz-meta-", StringComparison.Ordinal))
                {
                    WriteExact(writer, name, value);
                }
                else
                {
                    writer.WriteStartArray();
                    writer.WriteStringValue("eq");
                    writer.WriteStringValue("$" + name);
                    writer.WriteStringValue(value);
                    writer.WriteEndArray();
                }
            }

            writer.WriteStartArray();
            writer.WriteStringValue("content-length-range");
            writer.WriteNumberValue(minLength);
            writer.WriteNumberValue(maxLength);
            writer.WriteEndArray();
            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        string policy = Convert.ToBase64String(json.WrittenSpan);
        form.Add(new("policy", policy));
        form.Add(new("x-amz-signature", presigner.SignString(state, Encoding.ASCII.GetBytes(policy))));
        return new S3UploadForm(presigner.BucketUrl, form, expiresAt);
    }

    private static void WriteExact(Utf8JsonWriter writer, string name, string value)
    {
        writer.WriteStartObject();
        writer.WriteString(name, value);
        writer.WriteEndObject();
    }
}
