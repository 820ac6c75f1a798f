namespace Coffer;

/// <summary>How a client sends the bytes of a direct upload: one signed form, or parts.</summary>
public enum DirectUploadMethod
{
    /// <summary>One HTML form upload (<c>multipart/form-data</c> POST) to <see cref="DirectUploadPlan.FormUrl"/> with <see cref="DirectUploadPlan.FormFields"/>, the file last, in a field named <c>file</c>.</summary>
    Form,

    /// <summary>
    /// Parts of <see cref="DirectUploadPlan.PartSize"/> bytes (the last one shorter), each PUT to a URL signed for its number
    /// and length (<see cref="FileStorage.GetDirectUploadPartUrl"/>), in any order and in parallel, then completed by the server.
    /// </summary>
    Parts,
}

/// <summary>
/// What a storage answered when a direct upload was started (<see cref="FileStorage.StartDirectUploadAsync"/>): how the
/// client sends the bytes. Nothing is visible under the name until the upload is complete.
/// </summary>
public sealed class DirectUploadPlan
{
    private DirectUploadPlan(DirectUploadMethod method, string? uploadId, long partSize, int partCount, Uri? formUrl, IReadOnlyList<KeyValuePair<string, string>> formFields)
    {
        Method = method;
        UploadId = uploadId;
        PartSize = partSize;
        PartCount = partCount;
        FormUrl = formUrl;
        FormFields = formFields;
    }

    /// <summary>How the client sends the bytes.</summary>
    public DirectUploadMethod Method { get; }

    /// <summary>The backend's id of a <see cref="DirectUploadMethod.Parts"/> upload (S3's multipart upload id); <see langword="null"/> for a form.</summary>
    public string? UploadId { get; }

    /// <summary>The length of every part but the last; 0 for a form.</summary>
    public long PartSize { get; }

    /// <summary>How many parts the file has; 0 for a form.</summary>
    public int PartCount { get; }

    /// <summary>Where the form is posted; <see langword="null"/> for parts.</summary>
    public Uri? FormUrl { get; }

    /// <summary>The form's fields, in the order they must be sent, before the file; empty for parts.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> FormFields { get; }

    /// <summary>A plan for one form upload.</summary>
    /// <param name="url">Where the form is posted.</param>
    /// <param name="fields">The signed fields, in order.</param>
    public static DirectUploadPlan Form(Uri url, IReadOnlyList<KeyValuePair<string, string>> fields)
    {
        ArgumentNullException.ThrowIfNull(url);
        ArgumentNullException.ThrowIfNull(fields);
        return new(DirectUploadMethod.Form, null, 0, 0, url, fields);
    }

    /// <summary>A plan for an upload in parts of <paramref name="partSize"/> bytes.</summary>
    /// <param name="uploadId">The backend's id of the upload.</param>
    /// <param name="length">The file's length.</param>
    /// <param name="partSize">The length of every part but the last.</param>
    public static DirectUploadPlan Parts(string uploadId, long length, long partSize)
    {
        ArgumentException.ThrowIfNullOrEmpty(uploadId);
        ArgumentOutOfRangeException.ThrowIfLessThan(partSize, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        return new(DirectUploadMethod.Parts, uploadId, partSize, DirectUploadParts.Count(length, partSize), null, []);
    }

    /// <summary>The most parts an upload may have: S3's limit, which every backend keeps, so one client works with all.</summary>
    public const int MaxParts = 10_000;

    /// <summary>
    /// The part size for a file of <paramref name="length"/> bytes: <paramref name="preferredPartSize"/>, or more when the
    /// file would otherwise need more than <see cref="MaxParts"/> parts, rounded up to a whole MiB. A backend's
    /// <c>StartDirectUploadCoreAsync</c> uses it, so every backend splits a file the same way.
    /// </summary>
    /// <param name="length">The file's length.</param>
    /// <param name="preferredPartSize">The backend's usual part size.</param>
    public static long ChoosePartSize(long length, long preferredPartSize)
    {
        const long MiB = 1024 * 1024;
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        ArgumentOutOfRangeException.ThrowIfLessThan(preferredPartSize, 1);
        long needed = (length + MaxParts - 1) / MaxParts;
        long size = Math.Max(preferredPartSize, needed);
        return (size + MiB - 1) / MiB * MiB;
    }

    /// <summary>The exact length of part <paramref name="partNumber"/> of a file of <paramref name="length"/> bytes.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The file has no such part.</exception>
    public long GetPartLength(int partNumber, long length) => DirectUploadParts.Length(partNumber, length, PartSize);
}

/// <summary>The one place that splits a file into parts.</summary>
internal static class DirectUploadParts
{
    public const int MaxParts = DirectUploadPlan.MaxParts;

    public static int Count(long length, long partSize) => checked((int)Math.Max(1, (length + partSize - 1) / partSize));

    public static long Length(int partNumber, long length, long partSize)
    {
        int count = Count(length, partSize);
        ArgumentOutOfRangeException.ThrowIfLessThan(partNumber, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(partNumber, count);
        return partNumber < count ? partSize : length - (count - 1) * partSize;
    }

}

/// <summary>A part of a direct upload the storage holds.</summary>
/// <param name="Number">The part's number, from 1.</param>
/// <param name="Length">Its length in bytes.</param>
public readonly record struct UploadedPart(int Number, long Length);
