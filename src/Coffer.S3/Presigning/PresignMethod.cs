namespace Coffer.S3.Presigning;

/// <summary>The HTTP method a presigned URL is valid for; SigV4 signs it, so a URL serves exactly one method.</summary>
public enum PresignMethod
{
    /// <summary>Download the object.</summary>
    Get,

    /// <summary>Read the object's metadata.</summary>
    Head,

    /// <summary>Upload the object (the body is not signed: <c>UNSIGNED-PAYLOAD</c>).</summary>
    Put,
}
