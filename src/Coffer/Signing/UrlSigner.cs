using System.Buffers;
using System.Buffers.Text;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Coffer.Signing;

/// <summary>A key that signs URLs. Keys have ids so that a new key can sign while old ones still verify.</summary>
public sealed class UrlSigningKey
{
    /// <summary>Fewest bytes a secret may have.</summary>
    public const int MinSecretBytes = 32;

    /// <summary>A short id that travels in the URL (<c>kid</c>), such as <c>2024-05</c>.</summary>
    public string Id { get; set; } = "";

    /// <summary>The secret, base64-encoded, at least 32 bytes once decoded. Keep it out of source control.</summary>
    public string Secret { get; set; } = "";

    /// <summary>Makes a key with a fresh random 32-byte secret.</summary>
    public static UrlSigningKey Generate(string id) =>
        new() { Id = id, Secret = Convert.ToBase64String(RandomNumberGenerator.GetBytes(MinSecretBytes)) };
}

/// <summary>Why a signed URL was accepted or refused.</summary>
public enum UrlSignatureStatus
{
    /// <summary>The signature matches and has not expired.</summary>
    Valid,

    /// <summary>The URL carries no signature parameters.</summary>
    Missing,

    /// <summary>
    /// A signature parameter is missing or not exactly as the signer writes it: <c>sig</c> is 43 base64url characters
    /// (no padding, no whitespace), <c>exp</c> ASCII digits without sign or leading zeros, <c>kid</c> a possible key id.
    /// </summary>
    Malformed,

    /// <summary>The URL was signed with a key this app does not have (rotated out, or another app's).</summary>
    UnknownKey,

    /// <summary>The signature does not match the name, expiry or overrides: the URL was changed.</summary>
    Tampered,

    /// <summary>The signature matches, but the URL's expiry has passed.</summary>
    Expired,
}

/// <summary>The signature parameters of a signed URL's query string.</summary>
/// <param name="Expires">Expiry as Unix seconds (<c>exp</c>).</param>
/// <param name="KeyId">Id of the signing key (<c>kid</c>).</param>
/// <param name="Signature">Base64url HMAC-SHA256 (<c>sig</c>).</param>
/// <param name="DownloadFileName">Download name override (<c>dl</c>), if any.</param>
/// <param name="ContentType">Content-Type override (<c>ct</c>), if any.</param>
public sealed record SignedUrlQuery(string? Expires, string? KeyId, string? Signature, string? DownloadFileName, string? ContentType)
{
    /// <summary>Query parameter names.</summary>
    public const string ExpiresParameter = "exp", KeyIdParameter = "kid", SignatureParameter = "sig",
        DownloadFileNameParameter = "dl", ContentTypeParameter = "ct";

    /// <summary>Reads the parameters through <paramref name="getValue"/> (for example from an ASP.NET query collection).</summary>
    public static SignedUrlQuery From(Func<string, string?> getValue)
    {
        ArgumentNullException.ThrowIfNull(getValue);
        return new(getValue(ExpiresParameter), getValue(KeyIdParameter), getValue(SignatureParameter),
            getValue(DownloadFileNameParameter), getValue(ContentTypeParameter));
    }
}

/// <summary>
/// Signs and verifies URLs with HMAC-SHA256 over the storage, the name, the expiry and any response
/// overrides. Verification is constant-time. Thread-safe.
/// </summary>
public sealed class UrlSigner
{
    private static readonly int SignatureLength = Base64Url.GetEncodedLength(HMACSHA256.HashSizeInBytes);

    private readonly string _scope;
    private readonly (string Id, byte[] Secret)[] _keys;
    private readonly TimeProvider _timeProvider;

    /// <summary>Creates a signer.</summary>
    /// <param name="scope">What the URLs belong to (the storage name), so that a URL of one storage is refused by another.</param>
    /// <param name="keys">The keys: the first signs, all verify.</param>
    /// <param name="timeProvider">The clock; <see langword="null"/> for the system clock.</param>
    /// <exception cref="ArgumentException">There is no key, a key has no id, a secret is not base64 or shorter than 32 bytes, or two keys share an id.</exception>
    public UrlSigner(string scope, IEnumerable<UrlSigningKey> keys, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(scope);
        ArgumentNullException.ThrowIfNull(keys);
        _scope = scope;
        _timeProvider = timeProvider ?? TimeProvider.System;
        _keys = keys.Select(Decode).ToArray();
        if (_keys.Length == 0)
        {
            throw new ArgumentException("At least one signing key is needed to sign URLs.", nameof(keys));
        }

        if (ShareAnId(_keys.Select(k => k.Id)))
        {
            throw new ArgumentException("Two signing keys share an id; give every key its own id.", nameof(keys));
        }
    }

    /// <summary>Whether two of the key ids are the same (ordinal): a signature's key id must name one key.</summary>
    internal static bool ShareAnId(IEnumerable<string> ids)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        return !ids.All(seen.Add);
    }

    /// <summary>Checks a key's id and secret; returns an error message or <see langword="null"/>.</summary>
    public static string? Check(UrlSigningKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (!IsKeyId(key.Id))
        {
            return $"signing key id '{key.Id}' must be non-empty and use only letters, digits, '-', '_' and '.'.";
        }

        byte[] secret;
        try
        {
            secret = Convert.FromBase64String(key.Secret ?? "");
        }
        catch (FormatException)
        {
            return $"the secret of signing key '{key.Id}' is not valid base64.";
        }

        return secret.Length < UrlSigningKey.MinSecretBytes
            ? $"the secret of signing key '{key.Id}' has {secret.Length} bytes; it needs at least {UrlSigningKey.MinSecretBytes} (generate one with UrlSigningKey.Generate)."
            : null;
    }

    /// <summary>The query string (without <c>?</c>) that signs <paramref name="name"/> until <paramref name="expiresAt"/>.</summary>
    public string CreateQuery(string name, DateTimeOffset expiresAt, string? downloadFileName = null, string? contentType = null)
    {
        ArgumentNullException.ThrowIfNull(name);
        var (keyId, secret) = _keys[0];
        string expires = expiresAt.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        string signature = Sign(secret, name, expires, downloadFileName, contentType);
        var query = new StringBuilder(128);
        query.Append(SignedUrlQuery.ExpiresParameter).Append('=').Append(expires)
            .Append('&').Append(SignedUrlQuery.KeyIdParameter).Append('=').Append(keyId);
        if (downloadFileName is not null)
        {
            query.Append('&').Append(SignedUrlQuery.DownloadFileNameParameter).Append('=').Append(Uri.EscapeDataString(downloadFileName));
        }

        if (contentType is not null)
        {
            query.Append('&').Append(SignedUrlQuery.ContentTypeParameter).Append('=').Append(Uri.EscapeDataString(contentType));
        }

        return query.Append('&').Append(SignedUrlQuery.SignatureParameter).Append('=').Append(signature).ToString();
    }

    /// <summary>Checks the signature of a URL for <paramref name="name"/>: first that it matches, then that it has not expired.</summary>
    public UrlSignatureStatus Verify(string name, SignedUrlQuery query)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(query);
        if (query.Signature is null && query.Expires is null && query.KeyId is null)
        {
            return UrlSignatureStatus.Missing;
        }

        // Each parameter is accepted only as the signer writes it; anything else is Malformed before a key is looked
        // up, so that no second spelling of a signed URL verifies.
        Span<byte> given = stackalloc byte[HMACSHA256.HashSizeInBytes];
        if (!TryParseCanonical(query.Expires, out long expires) || !IsKeyId(query.KeyId) || !TryDecodeSignature(query.Signature, given))
        {
            return UrlSignatureStatus.Malformed;
        }

        byte[]? secret = null;
        foreach (var key in _keys)
        {
            if (string.Equals(key.Id, query.KeyId, StringComparison.Ordinal))
            {
                secret = key.Secret;
                break;
            }
        }

        if (secret is null)
        {
            return UrlSignatureStatus.UnknownKey;
        }

        Span<byte> expected = stackalloc byte[HMACSHA256.HashSizeInBytes];
        ComputeMac(secret, name, query.Expires!, query.DownloadFileName, query.ContentType, expected);
        if (!CryptographicOperations.FixedTimeEquals(given, expected))
        {
            return UrlSignatureStatus.Tampered;
        }

        return _timeProvider.GetUtcNow().ToUnixTimeSeconds() > expires ? UrlSignatureStatus.Expired : UrlSignatureStatus.Valid;
    }

    // Unix seconds in ASCII digits, without sign, spaces or leading zeros: the one spelling CreateQuery writes. Also the
    // rule for the numbers a part URL signs (DirectUploadPartQuery).
    internal static bool TryParseCanonical(string? text, out long value)
    {
        value = 0;
        if (text is not { Length: > 0 and <= 19 } || (text[0] == '0' && text.Length > 1))
        {
            return false;
        }

        foreach (char c in text)
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }
        }

        return long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value);
    }

    // The rule Check applies to a key's id: a kid no key could have is malformed, not merely unknown.
    private static bool IsKeyId([NotNullWhen(true)] string? id)
    {
        if (string.IsNullOrEmpty(id))
        {
            return false;
        }

        foreach (char c in id)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c is not ('-' or '_' or '.'))
            {
                return false;
            }
        }

        return true;
    }

    // Exactly the 43 characters CreateQuery writes. Base64Url on its own also takes padding and skips whitespace
    // (so "sig=…%3D" or "…%20…" verified); the alphabet and length are checked first, and the decoder refuses
    // non-zero unused bits in the last character.
    private static bool TryDecodeSignature(string? signature, Span<byte> destination)
    {
        if (signature is null || signature.Length != SignatureLength)
        {
            return false;
        }

        foreach (char c in signature)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c is not ('-' or '_'))
            {
                return false;
            }
        }

        return Base64Url.DecodeFromChars(signature, destination, out _, out int written) == OperationStatus.Done && written == destination.Length;
    }

    private string Sign(byte[] secret, string name, string expires, string? downloadFileName, string? contentType)
    {
        Span<byte> mac = stackalloc byte[HMACSHA256.HashSizeInBytes];
        ComputeMac(secret, name, expires, downloadFileName, contentType, mac);
        return Base64Url.EncodeToString(mac);
    }

    private void ComputeMac(byte[] secret, string name, string expires, string? downloadFileName, string? contentType, Span<byte> destination)
    {
        // Each field is length-prefixed so that no two different inputs share a message.
        var message = new StringBuilder(64 + name.Length);
        foreach (string? field in (ReadOnlySpan<string?>)["coffer-url-v1", _scope, name, expires, downloadFileName, contentType])
        {
            if (field is null)
            {
                message.Append("-1:");
            }
            else
            {
                message.Append(field.Length).Append(':').Append(field);
            }
        }

        HMACSHA256.HashData(secret, Encoding.UTF8.GetBytes(message.ToString()), destination);
    }

    private static (string, byte[]) Decode(UrlSigningKey key)
    {
        string? error = Check(key);
        return error is null ? (key.Id, Convert.FromBase64String(key.Secret)) : throw new ArgumentException(error, nameof(key));
    }
}
