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
public sealed class InvalidFileNameException : ArgumentException
{
    /// <summary>Creates the exception for <paramref name="fileName"/>.</summary>
    public InvalidFileNameException(string? fileName, FileNameProblem problem, string message)
        : base(message, "name")
    {
        FileName = fileName;
        Problem = problem;
    }

    /// <summary>The refused name, as given (may contain the offending characters).</summary>
    public string? FileName { get; }

    /// <summary>Why the name was refused.</summary>
    public FileNameProblem Problem { get; }
}
