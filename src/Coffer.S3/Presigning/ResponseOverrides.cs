
namespace Coffer.S3.Presigning;

/// <summary>
/// Response headers a presigned GET asks the store to send instead of the object's stored ones
/// (<c>response-content-type</c>, <c>response-content-disposition</c>, <c>response-cache-control</c>).
/// </summary>
/// <remarks>
/// These travel as signed query parameters, so they cannot be changed without breaking the signature. Use them
/// instead of signing a <c>Content-Type</c> header into a GET URL, which breaks downloads in browsers.
/// A <see langword="null"/> or empty value leaves the stored header alone.
/// </remarks>
public readonly struct ResponseOverrides : IEquatable<ResponseOverrides>
{
    /// <summary>No overrides: the stored headers are sent.</summary>
    public static ResponseOverrides None => default;

    /// <summary>The <c>Content-Type</c> to send, e.g. <c>application/pdf</c>.</summary>
    public string? ContentType { get; init; }

    /// <summary>The <c>Content-Disposition</c> to send, e.g. <c>attachment; filename="report.pdf"</c>.</summary>
    public string? ContentDisposition { get; init; }

    /// <summary>The <c>Cache-Control</c> to send, e.g. <c>private, max-age=3600</c>.</summary>
    public string? CacheControl { get; init; }

    /// <summary>True when no override is set.</summary>
    public bool IsEmpty => string.IsNullOrEmpty(ContentType) && string.IsNullOrEmpty(ContentDisposition) && string.IsNullOrEmpty(CacheControl);

    /// <summary>
    /// Overrides that make browsers download the file under <paramref name="fileName"/>: an RFC 6266
    /// <c>attachment</c> disposition with an ASCII fallback name and an RFC 5987 UTF-8 name.
    /// </summary>
    /// <param name="fileName">The name the browser saves the file as; any Unicode.</param>
    /// <param name="contentType">The content type to send, or <see langword="null"/> to keep the stored one.</param>
    public static ResponseOverrides Attachment(string fileName, string? contentType = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(fileName);
        return new ResponseOverrides { ContentDisposition = Coffer.ContentDisposition.Attachment(fileName), ContentType = contentType };
    }

    /// <inheritdoc/>
    public bool Equals(ResponseOverrides other) =>
        string.Equals(ContentType, other.ContentType, StringComparison.Ordinal)
        && string.Equals(ContentDisposition, other.ContentDisposition, StringComparison.Ordinal)
        && string.Equals(CacheControl, other.CacheControl, StringComparison.Ordinal);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is ResponseOverrides other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(ContentType, ContentDisposition, CacheControl);

    /// <summary>Equality of all three values.</summary>
    public static bool operator ==(ResponseOverrides left, ResponseOverrides right) => left.Equals(right);

    /// <summary>Inequality of any of the three values.</summary>
    public static bool operator !=(ResponseOverrides left, ResponseOverrides right) => !left.Equals(right);
}
