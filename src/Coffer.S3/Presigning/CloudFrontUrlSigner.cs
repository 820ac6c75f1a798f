using System.Buffers;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;

namespace Coffer.S3.Presigning;

/// <summary>
/// Signs CloudFront URLs with a canned policy (RSA-SHA1 over <c>{"Statement":[{"Resource":URL,"Condition":{"DateLessThan":{"AWS:EpochTime":N}}}]}</c>),
/// for private media served through a CDN: the equivalent of django-storages' <c>cloudfront_key</c> and
/// <c>cloudfront_key_id</c>. Build one per key and reuse it; it is thread-safe.
/// </summary>
/// <remarks>
/// The signed URL is the given URL plus <c>Expires</c>, <c>Signature</c> and <c>Key-Pair-Id</c> query parameters;
/// the signature is base64 with CloudFront's substitutions (<c>+</c> to <c>-</c>, <c>=</c> to <c>_</c>, <c>/</c> to <c>~</c>).
/// CloudFront compares the policy's resource with the request URL exactly, so pass the URL already percent-encoded
/// the way clients will request it (for example each segment of the object key through <see cref="Uri.EscapeDataString(string)"/>).
/// </remarks>
public sealed class CloudFrontUrlSigner : IDisposable
{
    private const string PolicyStart = "{\"Statement\":[{\"Resource\":\"";
    private const string PolicyMiddle = "\",\"Condition\":{\"DateLessThan\":{\"AWS:EpochTime\":";
    private const string PolicyEnd = "}}}]}";

    private readonly RSA _key;
    private readonly string _keyPairIdParameter;

    private CloudFrontUrlSigner(string keyPairId, RSA key)
    {
        KeyPairId = keyPairId;
        _key = key;
        _keyPairIdParameter = "&Key-Pair-Id=" + keyPairId;
    }

    /// <summary>The CloudFront public key id (or legacy key pair id) the URLs name, e.g. <c>K2JCJMDEHXQW5F</c>.</summary>
    public string KeyPairId { get; }

    /// <summary>Creates a signer from an RSA private key in PEM form (PKCS#1 <c>RSA PRIVATE KEY</c> or PKCS#8 <c>PRIVATE KEY</c>).</summary>
    /// <param name="keyPairId">The id of the public key registered with CloudFront.</param>
    /// <param name="privateKeyPem">The matching private key.</param>
    /// <returns>A signer that owns the imported key.</returns>
    /// <exception cref="ArgumentException">The id is empty or not ASCII letters and digits, or the PEM holds no RSA private key.</exception>
    public static CloudFrontUrlSigner FromPem(string keyPairId, string privateKeyPem)
    {
        ValidateKeyPairId(keyPairId);
        ArgumentException.ThrowIfNullOrEmpty(privateKeyPem);
        var key = RSA.Create();
        try
        {
            key.ImportFromPem(privateKeyPem);
            if (key.KeySize < 1024)
            {
                throw new ArgumentException($"The RSA key has {key.KeySize} bits; CloudFront needs at least 1024 (2048 recommended).", nameof(privateKeyPem));
            }

            // Signing once proves the key is private, not public.
            key.SignData("probe"u8.ToArray(), HashAlgorithmName.SHA1, RSASignaturePadding.Pkcs1);
        }
        catch (CryptographicException exception)
        {
            key.Dispose();
            throw new ArgumentException("The PEM does not hold a usable RSA private key.", nameof(privateKeyPem), exception);
        }
        catch
        {
            key.Dispose();
            throw;
        }

        return new CloudFrontUrlSigner(keyPairId, key);
    }

    /// <summary>Signs <paramref name="url"/> with a canned policy that expires at <paramref name="expiresAt"/>.</summary>
    /// <param name="url">An absolute http(s) URL on the distribution, percent-encoded, in ASCII; it may have a query string.</param>
    /// <param name="expiresAt">When the URL stops working; sub-second parts are dropped.</param>
    /// <returns>The URL with <c>Expires</c>, <c>Signature</c> and <c>Key-Pair-Id</c> appended.</returns>
    /// <exception cref="ArgumentException">The URL is not absolute http(s), is not ASCII, has a fragment or already carries signing parameters.</exception>
    [SkipLocalsInit]
    public string Sign(string url, DateTimeOffset expiresAt)
    {
        ValidateUrl(url);
        long epoch = expiresAt.ToUnixTimeSeconds();
        Span<char> epochChars = stackalloc char[20];
        epoch.TryFormat(epochChars, out int epochLength, default, CultureInfo.InvariantCulture);
        epochChars = epochChars[..epochLength];

        int policyLength = PolicyStart.Length + url.Length + PolicyMiddle.Length + epochLength + PolicyEnd.Length;
        byte[]? rented = null;
        Span<byte> policy = policyLength <= 1024 ? stackalloc byte[1024] : (rented = ArrayPool<byte>.Shared.Rent(policyLength));
        try
        {
            int p = Encoding.ASCII.GetBytes(PolicyStart, policy);
            p += Encoding.ASCII.GetBytes(url, policy[p..]);
            p += Encoding.ASCII.GetBytes(PolicyMiddle, policy[p..]);
            p += Encoding.ASCII.GetBytes(epochChars, policy[p..]);
            p += Encoding.ASCII.GetBytes(PolicyEnd, policy[p..]);

            Span<byte> signature = stackalloc byte[_key.KeySize / 8];
            if (!_key.TrySignData(policy[..p], signature, HashAlgorithmName.SHA1, RSASignaturePadding.Pkcs1, out int signatureLength))
            {
                throw new CryptographicException("The RSA signature did not fit its buffer.");
            }

            Span<char> base64 = stackalloc char[((signatureLength + 2) / 3) * 4];
            Convert.TryToBase64Chars(signature[..signatureLength], base64, out int base64Length);
            base64 = base64[..base64Length];
            for (int i = 0; i < base64.Length; i++)
            {
                base64[i] = base64[i] switch { '+' => '-', '=' => '_', '/' => '~', char c => c };
            }

            string separator = url.Contains('?', StringComparison.Ordinal) ? "&Expires=" : "?Expires=";
            int length = url.Length + separator.Length + epochChars.Length + "&Signature=".Length + base64.Length + _keyPairIdParameter.Length;
            var parts = new SignedParts(url, separator, epochChars, base64, _keyPairIdParameter);
            return string.Create(length, parts, static (destination, p) =>
            {
                int at = 0;
                Append(destination, ref at, p.Url);
                Append(destination, ref at, p.Separator);
                Append(destination, ref at, p.Epoch);
                Append(destination, ref at, "&Signature=");
                Append(destination, ref at, p.Signature);
                Append(destination, ref at, p.KeyPairId);
            });
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    /// <summary>Signs <paramref name="url"/> with a canned policy that expires at <paramref name="expiresAt"/>.</summary>
    /// <inheritdoc cref="Sign(string, DateTimeOffset)"/>
    public string Sign(Uri url, DateTimeOffset expiresAt)
    {
        ArgumentNullException.ThrowIfNull(url);
        return Sign(url.AbsoluteUri, expiresAt);
    }

    /// <summary>Disposes the private key.</summary>
    public void Dispose() => _key.Dispose();

    private static void Append(Span<char> destination, ref int at, scoped ReadOnlySpan<char> value)
    {
        value.CopyTo(destination[at..]);
        at += value.Length;
    }

    private readonly ref struct SignedParts(string url, string separator, ReadOnlySpan<char> epoch, ReadOnlySpan<char> signature, string keyPairId)
    {
        public string Url { get; } = url;

        public string Separator { get; } = separator;

        public ReadOnlySpan<char> Epoch { get; } = epoch;

        public ReadOnlySpan<char> Signature { get; } = signature;

        public string KeyPairId { get; } = keyPairId;
    }

    private static void ValidateKeyPairId(string keyPairId)
    {
        ArgumentException.ThrowIfNullOrEmpty(keyPairId);
        foreach (char c in keyPairId)
        {
            if (!char.IsAsciiLetterOrDigit(c))
            {
                throw new ArgumentException($"The key pair id '{keyPairId}' may contain only ASCII letters and digits.", nameof(keyPairId));
            }
        }
    }

    private static void ValidateUrl(string url)
    {
        ArgumentException.ThrowIfNullOrEmpty(url);
        if (!Uri.TryCreate(url, UriKind.Absolute, out Uri? parsed) || (parsed.Scheme != Uri.UriSchemeHttps && parsed.Scheme != Uri.UriSchemeHttp))
        {
            throw new ArgumentException($"'{url}' is not an absolute http or https URL.", nameof(url));
        }

        foreach (char c in url)
        {
            if (c is <= ' ' or > '~' or '"' or '\\')
            {
                throw new ArgumentException($"'{url}' has characters a URL must percent-encode (non-ASCII, spaces, quotes or backslashes); encode the path first, e.g. each segment with Uri.EscapeDataString.", nameof(url));
            }
        }

        if (url.Contains('#', StringComparison.Ordinal))
        {
            throw new ArgumentException($"'{url}' has a fragment, which browsers never send; CloudFront would not see what was signed.", nameof(url));
        }

        ReadOnlySpan<char> query = parsed.Query.AsSpan().TrimStart('?');
        foreach (Range range in query.Split('&'))
        {
            ReadOnlySpan<char> parameter = query[range];
            int equals = parameter.IndexOf('=');
            ReadOnlySpan<char> name = equals < 0 ? parameter : parameter[..equals];
            if (name is "Expires" or "Signature" or "Key-Pair-Id" or "Policy")
            {
                throw new ArgumentException($"'{url}' already carries the CloudFront signing parameter '{name}'.", nameof(url));
            }
        }
    }
}
