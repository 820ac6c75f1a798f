namespace Coffer;

/// <summary>What is wrong with file content that Coffer refused.</summary>
public enum FileContentProblem
{
    /// <summary>The content has no bytes.</summary>
    Empty,

    /// <summary>The content is longer than the storage's <see cref="FileStorageOptions.MaxFileSize"/>.</summary>
    TooLarge,
}

/// <summary>File content was refused; nothing was stored.</summary>
public sealed class InvalidFileContentException : ArgumentException
{
    /// <summary>Creates the exception.</summary>
    public InvalidFileContentException(FileContentProblem problem, string message)
        : base(message, "content") => Problem = problem;

    /// <summary>Why the content was refused.</summary>
    public FileContentProblem Problem { get; }
}
