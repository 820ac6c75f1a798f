using System.Globalization;

namespace Coffer.Sample.Tests.Infrastructure;

/// <summary>Edits a signed URL's query the way an attacker would; knows Coffer's local (<c>sig</c>, <c>exp</c>) and SigV4's names.</summary>
public static class SignedUrls
{
    private static readonly string[] SignatureKeys = ["sig", "X-Amz-Signature"];
    private static readonly string[] ExpiryKeys = ["exp", "X-Amz-Expires"];

    /// <summary>The URL with no query: the object's address without any signature.</summary>
    public static string WithoutQuery(string url) => url.Split('?', 2)[0];

    /// <summary>The URL with the signature's first character changed.</summary>
    public static string WithTamperedSignature(string url) =>
        Replace(url, SignatureKeys, value => (value[0] == '0' ? "1" : "0") + value[1..]);

    /// <summary>The URL with its expiry pushed an hour later, the signature left as it was.</summary>
    public static string WithLaterExpiry(string url) =>
        Replace(url, ExpiryKeys, value => (long.Parse(value, CultureInfo.InvariantCulture) + 3600).ToString(CultureInfo.InvariantCulture));

    /// <summary>When a signed URL stops working, read from its query (<c>exp</c>, or SigV4's <c>X-Amz-Date</c> + <c>X-Amz-Expires</c>).</summary>
    public static DateTimeOffset ExpiresAt(string url)
    {
        var query = (url.Split('?', 2) is [_, var q] ? q : "").Split('&')
            .Select(pair => pair.Split('=', 2))
            .Where(kv => kv.Length == 2)
            .ToDictionary(kv => kv[0], kv => Uri.UnescapeDataString(kv[1]), StringComparer.OrdinalIgnoreCase);
        if (query.TryGetValue("exp", out string? exp))
        {
            return DateTimeOffset.FromUnixTimeSeconds(long.Parse(exp, CultureInfo.InvariantCulture));
        }

        Assert.True(query.ContainsKey("X-Amz-Date") && query.ContainsKey("X-Amz-Expires"), $"The URL says nothing about when it expires: {url}");
        return DateTimeOffset.ParseExact(query["X-Amz-Date"], "yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal)
            .AddSeconds(long.Parse(query["X-Amz-Expires"], CultureInfo.InvariantCulture));
    }

    private static string Replace(string url, string[] keys, Func<string, string> change)
    {
        string[] parts = url.Split('?', 2);
        Assert.True(parts.Length == 2, $"The URL has no query to tamper with: {url}");
        bool found = false;
        var pairs = parts[1].Split('&').Select(pair =>
        {
            string[] kv = pair.Split('=', 2);
            if (kv.Length == 2 && keys.Contains(kv[0], StringComparer.OrdinalIgnoreCase) && kv[1].Length > 0)
            {
                found = true;
                return $"{kv[0]}={change(kv[1])}";
            }

            return pair;
        }).ToList();
        Assert.True(found, $"The URL has none of {string.Join(", ", keys)}: {url}");
        return $"{parts[0]}?{string.Join('&', pairs)}";
    }
}
