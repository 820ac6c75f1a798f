using System.Net;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Coffer.AspNetCore.Tests;

/// <summary>
/// The storage's <see cref="FileStorageOptions.MaxFileSize"/> as the limit of upload endpoints, on Kestrel (TestServer
/// has no request body limit): <c>WithFileUploadLimits</c> for <see cref="IFormFile"/> endpoints, and
/// <see cref="FileUploader.SaveMultipartAsync"/> by itself for streamed ones.
/// </summary>
public sealed class FileUploadLimitTests
{
    /// <summary>Above Kestrel's default request body limit (30,000,000 bytes).</summary>
    private const long BigLimit = 40_000_000;

    /// <summary>For the memory test of the streamed path.</summary>
    internal const long HugeLimit = 256L * 1024 * 1024;

    private const long SmallLimit = 1024 * 1024;

    private const string SmallLimitProblem = "The file is larger than 1 MB, the most that storage 'small' accepts (MaxFileSize: 1,048,576 bytes).";

    private sealed record Problem(int Status, string Title, string Detail);

    [Theory]
    [InlineData("form")]
    [InlineData("stream")]
    public async Task An_upload_over_the_servers_default_body_limit_is_stored_when_the_storage_accepts_it(string mode)
    {
        await using var app = await KestrelApp.StartAsync(throwOnBadRequest: false);

        using var response = await app.UploadAsync($"/{mode}/big", 32_000_000, knownLength: true);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(32_000_000, await response.Content.ReadFromJsonAsync<long>());
    }

    [Theory]
    [InlineData("form", false)]
    [InlineData("form", true)]
    [InlineData("stream", false)]
    public async Task A_file_just_over_the_storages_limit_is_a_413_problem_naming_the_limit(string mode, bool throwOnBadRequest)
    {
        await using var app = await KestrelApp.StartAsync(throwOnBadRequest);

        using var response = await app.UploadAsync($"/{mode}/small", SmallLimit + 1, knownLength: true);

        await AssertTooLargeAsync(response);
        Assert.Empty(app.Stored("small"));
    }

    [Theory]
    [InlineData("form", false)]
    [InlineData("form", true)]
    [InlineData("stream", false)]
    public async Task A_declared_length_far_over_the_limit_is_a_413_problem_naming_the_limit(string mode, bool throwOnBadRequest)
    {
        await using var app = await KestrelApp.StartAsync(throwOnBadRequest);

        // Far more than the socket buffers hold: the client is still sending when the answer comes.
        using var response = await app.UploadAsync($"/{mode}/small", 40 * SmallLimit, knownLength: true);

        await AssertTooLargeAsync(response);
        Assert.Empty(app.Stored("small"));
    }

    [Theory]
    [InlineData("form", false)]
    [InlineData("form", true)]
    [InlineData("stream", false)]
    public async Task A_chunked_body_over_the_request_limit_is_a_413_problem_naming_the_limit(string mode, bool throwOnBadRequest)
    {
        await using var app = await KestrelApp.StartAsync(throwOnBadRequest);

        // No Content-Length: the server's body limit (the storage's limit plus the framing allowance) cuts it off.
        using var response = await app.UploadAsync($"/{mode}/small", SmallLimit + 256 * 1024, knownLength: false);

        await AssertTooLargeAsync(response);
        Assert.Empty(app.Stored("small"));
    }

    [Fact]
    public async Task With_file_upload_limits_without_add_coffer_names_the_missing_call()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        await using var app = builder.Build();
        app.MapPost("/form", (IFormFile file) => file.Length).WithFileUploadLimits("private");

        var ex = Assert.Throws<InvalidOperationException>(() => ((IEndpointRouteBuilder)app).DataSources.SelectMany(d => d.Endpoints).ToList());

        Assert.Contains("'IServiceCollection.AddCoffer'", ex.Message, StringComparison.Ordinal);
    }

    private static async Task AssertTooLargeAsync(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(new Problem(413, "File too large", SmallLimitProblem), await response.Content.ReadFromJsonAsync<Problem>());
    }

    /// <summary>An app on Kestrel (loopback, a free port) with a storage above Kestrel's default limit and one below it.</summary>
    internal sealed class KestrelApp : IAsyncDisposable
    {
        private readonly WebApplication _app;
        private readonly TempFolder _root;

        private KestrelApp(WebApplication app, TempFolder root, HttpClient client)
        {
            _app = app;
            _root = root;
            Client = client;
        }

        public HttpClient Client { get; }

        public static async Task<KestrelApp> StartAsync(bool throwOnBadRequest)
        {
            var root = new TempFolder();
            var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = root.Path });
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            builder.Logging.ClearProviders();
            builder.Configuration["Coffer:Storages:big:MaxFileSize"] = BigLimit.ToString(System.Globalization.CultureInfo.InvariantCulture);
            builder.Configuration["Coffer:Storages:huge:MaxFileSize"] = HugeLimit.ToString(System.Globalization.CultureInfo.InvariantCulture);
            builder.Configuration["Coffer:Storages:small:MaxFileSize"] = SmallLimit.ToString(System.Globalization.CultureInfo.InvariantCulture);
            builder.Services.AddCoffer().AddFileUploader();
            builder.Services.AddProblemDetails();
            // Development turns it on: form binding then throws instead of answering a bare status.
            builder.Services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = throwOnBadRequest);
            var app = builder.Build();
            foreach (string storage in new[] { "big", "huge", "small" })
            {
                app.MapPost($"/form/{storage}", async (IFormFile file, IFileStorageProvider storages, FileUploader uploader) =>
                        Answer(await uploader.SaveAsync(storages.GetStorage(storage), file)))
                    .DisableAntiforgery()
                    .WithFileUploadLimits(storage);
                // No convention here: the streamed path applies the storage's limit itself.
                app.MapPost($"/stream/{storage}", async (HttpRequest request, IFileStorageProvider storages, FileUploader uploader) =>
                    Answer(await uploader.SaveMultipartAsync(storages.GetStorage(storage), request)));
            }

            await app.StartAsync();
            string address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
            return new KestrelApp(app, root, new HttpClient { BaseAddress = new Uri(address), Timeout = TimeSpan.FromMinutes(2) });
        }

        public string[] Stored(string storage)
        {
            string folder = ((Coffer.Local.LocalFileStorage)_app.Services.GetRequiredKeyedService<FileStorage>(storage)).RootDirectory;
            return Directory.Exists(folder) ? Directory.GetFiles(folder, "*", SearchOption.AllDirectories) : [];
        }

        public async Task<HttpResponseMessage> UploadAsync(string path, long size, bool knownLength)
        {
            using var form = new MultipartFormDataContent { { new GeneratedContent(size, knownLength), "file", "upload.bin" } };
            return await Client.PostAsync(new Uri(path, UriKind.Relative), form);
        }

        public async ValueTask DisposeAsync()
        {
            Client.Dispose();
            await _app.StopAsync();
            await _app.DisposeAsync();
            _root.Dispose();
        }

        private static IResult Answer(FileUploadResult result) => result.Succeeded ? Results.Ok(result.Length) : result.Problem!;
    }
}

/// <summary>Content written in 64 KiB chunks from one buffer, so the test itself holds no copy of the file.</summary>
internal sealed class GeneratedContent(long size, bool knownLength = true) : HttpContent
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
        return knownLength;
    }
}
