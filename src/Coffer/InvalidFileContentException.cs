namespace Coffer;

/// <summary>What is wrong with file content that Coffer refused.</summary>
public enum FileContentProblem
{
    /// <summary>The content has no bytes.</summary>
    Empty,

    /// <summary>The content is longer than the storage's <see cref="FileStorageOptions.MaxFileSize"/>.</summary>
    TooLarge,

    /// <summary>The content is not an image of a format the field accepts, or cannot be decoded.</summary>
    NotAnImage,

    /// <summary>The image has more pixels, or a longer side, than the field accepts (a decompression bomb).</summary>
    ImageTooLarge,
}

/// <summary>File content was refused; nothing was stored.</summary>
/// <remarks>
/// <see cref="ClientMessage"/> is the reason to show the client that sent the content; <see cref="Exception.Message"/>
/// is the detail for logs, which <see cref="ArgumentException"/> ends with the parameter's name.
/// </remarks>
public sealed class InvalidFileContentException : ArgumentException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="problem">Why the content was refused.</param>
    /// <param name="message">The reason, safe to show the client: it names only the storage and its rules.</param>
    public InvalidFileContentException(FileContentProblem problem, string message)
        : base(message, "content")
    {
        ArgumentNullException.ThrowIfNull(message);
        Problem = problem;
        ClientMessage = message;
    }

    /// <summary>
    /// The reason the content was refused, safe to return to the client that sent it (an upload endpoint returns it as
    /// the problem's detail): no parameter name, no server detail.
    /// </summary>
    public string ClientMessage { get; }

    /// <summary>Why the content was refused.</summary>
    public FileContentProblem Problem { get; }
}
