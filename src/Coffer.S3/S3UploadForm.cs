namespace Coffer.S3;

/// <summary>
/// A signed HTML form upload (S3 "POST Object") of one file: POST <see cref="Url"/> as
/// <c>multipart/form-data</c> with every field of <see cref="Fields"/>, in order, and the file last as a field
/// named <c>file</c>. The store refuses it, storing nothing, when any field was changed, the file's length is
/// outside the signed range or the form has expired.
/// </summary>
internal sealed class S3UploadForm
{
    internal S3UploadForm(Uri url, IReadOnlyList<KeyValuePair<string, string>> fields, DateTimeOffset expiresAt)
    {
        Url = url;
        Fields = fields;
        ExpiresAt = expiresAt;
    }

    /// <summary>Where the form is posted: the bucket's URL on the endpoint browsers use.</summary>
    public Uri Url { get; }

    /// <summary>The form fields, in the order they must be sent, before the <c>file</c> field.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Fields { get; }

    /// <summary>When the store stops accepting the form (the policy's expiration).</summary>
    public DateTimeOffset ExpiresAt { get; }
}
