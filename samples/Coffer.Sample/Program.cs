using Coffer.Sample;
using Coffer.Sample.Data;
using Coffer.Sample.Endpoints;
using Microsoft.AspNetCore.Identity;

var builder = WebApplication.CreateBuilder(args);
// The packages' files for browsers (Coffer.AspNetCore's /_content/Coffer.AspNetCore/coffer-upload.js) come from the
// build output's manifest in every environment, not only in Development: the sample runs from its build output, and
// its tests run it as Production. A published app has them under wwwroot and no manifest, and this does nothing.
builder.WebHost.UseStaticWebAssets();

// Storages from "Coffer" in configuration; with none, "private" and "public" are folders under App_Data.
builder.Services.AddCoffer(builder.Configuration).AddS3().AddFileUploader()   // "Backend": "S3" in a storage's settings puts it on S3
    .AddDirectUploads(o => builder.Configuration.GetSection("DirectUploads").Bind(o)); // browser → store uploads, tickets signed by Data Protection
builder.Services.AddSampleDatabase(builder.Configuration, builder.Environment);
builder.Services.AddCofferFileLedger<SampleDbContext>();                         // direct uploads are pending in its ledger until committed
builder.AddSampleTelemetry(); // "Sample:Telemetry": none, console (the default in Development) or otlp

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
// Status-only answers (UseStatusCodePages turns them into problems) get a detail where the cause is known.
builder.Services.AddProblemDetails(o => o.CustomizeProblemDetails = context =>
{
    var request = context.HttpContext.Request;
    switch (context.ProblemDetails)
    {
        case { Status: StatusCodes.Status415UnsupportedMediaType, Detail: null } problem:
            // Routing answers it by itself, before the endpoint runs, for a body of a type the endpoint does not read.
            problem.Detail = $"This endpoint does not read a body of type '{request.ContentType ?? "(none)"}'. Uploads are multipart/form-data, with the file in the field 'file'.";
            break;
        case { Status: StatusCodes.Status400BadRequest, Detail: null } problem when request.HasFormContentType:
            // Form binding answers it without throwing when the body ends early (an IOException, even in Development).
            problem.Detail = "The form could not be read to its end: the body is shorter than the form it starts, or the connection broke.";
            break;
    }
});
// A request the API cannot read or bind is the client's fault (400, 413, 415), answered as a problem that says why, in
// every environment: minimal APIs throw for it everywhere (not only in Development), and the handler writes the problem.
builder.Services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
builder.Services.AddExceptionHandler<ClientErrorExceptionHandler>();
builder.Services.AddExceptionHandler<DatabaseUnavailableExceptionHandler>(); // a database outage is a 503 that says so, not a 500
// The API's JSON is written from source-generated metadata (no reflection). ASP.NET's options keep their relaxed
// encoder, so a signed URL goes out as it is ('&', not '\u0026').
builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.TypeInfoResolverChain.Insert(0, SampleJsonContext.Default));
builder.Services.AddHealthChecks()
    .AddDbContextCheck<SampleDbContext>("database")
    .AddCofferStorageChecks();   // "storage:private", "storage:public": store, bucket and keys, answered within 5 s

var app = builder.Build();
await app.Services.MigrateSampleDatabaseAsync();
if (!await app.Services.CreateMissingBucketsAsync(app.Configuration))
{
    await app.DisposeAsync(); // flushes the log, whose last line says why
    return 1;
}

// The JSON APIs answer errors with RFC 9457 problem details; the pages with the error page. The pages' handler is on
// the main pipeline, not in a UseWhen branch: it re-executes the request as /Error, and in a branch that request
// missed routing and every server error became a 404. It comes first, so that the API's handler (inner) sees the
// API's exceptions before it.
if (!app.Environment.IsDevelopment())
{
    app.UseExceptionHandler(new ExceptionHandlerOptions
    {
        ExceptionHandlingPath = "/Error",
        // DatabaseUnavailableExceptionHandler has logged the outage as a warning; not again as an unhandled error.
        SuppressDiagnosticsCallback = context => DatabaseFaults.IsUnavailable(context.Exception),
    });
}

app.UseWhen(IsJsonApi, api => api.UseExceptionHandler());

app.UseStatusCodePages();
app.UseStaticFiles();
app.UseAuthentication();
app.UseAuthorization();

app.MapCoffer();                       // serves the local storages' files through their signed URLs
app.MapIdentityApi<IdentityUser>();    // /register, /login (bearer tokens for scripts), /refresh, …
app.MapFilesApi();                     // /api/files, /api/media, /api/uploads, /files/{id}/download
app.MapRazorPages().ForPage("/Files/Index").WithFileUploadLimits("private"); // its form without JavaScript takes what /api/files takes
app.MapHealthChecks("/healthz", new() { ResponseWriter = HealthReportWriter.WriteAsync }); // names the failing check

await app.RunAsync();
return 0;

/// <summary>Lets the end-to-end tests start the app in-process.</summary>
public partial class Program
{
    private const string SignedInPages = "SignedInPages";

    // Identity's JSON endpoints (MapIdentityApi), which bind their bodies like the app's own API.
    private static readonly string[] IdentityApiPaths =
        ["/register", "/login", "/refresh", "/confirmEmail", "/resendConfirmationEmail", "/forgotPassword", "/resetPassword", "/manage"];

    /// <summary>Whether a request is for a JSON API (the app's under /api, or Identity's) rather than a page.</summary>
    internal static bool IsJsonApi(HttpContext context) =>
        context.Request.Path.StartsWithSegments("/api") || Array.Exists(IdentityApiPaths, path => context.Request.Path.StartsWithSegments(path));
}
