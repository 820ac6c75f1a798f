using System.Net;
using System.Net.Http.Json;
using Coffer.Local;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Xunit.Abstractions;

namespace Coffer.AspNetCore.Tests;

[CollectionDefinition(nameof(StreamingMemoryTests), DisableParallelization = true)]
public class StreamingMemoryRunsAlone;

/// <summary>Measures allocations of the whole process, so it runs alone.</summary>
[Collection(nameof(StreamingMemoryTests))]
public class StreamingMemoryTests(ITestOutputHelper output)
{
    private const long FileSize = 64L * 1024 * 1024;

    [Fact]
    public async Task A_streamed_upload_never_holds_the_file_in_memory()
    {
        await using var app = await TestApp.StartAsync(endpoints: e =>
            e.MapPost("/stream", async (HttpRequest request, FileUploader uploader, IFileStorageProvider storages) =>
            {
                var result = await uploader.SaveMultipartAsync(storages.GetStorage("private"), request);
                return result.Succeeded ? Results.Ok(new { result.Length, result.Name }) : result.Problem!;
            }));
        using var warmUp = await PostAsync(app, 1024);

        long before = GC.GetTotalAllocatedBytes(precise: true);
        using var response = await PostAsync(app, FileSize);
        long allocated = GC.GetTotalAllocatedBytes(precise: true) - before;

        output.WriteLine($"{allocated:N0} bytes allocated for a {FileSize:N0}-byte streamed upload");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var stored = await response.Content.ReadFromJsonAsync<StreamedUpload>();
        Assert.Equal(FileSize, stored!.Length);
        Assert.Equal(FileSize, new FileInfo(((LocalFileStorage)app.Storage("private")).GetPath(stored.Name)).Length);
        // The client, TestServer, the multipart reader and the file write all stream through pooled buffers.
        Assert.True(allocated < FileSize / 8, $"{allocated:N0} bytes were allocated for a {FileSize:N0}-byte upload.");
    }

    [Fact]
    public async Task A_200_MB_upload_streamed_over_kestrel_keeps_the_apps_memory_flat()
    {
        const long size = 200L * 1024 * 1024;
        await using var app = await FileUploadLimitTests.KestrelApp.StartAsync(throwOnBadRequest: false);
        using (var warmUp = await app.UploadAsync("/stream/huge", 1024, knownLength: true))
        {
            Assert.Equal(HttpStatusCode.OK, warmUp.StatusCode);
        }

        GC.Collect();
        GC.WaitForPendingFinalizers();
        using var process = System.Diagnostics.Process.GetCurrentProcess();
        process.Refresh();
        long workingSetBefore = process.WorkingSet64;
        long peakWorkingSet = workingSetBefore;
        using var sampling = new CancellationTokenSource();
        // Working set sampled while the upload runs (the peak counter of the process would include earlier tests).
        var sampler = Task.Run(async () =>
        {
            while (!sampling.IsCancellationRequested)
            {
                process.Refresh();
                peakWorkingSet = Math.Max(peakWorkingSet, process.WorkingSet64);
                await Task.Delay(20);
            }
        });
        long before = GC.GetTotalAllocatedBytes(precise: true);

        using var response = await app.UploadAsync("/stream/huge", size, knownLength: true);

        long allocated = GC.GetTotalAllocatedBytes(precise: true) - before;
        await sampling.CancelAsync();
        await sampler;
        long growth = peakWorkingSet - workingSetBefore;
        output.WriteLine($"Kestrel, {size:N0}-byte streamed upload: {allocated:N0} bytes allocated (client and server); "
            + $"working set {workingSetBefore:N0} before, peak {peakWorkingSet:N0} during (+{growth:N0})");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(size, await response.Content.ReadFromJsonAsync<long>());
        // Over sockets the allocations scale with the number of reads (20-27 MB measured on 2 busy cores), not with a
        // copy of the file; holding the file would take at least its size. The working set is what must stay flat.
        Assert.True(allocated < size / 4, $"{allocated:N0} bytes were allocated for a {size:N0}-byte upload.");
        Assert.True(growth < 64L * 1024 * 1024, $"The working set grew by {growth:N0} bytes during a {size:N0}-byte upload.");
    }

    private static async Task<HttpResponseMessage> PostAsync(TestApp app, long size)
    {
        using var form = new MultipartFormDataContent { { new GeneratedContent(size), "file", size == FileSize ? "big.bin" : "small.bin" } };
        return await app.Client.PostAsync(new Uri("/stream", UriKind.Relative), form);
    }

    /// <summary>Content written in 64 KiB chunks from one buffer, so the test itself holds no copy of the file.</summary>
    private sealed class GeneratedContent(long size) : HttpContent
    {
        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            var chunk = new byte[64 * 1024];
            new Random(7).NextBytes(chunk);
            for (long written = 0; written < size; written += chunk.Length)
            {
                await stream.WriteAsync(chunk.AsMemory(0, (int)Math.Min(chunk.Length, size - written)));
            }
        }

        protected override bool TryComputeLength(out long length)
        {
            length = size;
            return true;
        }
    }
}

internal sealed record StreamedUpload(long Length, string Name);
