using System.Diagnostics.CodeAnalysis;
using System.Buffers;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using Coffer.S3.Presigning.Internal;

namespace Coffer.S3.Presigning;

/// <summary>
/// Presigns S3 URLs with SigV4 query-string authentication for one bucket of one endpoint: no network I/O, no
/// locks, thread-safe, and the returned string is the only allocation per URL.
/// </summary>
/// <remarks>
/// <para>
/// The URLs are byte-for-byte those of AWSSDK.S3's <c>AmazonS3Client.GetPreSignedURL</c> for the same endpoint,
/// addressing style, region, credentials, time and expiry (the tests compare thousands of them), at a small
/// fraction of the cost: the day's signing key is derived once per day and credentials, the constant parts of
/// the canonical request are encoded once, and each URL costs one SHA-256 and one HMAC.
/// </para>
/// <para>
/// A URL never outlives the credentials that signed it: with temporary credentials the expiry is clamped to
/// their <see cref="SigningCredentials.Expiration"/>, and the overloads with an <c>expiresAt</c> out parameter say
/// when the URL actually stops working.
/// </para>
/// <para>
/// The signed host is part of the signature, so build the presigner with the endpoint the <em>clients</em> use
/// (the public endpoint), not an internal one: a URL cannot be rewritten to another host afterwards.
/// </para>
/// </remarks>
public sealed class SigV4Presigner
{
    /// <summary>The shortest expiry a URL can have: 1 second.</summary>
    public static readonly TimeSpan MinExpiry = TimeSpan.FromSeconds(1);

    /// <summary>The longest expiry SigV4 allows: 7 days (604800 seconds).</summary>
    public static readonly TimeSpan MaxExpiry = TimeSpan.FromDays(7);

    /// <summary>Whether a URL may live for <paramref name="expiry"/>: the one check of the SigV4 range, for options and URLs alike.</summary>
    internal static bool IsValidExpiry(TimeSpan expiry) => expiry >= MinExpiry && expiry <= MaxExpiry;

    /// <summary>
    /// Whether <paramref name="bucket"/> is a bucket name S3 accepts: 3-63 lower-case letters, digits, '.' and '-',
    /// starting and ending with a letter or digit, no "..". The presigner and the options validator both ask here.
    /// </summary>
    internal static bool IsValidBucketName(string bucket)
    {
        bool valid = bucket.Length is >= 3 and <= 63
            && (char.IsAsciiLetterLower(bucket[0]) || char.IsAsciiDigit(bucket[0]))
            && (char.IsAsciiLetterLower(bucket[^1]) || char.IsAsciiDigit(bucket[^1]));
        foreach (char c in bucket)
        {
            valid &= char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '-' or '.';
        }

        return valid && !bucket.Contains("..", StringComparison.Ordinal);
    }

    private const int StackBufferSize = 4096;

    private readonly PresigningCredentials _credentials;
    private readonly Sha256Engine _engine;
    private readonly byte[] _urlPrefix;
    private readonly byte[] _canonicalPath;
    private readonly byte[] _canonicalTail;
    private readonly string _host;
    private SigningState? _state;

    /// <summary>Creates a presigner for one bucket.</summary>
    /// <param name="endpoint">
    /// The store's endpoint as clients reach it, with scheme and port: <c>https://s3.eu-west-1.amazonaws.com</c>,
    /// <c>http://127.0.0.1:4568</c>. http stays http; a non-default port is kept. It may carry a base path
    /// (<c>https://gateway.example/s3</c>) but no query, fragment or user info.
    /// </param>
    /// <param name="region">The signing region, e.g. <c>us-east-1</c> (Ceph RGW and MinIO accept their configured one, usually <c>us-east-1</c>).</param>
    /// <param name="bucket">The bucket: 3-63 characters of lower-case letters, digits, '.' and '-'.</param>
    /// <param name="addressingStyle">Whether the bucket goes in the path or in the host name.</param>
    /// <param name="credentials">Where the keys come from; read once per URL, never blocking.</param>
    /// <exception cref="ArgumentException">An argument is malformed; the message says which and why.</exception>
    public SigV4Presigner(Uri endpoint, string region, string bucket, S3AddressingStyle addressingStyle, PresigningCredentials credentials)
        : this(endpoint, region, bucket, addressingStyle, credentials, Sha256Engine.Default)
    {
    }

    internal SigV4Presigner(Uri endpoint, string region, string bucket, S3AddressingStyle addressingStyle, PresigningCredentials credentials, Sha256Engine engine)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        ArgumentNullException.ThrowIfNull(credentials);
        ValidateRegion(region);
        ValidateBucket(bucket);
        ValidateEndpoint(endpoint);
        if (addressingStyle is not (S3AddressingStyle.Path or S3AddressingStyle.VirtualHosted))
        {
            throw new ArgumentOutOfRangeException(nameof(addressingStyle), addressingStyle, "Unknown addressing style.");
        }

        string basePath = endpoint.AbsolutePath.TrimEnd('/');
        string host = endpoint.IsDefaultPort ? endpoint.Host : endpoint.Host + ":" + endpoint.Port.ToString(CultureInfo.InvariantCulture);
        string path;
        if (addressingStyle == S3AddressingStyle.VirtualHosted)
        {
            if (endpoint.HostNameType != UriHostNameType.Dns)
            {
                throw new ArgumentException($"Virtual-hosted addressing puts the bucket in the host name, which needs a DNS name; '{endpoint.Host}' is an IP address. Use S3AddressingStyle.Path.", nameof(addressingStyle));
            }

            if (bucket.Contains('.', StringComparison.Ordinal) && endpoint.Scheme == Uri.UriSchemeHttps)
            {
                throw new ArgumentException($"The bucket '{bucket}' has dots, which break TLS certificate matching for virtual-hosted https URLs. Use S3AddressingStyle.Path.", nameof(bucket));
            }

            host = bucket + "." + host;
            path = basePath + "/";
        }
        else
        {
            path = basePath + "/" + bucket + "/";
        }

        _urlPrefix = Encoding.ASCII.GetBytes(endpoint.Scheme + "://" + host + path);
        _canonicalPath = Encoding.ASCII.GetBytes(path);
        _canonicalTail = Encoding.ASCII.GetBytes("\nhost:" + host + "\n\nhost\nUNSIGNED-PAYLOAD");
        _host = host;
        _credentials = credentials;
        _engine = engine;
        Endpoint = endpoint;
        Region = region;
        Bucket = bucket;
        AddressingStyle = addressingStyle;
    }

    /// <summary>The endpoint URLs point at.</summary>
    public Uri Endpoint { get; }

    /// <summary>The signing region.</summary>
    public string Region { get; }

    /// <summary>The bucket.</summary>
    public string Bucket { get; }

    /// <summary>Where the bucket goes in URLs.</summary>
    public S3AddressingStyle AddressingStyle { get; }

    /// <summary>The credentials source.</summary>
    public PresigningCredentials Credentials => _credentials;

    /// <summary>Presigns <paramref name="method"/> on <paramref name="key"/>: a URL anyone holding it can use until it expires.</summary>
    /// <param name="method">The HTTP method the URL is valid for (a PUT is an upload; its body is not signed).</param>
    /// <param name="key">The object key, e.g. <c>private/files/report.pdf</c>.</param>
    /// <param name="now">The signing time (<c>X-Amz-Date</c>), usually <c>timeProvider.GetUtcNow()</c>; sub-second parts are dropped.</param>
    /// <param name="expiry">How long the URL works: 1 second to 7 days, whole seconds.</param>
    /// <param name="overrides">Response headers to send instead of the stored ones (meaningful for GET and HEAD); none by default.</param>
    /// <returns>
    /// The URL and when it stops working: the signing second plus the expiry, or earlier when the signing credentials
    /// expire first (<see cref="FileUrl.ExpiresAt"/> is never <see langword="null"/> here).
    /// </returns>
    /// <exception cref="ArgumentException">The key cannot be carried by an S3 URL (leading '/', empty, '.' or '..' segments, longer than 1024 UTF-8 bytes, unpaired surrogates).</exception>
    /// <exception cref="ArgumentOutOfRangeException">The expiry is outside 1 second .. 7 days.</exception>
    /// <exception cref="InvalidOperationException">The credentials have expired.</exception>
    [SkipLocalsInit]
    public FileUrl Presign(PresignMethod method, string key, DateTimeOffset now, TimeSpan expiry, in ResponseOverrides overrides = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        SigningState state = Begin(now, expiry, out long signedTicks, out long seconds);
        var expiresAt = new DateTimeOffset(signedTicks + (seconds * TimeSpan.TicksPerSecond), TimeSpan.Zero);

        string? cacheControl = NullIfEmpty(overrides.CacheControl);
        string? contentDisposition = NullIfEmpty(overrides.ContentDisposition);
        string? contentType = NullIfEmpty(overrides.ContentType);
        int variable = S3UriEncoder.MaxEncodedLength(key.Length + (cacheControl?.Length ?? 0) + (contentDisposition?.Length ?? 0) + (contentType?.Length ?? 0));
        int needed = (2 * (variable + state.TokenPart.Length + state.CredentialPart.Length)) + _urlPrefix.Length + _canonicalPath.Length + _canonicalTail.Length + 512;

        byte[]? rented = null;
        Span<byte> buffer = needed <= StackBufferSize
            ? stackalloc byte[StackBufferSize]
            : (rented = ArrayPool<byte>.Shared.Rent(needed));
        try
        {
            return new FileUrl(Sign(method, key, signedTicks, seconds, state, cacheControl, contentDisposition, contentType, buffer), expiresAt);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    private string Sign(PresignMethod method, string key, long signedTicks, long seconds, SigningState state, string? cacheControl, string? contentDisposition, string? contentType, Span<byte> buffer)
    {
        // 1. Canonical request, with the encoded key and override values written in place.
        var c = new ByteWriter(buffer);
        c.Write(method switch
        {
            PresignMethod.Get => "GET\n"u8,
            PresignMethod.Head => "HEAD\n"u8,
            PresignMethod.Put => "PUT\n"u8,
            _ => throw new ArgumentOutOfRangeException(nameof(method), method, "Unknown method."),
        });
        c.Write(_canonicalPath);
        int keyStart = c.Position;
        c.Advance(S3UriEncoder.EncodeKey(key, c.Free));
        int keyEnd = c.Position;
        c.Write((byte)'\n');
        c.Write(state.CredentialPart.AsSpan(1));
        int dateStart = c.Position;
        WriteTimestamp(ref c, state, signedTicks);
        c.Write("&X-Amz-Expires="u8);
        int expiresStart = c.Position;
        c.WriteNumber(seconds);
        int expiresEnd = c.Position;
        c.Write(state.TokenPart);
        c.Write("&X-Amz-SignedHeaders=host"u8);
        int overridesStart = c.Position;
        WriteOverride(ref c, "&response-cache-control="u8, cacheControl, nameof(ResponseOverrides.CacheControl));
        WriteOverride(ref c, "&response-content-disposition="u8, contentDisposition, nameof(ResponseOverrides.ContentDisposition));
        WriteOverride(ref c, "&response-content-type="u8, contentType, nameof(ResponseOverrides.ContentType));
        int overridesEnd = c.Position;
        c.Write(_canonicalTail);
        ReadOnlySpan<byte> canonical = c.Written;

        // 2. String to sign: algorithm, timestamp, scope, hex(SHA-256(canonical request)).
        var s = new ByteWriter(buffer[canonical.Length..]);
        Span<byte> hash = stackalloc byte[32];
        _engine.Hash(canonical, hash);
        s.Write("AWS4-HMAC-SHA256\n"u8);
        s.Write(canonical.Slice(dateStart, 16));
        s.Write(state.ScopePart);
        s.WriteHexLower(hash);
        _engine.Hmac(state.SigningKey, s.Written, hash);

        // 3. The URL, in the SDK's parameter order: its own (sorted) parameters, then the signer's.
        var u = new ByteWriter(buffer[(canonical.Length + s.Position)..]);
        u.Write(_urlPrefix);
        u.Write(canonical[keyStart..keyEnd]);
        u.Write("?X-Amz-Expires="u8);
        u.Write(canonical[expiresStart..expiresEnd]);
        u.Write(state.TokenPart);
        u.Write(canonical[overridesStart..overridesEnd]);
        u.Write(state.CredentialPart);
        u.Write(canonical.Slice(dateStart, 16));
        u.Write("&X-Amz-SignedHeaders=host&X-Amz-Signature="u8);
        u.WriteHexLower(hash);
        return Encoding.Latin1.GetString(u.Written);
    }

    /// <summary>
    /// Presigns a PUT of one part of a multipart upload (<c>?partNumber=…&amp;uploadId=…</c>) with its
    /// <c>Content-Length</c> as a signed header, so the store refuses a body of any other length. Not on the hot path
    /// of <see cref="Presign"/>: parts are signed a few at a time.
    /// </summary>
    /// <exception cref="ArgumentException">The key cannot be carried by an S3 URL.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The expiry is outside 1 second .. 7 days.</exception>
    /// <exception cref="InvalidOperationException">The credentials have expired.</exception>
    internal FileUrl PresignUploadPart(string key, string uploadId, int partNumber, long contentLength, DateTimeOffset now, TimeSpan expiry)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentException.ThrowIfNullOrEmpty(uploadId);
        SigningState state = Begin(now, expiry, out long signedTicks, out long seconds);
        byte[] encodedKey = new byte[S3UriEncoder.MaxEncodedLength(key.Length)];
        string path = Encoding.ASCII.GetString(_canonicalPath) + Encoding.ASCII.GetString(encodedKey, 0, S3UriEncoder.EncodeKey(key, encodedKey));
        string timestamp = FormatTimestamp(state, signedTicks);

        // Canonical query parameters sorted by name: the X-Amz-* ones (upper case) before partNumber and uploadId.
        string query = Encoding.ASCII.GetString(state.CredentialPart.AsSpan(1)) + timestamp
            + "&X-Amz-Expires=" + seconds.ToString(CultureInfo.InvariantCulture)
            + Encoding.ASCII.GetString(state.TokenPart)
            + "&X-Amz-SignedHeaders=content-length%3Bhost"
            + "&partNumber=" + partNumber.ToString(CultureInfo.InvariantCulture)
            + "&uploadId=" + Encoding.ASCII.GetString(S3UriEncoder.EncodeValue(uploadId));
        string canonical = "PUT\n" + path + "\n" + query + "\n"
            + "content-length:" + contentLength.ToString(CultureInfo.InvariantCulture) + "\nhost:" + _host + "\n\n"
            + "content-length;host\nUNSIGNED-PAYLOAD";
        string signature = Sign(state, timestamp, Encoding.ASCII.GetBytes(canonical));
        var expiresAt = new DateTimeOffset(signedTicks + (seconds * TimeSpan.TicksPerSecond), TimeSpan.Zero);
        return new FileUrl(Encoding.ASCII.GetString(_urlPrefix) + path[_canonicalPath.Length..] + "?" + query + "&X-Amz-Signature=" + signature, expiresAt);
    }

    /// <summary>
    /// The day's signing state and the signed second and lifetime of something signed at <paramref name="now"/> for
    /// <paramref name="expiry"/>: whole seconds, clamped to the credentials' own expiry.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The expiry is outside 1 second .. 7 days.</exception>
    /// <exception cref="InvalidOperationException">The credentials have expired.</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal SigningState Begin(DateTimeOffset now, TimeSpan expiry, out long signedTicks, out long seconds)
    {
        if (!IsValidExpiry(expiry))
        {
            ThrowExpiryOutOfRange(expiry);
        }

        signedTicks = now.UtcTicks - (now.UtcTicks % TimeSpan.TicksPerSecond);
        seconds = expiry.Ticks / TimeSpan.TicksPerSecond;
        SigningState state = GetState(signedTicks / TimeSpan.TicksPerDay);
        if (state.Credentials.Expiration is { } credentialsExpire)
        {
            long left = (credentialsExpire.UtcTicks - signedTicks) / TimeSpan.TicksPerSecond;
            if (left < seconds)
            {
                if (left < 1)
                {
                    ThrowCredentialsExpired(state.Credentials, now);
                }

                seconds = left;
            }
        }

        return state;
    }

    /// <summary>The URL of the bucket itself (ending in '/'), where a browser POSTs an upload form.</summary>
    internal Uri BucketUrl => new(Encoding.ASCII.GetString(_urlPrefix));

    /// <summary><c>yyyyMMddTHHmmssZ</c> of a signed second.</summary>
    internal static string FormatTimestamp(SigningState state, long signedTicks)
    {
        Span<byte> timestamp = stackalloc byte[16];
        var writer = new ByteWriter(timestamp);
        WriteTimestamp(ref writer, state, signedTicks);
        return Encoding.ASCII.GetString(timestamp);
    }

    /// <summary>
    /// The hex signature of a canonical request: HMAC(kSigning, "AWS4-HMAC-SHA256\n" + timestamp + scope + hex(SHA-256(canonical))).
    /// </summary>
    private string Sign(SigningState state, string timestamp, ReadOnlySpan<byte> canonical)
    {
        Span<byte> hash = stackalloc byte[32];
        _engine.Hash(canonical, hash);
        byte[] stringToSign = [.. "AWS4-HMAC-SHA256\n"u8, .. Encoding.ASCII.GetBytes(timestamp), .. state.ScopePart, .. Encoding.ASCII.GetBytes(Convert.ToHexStringLower(hash))];
        return SignString(state, stringToSign);
    }

    /// <summary>hex(HMAC(kSigning, <paramref name="stringToSign"/>)): a POST policy's signature is this of its base64 text.</summary>
    internal string SignString(SigningState state, ReadOnlySpan<byte> stringToSign)
    {
        Span<byte> mac = stackalloc byte[32];
        _engine.Hmac(state.SigningKey, stringToSign, mac);
        return Convert.ToHexStringLower(mac);
    }

    private SigningState GetState(long day)
    {
        SigningCredentials credentials = _credentials.Current;
        SigningState? state = Volatile.Read(ref _state);
        if (state is null || state.Day != day || !ReferenceEquals(state.Credentials, credentials))
        {
            // Rare (a new day or new credentials) and idempotent: racing threads may each build one; any is right.
            state = SigningState.Create(credentials, day, Region, _engine);
            Volatile.Write(ref _state, state);
        }

        return state;
    }

    private static void WriteTimestamp(ref ByteWriter writer, SigningState state, long signedTicks)
    {
        writer.Write(state.DateStamp);
        int secondOfDay = (int)((signedTicks % TimeSpan.TicksPerDay) / TimeSpan.TicksPerSecond);
        Span<byte> time = writer.Free[..8];
        time[0] = (byte)'T';
        WriteTwoDigits(time[1..], secondOfDay / 3600);
        WriteTwoDigits(time[3..], (secondOfDay / 60) % 60);
        WriteTwoDigits(time[5..], secondOfDay % 60);
        time[7] = (byte)'Z';
        writer.Advance(8);
    }

    private static void WriteTwoDigits(Span<byte> destination, int value)
    {
        destination[0] = (byte)('0' + (value / 10));
        destination[1] = (byte)('0' + (value % 10));
    }

    private static void WriteOverride(ref ByteWriter writer, ReadOnlySpan<byte> name, string? value, string paramName)
    {
        if (value is not null)
        {
            writer.Write(name);
            writer.Advance(S3UriEncoder.EncodeValue(value, writer.Free, paramName));
        }
    }

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;

    [DoesNotReturn]
    private static void ThrowExpiryOutOfRange(TimeSpan expiry) =>
        throw new ArgumentOutOfRangeException(nameof(expiry), expiry, $"A presigned URL must expire between 1 second and 7 days ({(long)MaxExpiry.TotalSeconds} s) after it is signed; SigV4 allows no more.");

    [DoesNotReturn]
    private static void ThrowCredentialsExpired(SigningCredentials credentials, DateTimeOffset now) =>
        throw new InvalidOperationException($"The credentials {credentials} expired at {credentials.Expiration:O} (now {now:O}), so no URL signed with them would work. If they come from RefreshingPresigningCredentials, its refreshes are failing: see its LastRefreshError and the log.");

    private static void ValidateRegion(string region)
    {
        ArgumentException.ThrowIfNullOrEmpty(region);
        foreach (char c in region)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
            {
                throw new ArgumentException($"The region '{region}' may contain only ASCII letters, digits, '-' and '_'.", nameof(region));
            }
        }
    }

    private static void ValidateBucket(string bucket)
    {
        ArgumentException.ThrowIfNullOrEmpty(bucket);
        if (!IsValidBucketName(bucket))
        {
            throw new ArgumentException($"The bucket name '{bucket}' is not a valid S3 bucket name: 3-63 lower-case letters, digits, '.' and '-', starting and ending with a letter or digit.", nameof(bucket));
        }
    }

    private static void ValidateEndpoint(Uri endpoint)
    {
        if (!endpoint.IsAbsoluteUri || (endpoint.Scheme != Uri.UriSchemeHttp && endpoint.Scheme != Uri.UriSchemeHttps))
        {
            throw new ArgumentException($"The endpoint '{endpoint}' must be an absolute http or https URI.", nameof(endpoint));
        }

        if (endpoint.Query.Length > 0 || endpoint.Fragment.Length > 0 || endpoint.UserInfo.Length > 0)
        {
            throw new ArgumentException($"The endpoint '{endpoint}' must not have a query, fragment or user info.", nameof(endpoint));
        }

        foreach (char c in endpoint.AbsolutePath)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or '~' or '/'))
            {
                throw new ArgumentException($"The endpoint's base path '{endpoint.AbsolutePath}' may contain only unreserved characters and '/'.", nameof(endpoint));
            }
        }
    }
}
