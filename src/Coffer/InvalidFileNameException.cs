namespace Coffer;

/// <summary>What is wrong with a file name that Coffer refused.</summary>
public enum FileNameProblem
{
    /// <summary>The name is empty or only white space.</summary>
    Empty,

    /// <summary>The name contains NUL or another control character.</summary>
    ControlCharacter,

    /// <summary>The name uses a backslash, which Coffer never treats as a separator.</summary>
    Backslash,

    /// <summary>The name is an absolute path (leading <c>/</c> or a drive letter).</summary>
    AbsolutePath,

    /// <summary>The name has a <c>..</c> segment that could climb out of the storage's location.</summary>
    Traversal,

    /// <summary>The name has an empty or <c>.</c> segment (<c>a//b</c>, <c>a/./b</c>, a trailing <c>/</c>).</summary>
    EmptySegment,

    /// <summary>Cleaning the file name left nothing usable (for example <c>???</c>).</summary>
    NoValidCharacters,

    /// <summary>The name cannot be made to fit the maximum name length.</summary>
    TooLong,

    /// <summary>A segment starts with <c>.coffer-</c>, which Coffer keeps for its unfinished uploads.</summary>
    Reserved,
}

/// <summary>
/// A file name was refused before any I/O: it could escape the storage's location, it holds characters
/// no storage can keep safely, or it cannot fit the column that stores it. Coffer's analogue of Django's
/// <c>SuspiciousFileOperation</c>.
/// </summary>
/// <remarks>
/// <see cref="ClientMessage"/> is the reason to show the client that sent the name; <see cref="Exception.Message"/> is
/// the detail for logs, which <see cref="ArgumentException"/> ends with the parameter's name.
/// </remarks>
public sealed class InvalidFileNameException : ArgumentException
{
    /// <summary>Creates the exception for <paramref name="fileName"/>, with one message for the client and the log.</summary>
    /// <param name="fileName">The refused name.</param>
    /// <param name="problem">Why it was refused.</param>
    /// <param name="message">The reason, safe to show the client: it quotes only the name and the storage's rules.</param>
    public InvalidFileNameException(string? fileName, FileNameProblem problem, string message)
        : this(fileName, problem, message, message)
    {
    }

    /// <summary>Creates the exception for <paramref name="fileName"/>, with a reason for the client and more detail for the log.</summary>
    /// <param name="fileName">The refused name.</param>
    /// <param name="problem">Why it was refused.</param>
    /// <param name="clientMessage">The reason, safe to show the client: it quotes only the name and the storage's rules.</param>
    /// <param name="detail">The reason for the log, which may name the server's types, settings and paths.</param>
    public InvalidFileNameException(string? fileName, FileNameProblem problem, string clientMessage, string detail)
        : base(detail, "name")
    {
        ArgumentNullException.ThrowIfNull(clientMessage);
        FileName = fileName;
        Problem = problem;
        ClientMessage = clientMessage;
    }

    /// <summary>
    /// The reason the name was refused, safe to return to the client that sent it (an upload endpoint returns it as
    /// the problem's detail): no parameter name, no server detail.
    /// </summary>
    public string ClientMessage { get; }

    /// <summary>The refused name, as given (may contain the offending characters).</summary>
    public string? FileName { get; }

    /// <summary>Why the name was refused.</summary>
    public FileNameProblem Problem { get; }
}
