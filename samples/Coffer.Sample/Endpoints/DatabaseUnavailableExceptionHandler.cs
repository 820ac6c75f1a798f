using Coffer.Sample.Data;
using Microsoft.AspNetCore.Diagnostics;

namespace Coffer.Sample.Endpoints;

/// <summary>
/// A request that failed because the database could not be reached is a 503 with a Retry-After, not a 500: a problem
/// for the JSON API (title "The database is unavailable", a detail that says what was not done), and the error page
/// for the pages (it says the same; the re-executed request keeps the status and the header). The outage is logged as
/// a warning with the exception; the client gets no detail of it.
/// </summary>
public sealed partial class DatabaseUnavailableExceptionHandler(IProblemDetailsService problems, ILogger<DatabaseUnavailableExceptionHandler> logger) : IExceptionHandler
{
    public const string Title = "The database is unavailable";

    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (!DatabaseFaults.IsUnavailable(exception))
        {
            return false;
        }

        var request = httpContext.Request;
        LogUnavailable(logger, LogText.Escape(request.Method)!, LogText.Escape(request.Path.Value ?? "")!, exception);
        httpContext.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        httpContext.Response.Headers.RetryAfter = DatabaseFaults.RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (!Program.IsJsonApi(httpContext))
        {
            return false; // the error page (Pages/Error) says it
        }

        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            Exception = exception,
            ProblemDetails = { Status = StatusCodes.Status503ServiceUnavailable, Title = Title, Detail = Detail(request.Method) },
        });
    }

    /// <summary>What the client should know: what was not done, and that trying again later is the fix.</summary>
    public static string Detail(string method) => method switch
    {
        _ when HttpMethods.IsGet(method) || HttpMethods.IsHead(method) => "Your files could not be read. Try again in a moment.",
        _ when HttpMethods.IsDelete(method) => "Nothing was deleted. Try again in a moment.",
        _ => "Nothing was saved. Try again in a moment.",
    };

    // Warning, not Error: the app did what it should (the client is told to retry); the database is what needs a look.
    // The method and path are the client's, so they are escaped as the packages escape theirs.
    [LoggerMessage(9001, LogLevel.Warning, "The database is unavailable: {Method} {Path} was answered 503", EventName = "DatabaseUnavailable")]
    private static partial void LogUnavailable(ILogger logger, string method, string path, Exception exception);
}
