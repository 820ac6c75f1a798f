namespace Coffer;

/// <summary>Why an upload ticket, or the upload it stands for, was refused.</summary>
public enum UploadTicketProblem
{
    /// <summary>The ticket is not one this app signed, or it was changed.</summary>
    Invalid,

    /// <summary>The ticket's lifetime has passed: start the upload again.</summary>
    Expired,

    /// <summary>The ticket was issued to another caller.</summary>
    WrongOwner,

    /// <summary>The upload was committed already (a ticket commits once), or it expired and the sweep removed it.</summary>
    AlreadyCommitted,

    /// <summary>The upload is not complete yet: not every byte has reached the store.</summary>
    Incomplete,

    /// <summary>The ticket is for another storage than the field it is committed to.</summary>
    WrongStorage,
}

/// <summary>An upload ticket was refused; nothing was committed. The message says what the client should do.</summary>
public sealed class UploadTicketException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="problem">Why the ticket was refused.</param>
    /// <param name="message">The reason, safe to show the client: it names no server detail.</param>
    public UploadTicketException(UploadTicketProblem problem, string message)
        : base(message)
    {
        Problem = problem;
    }

    /// <summary>Creates the exception with a cause.</summary>
    public UploadTicketException(UploadTicketProblem problem, string message, Exception? innerException)
        : base(message, innerException)
    {
        Problem = problem;
    }

    /// <summary>Why the ticket was refused.</summary>
    public UploadTicketProblem Problem { get; }
}
