using System.Net.Http.Headers;

namespace Coffer.TestSupport;

/// <summary>Posts a direct upload's form (S3's POST Object) the way a browser does: every signed field in order, then the file.</summary>
public static class DirectUploadForm
{
    /// <summary>
    /// <c>POST {url}</c> with <paramref name="fields"/> in their order and <paramref name="content"/> last, in the field
    /// <c>file</c>, typed as the signed <c>Content-Type</c> field says (or <paramref name="contentType"/> to send another).
    /// </summary>
    public static async Task<HttpResponseMessage> PostAsync(HttpClient http, Uri url, IEnumerable<KeyValuePair<string, string>> fields, byte[] content,
        string? contentType = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(fields);
        ArgumentNullException.ThrowIfNull(content);
        using var form = new MultipartFormDataContent();
        string? signedType = null;
        foreach (var (key, value) in fields)
        {
            form.Add(new StringContent(value), key);
            if (key.Equals("Content-Type", StringComparison.OrdinalIgnoreCase))
            {
                signedType = value;
            }
        }

        var file = new ByteArrayContent(content);
        file.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType ?? signedType ?? "application/octet-stream");
        form.Add(file, "file", "file");
        return await http.PostAsync(url, form, cancellationToken).ConfigureAwait(false);
    }
}
