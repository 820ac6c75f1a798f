using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Coffer.EntityFrameworkCore.Tests.Infrastructure;

/// <summary>Direct uploads made the way the app's ticket endpoint and a client make them, for the EF and images suites.</summary>
internal static partial class DirectUploadClient
{
    /// <summary>
    /// A direct upload as a client makes it, through the storage's own protocol: recorded as pending in the ledger first
    /// (as <c>DirectUploads.StartAsync</c> does), then the bytes sent the way the plan says, then completed unless told not to.
    /// </summary>
    public static async Task<DirectUpload> UploadAsync<TContext>(
        DatabaseFixture<TContext> fixture, FileStorage storage, string folder, string fileName, byte[] content,
        bool complete = true, string contentType = "application/octet-stream")
        where TContext : DbContext
    {
        string name = storage.GetSaveName(folder + "/" + fileName);
        var expiresAt = DateTimeOffset.UtcNow.AddHours(1);
        var services = new ServiceCollection().AddScoped(_ => fixture.CreateContext()).AddCofferFileLedger<TContext>().BuildServiceProvider();
        await using (services)
        {
            var entry = await services.GetRequiredService<IPendingUploadLedger>().RecordAsync(storage.Name, name, expiresAt.AddMinutes(10), CancellationToken.None);
            var plan = await storage.StartDirectUploadAsync(name, content.Length, contentType, TimeSpan.FromHours(1));
            await SendAsync(storage, name, plan, content, skipLastPart: !complete);
            if (complete && plan.Method == DirectUploadMethod.Parts)
            {
                await storage.CompleteDirectUploadAsync(name, plan.UploadId!, content.Length);
            }

            return new DirectUpload(storage.Name, name, fileName, content.Length, contentType, plan.Method, plan.UploadId, plan.PartSize,
                entry.Id, entry.DueAt, owner: "alice", expiresAt);
        }
    }
}
