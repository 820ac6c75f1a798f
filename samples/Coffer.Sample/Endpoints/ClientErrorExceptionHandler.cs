using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.WebUtilities;

namespace Coffer.Sample.Endpoints;

/// <summary>
/// Turns a request the server could not read or bind (<see cref="BadHttpRequestException"/> with a 4xx status: a
/// malformed form, a body that is not a form, a value that is not a number) into a problem with that status and a
/// detail that says what was wrong. Minimal APIs throw it for every binding failure (the app turns
/// <c>RouteHandlerOptions.ThrowOnBadRequest</c> on in every environment), so the answer is the same in Development
/// and Production. Every other exception is left to the default handler: a server fault stays a 500.
/// </summary>
public sealed class ClientErrorExceptionHandler : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (exception is not BadHttpRequestException { StatusCode: >= 400 and < 500 } bad)
        {
            return false;
        }

        // Binding wraps what the form reader or the server said (the useful part) in a sentence naming the parameter.
        string detail = bad.InnerException is InvalidDataException or JsonException or BadHttpRequestException ? $"{bad.Message} {bad.InnerException.Message}" : bad.Message;
        await TypedResults.Problem(detail, statusCode: bad.StatusCode, title: ReasonPhrases.GetReasonPhrase(bad.StatusCode)).ExecuteAsync(httpContext);
        return true;
    }
}
