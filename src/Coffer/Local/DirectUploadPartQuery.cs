using Coffer.Signing;

namespace Coffer.Local;

/// <summary>
/// The query of a local storage's part URL (<see cref="FileStorage.GetDirectUploadPartUrl"/>): the upload, the part
/// and its exact length, and the signature over them.
/// </summary>
/// <param name="UploadId">The upload's id (<c>upload</c>).</param>
/// <param name="PartNumber">The part's number (<c>part</c>); <see langword="null"/> when missing or not written as the signer writes it.</param>
/// <param name="PartLength">The part's exact length (<c>len</c>); <see langword="null"/> when missing or not written as the signer writes it.</param>
/// <param name="Signature">The signature parameters (<c>exp</c>, <c>kid</c>, <c>sig</c>).</param>
public sealed record DirectUploadPartQuery(string? UploadId, int? PartNumber, long? PartLength, SignedUrlQuery Signature)
{
    /// <summary>Query parameter names.</summary>
    public const string UploadIdParameter = "upload", PartNumberParameter = "part", PartLengthParameter = "len";

    /// <summary>Reads the parameters through <paramref name="getValue"/> (for example from an ASP.NET query collection).</summary>
    public static DirectUploadPartQuery From(Func<string, string?> getValue)
    {
        ArgumentNullException.ThrowIfNull(getValue);
        long? number = ParseCanonical(getValue(PartNumberParameter));
        return new(getValue(UploadIdParameter), number is <= int.MaxValue ? (int)number : null, ParseCanonical(getValue(PartLengthParameter)),
            SignedUrlQuery.From(getValue));
    }

    // The signer's one spelling (no sign, spaces or leading zeros), and positive: "part=01" is not part 1, so that no second
    // spelling of a signed URL is accepted.
    private static long? ParseCanonical(string? text) => UrlSigner.TryParseCanonical(text, out long value) && value > 0 ? value : null;
}
