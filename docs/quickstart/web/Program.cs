using Coffer;
using Coffer.AspNetCore;
using Microsoft.AspNetCore.Mvc;

var builder = WebApplication.CreateBuilder(args);
builder.Services.AddCoffer(builder.Configuration)   // storages from "Coffer"; with none, local "private" and "public"
    .AddFileUploader();                             // FileUploader, with each storage's upload rules
builder.Services.AddHealthChecks()
    .AddCofferStorageChecks();                      // "storage:private", "storage:public": unhealthy within 5 s if a store is down

var app = builder.Build();
app.MapCoffer();                                    // serves local files at /coffer/{storage}/{name}, private ones only signed
app.MapHealthChecks("/healthz");

app.MapPost("/files", async (IFormFile file, [FromKeyedServices("private")] FileStorage storage, FileUploader uploader) =>
{
    var upload = await uploader.SaveAsync(storage, file, new() { UploadTo = "files/{yyyy}/{MM}" });
    return upload.Succeeded ? Results.Ok(new { upload.Name, storage.GetUrl(upload.Name!).Url }) : upload.Problem;
}).DisableAntiforgery().WithFileUploadLimits("private"); // the storage's MaxFileSize is the limit, not Kestrel's 30 MB

app.Run();
