using Coffer.Sample;
using Coffer.Sample.Data;
using Coffer.Sample.Endpoints;
using Microsoft.AspNetCore.Identity;

var builder = WebApplication.CreateBuilder(args);

// Storages from "Coffer" in configuration; with none, "private" and "public" are folders under App_Data.
builder.Services.AddCoffer(builder.Configuration).AddS3();   // "Backend": "S3" in a storage's settings puts it on S3
builder.Services.AddSampleDatabase(builder.Configuration);

builder.Services.AddIdentityApiEndpoints<IdentityUser>(o =>
    {
        o.Password.RequireNonAlphanumeric = false;
        o.Password.RequiredLength = 8;
        o.User.RequireUniqueEmail = true;
    })
    .AddEntityFrameworkStores<SampleDbContext>();
builder.Services.ConfigureApplicationCookie(o => o.LoginPath = "/Account/Login");
// The API and the download link challenge with Identity's default (bearer: 401); the pages with the sign-in cookie,
// so a browser that is not signed in is sent to the sign-in page.
builder.Services.AddAuthorizationBuilder()
    .AddPolicy(SignedInPages, policy => policy.AddAuthenticationSchemes(IdentityConstants.ApplicationScheme).RequireAuthenticatedUser());
builder.Services.AddRazorPages(o => o.Conventions.AuthorizeFolder("/Files", SignedInPages));
builder.Services.AddProblemDetails();
// The API's JSON is written from source-generated metadata (no reflection). ASP.NET's options keep their relaxed
// encoder, so a signed URL goes out as it is ('&', not '\u0026').
builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.TypeInfoResolverChain.Insert(0, SampleJsonContext.Default));
builder.Services.AddHealthChecks()
    .AddDbContextCheck<SampleDbContext>("database")
    .AddCheck<StorageHealthCheck>("storages");

var app = builder.Build();
await app.Services.MigrateSampleDatabaseAsync();
await app.Services.CreateMissingBucketsAsync(app.Configuration);

// The API answers errors with RFC 7807 problem details; the pages with the error page.
app.UseWhen(context => context.Request.Path.StartsWithSegments("/api"), api => api.UseExceptionHandler());
if (!app.Environment.IsDevelopment())
{
    app.UseWhen(context => !context.Request.Path.StartsWithSegments("/api"), pages => pages.UseExceptionHandler("/Error"));
}

app.UseStatusCodePages();
app.UseStaticFiles();
app.UseAuthentication();
app.UseAuthorization();

app.MapCoffer();                       // serves the local storages' files through their signed URLs
app.MapIdentityApi<IdentityUser>();    // /register, /login (bearer tokens for scripts), /refresh, …
app.MapFilesApi();                     // /api/files, /api/media, /files/{id}/download
app.MapRazorPages();
app.MapHealthChecks("/healthz");

app.Run();

/// <summary>Lets the end-to-end tests start the app in-process.</summary>
public partial class Program
{
    private const string SignedInPages = "SignedInPages";
}
