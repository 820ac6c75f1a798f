using System.Diagnostics;
using Coffer.Sample.Data;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Coffer.Sample.Pages;

/// <summary>
/// The page of a request that failed on the server (Production; Development shows the exception). It says what
/// happened in words the user can act on: the database being unreachable (503, "try again in a moment") or any other
/// fault (500, with the request id to give the administrator). Re-executed for GET and POST alike, so it has no handler.
/// </summary>
[ResponseCache(Duration = 0, Location = ResponseCacheLocation.None, NoStore = true)]
[IgnoreAntiforgeryToken]
public class ErrorModel : PageModel
{
    public string RequestId => Activity.Current?.Id ?? HttpContext.TraceIdentifier;

    /// <summary>Whether the request failed because the database could not be reached.</summary>
    public bool DatabaseUnavailable => HttpContext.Features.Get<IExceptionHandlerFeature>()?.Error is { } error && DatabaseFaults.IsUnavailable(error);

    /// <summary>What was not done, in the words the API's problem uses.</summary>
    public string Detail => Endpoints.DatabaseUnavailableExceptionHandler.Detail(HttpContext.Request.Method);
}
