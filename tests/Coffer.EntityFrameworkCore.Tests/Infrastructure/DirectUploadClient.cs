using Coffer.Local;

namespace Coffer.EntityFrameworkCore.Tests.Infrastructure;

/// <summary>Sends a direct upload's bytes as a client would, the way the storage's plan says.</summary>
internal static partial class DirectUploadClient
{
    private static readonly HttpClient Http = new();

    /// <summary>
    /// Sends <paramref name="content"/>: every part (but the last when <paramref name="skipLastPart"/>), or the form. On local
    /// disk the parts go through the storage's own part writer, which is what <c>MapCoffer</c>'s PUT runs; on S3 over HTTP
    /// to the signed URLs.
    /// </summary>
    public static async Task SendAsync(FileStorage storage, string name, DirectUploadPlan plan, byte[] content, bool skipLastPart = false)
    {
        if (plan.Method == DirectUploadMethod.Form)
        {
            if (skipLastPart)
            {
                return;
            }

            using var response = await Coffer.TestSupport.DirectUploadForm.PostAsync(Http, plan.FormUrl!, plan.FormFields, content);
            response.EnsureSuccessStatusCode();
            return;
        }

        int parts = skipLastPart ? plan.PartCount - 1 : plan.PartCount;
        for (int number = 1; number <= parts; number++)
        {
            long length = plan.GetPartLength(number, content.Length);
            var part = new MemoryStream(content, (int)((number - 1) * plan.PartSize), (int)length, writable: false);
            if (storage is LocalFileStorage local)
            {
                await local.SaveDirectUploadPartAsync(name, plan.UploadId!, number, length, part);
                continue;
            }

            var url = storage.GetDirectUploadPartUrl(name, plan.UploadId!, number, length, TimeSpan.FromMinutes(10));
            using var response = await Http.PutAsync(url.Url, new StreamContent(part));
            response.EnsureSuccessStatusCode();
        }
    }
}
