namespace Coffer.S3.Presigning;

/// <summary>
/// One immutable set of keys that signs URLs: an access key id, its secret, an optional session token and,
/// for temporary credentials, the moment they stop working.
/// </summary>
/// <remarks>
/// A <see cref="PresigningCredentials"/> source hands out the current instance; refreshing sources replace it
/// as a whole, so a signer never sees a key id from one set and a secret from another.
/// </remarks>
public sealed class SigningCredentials
{
    /// <summary>Creates a set of credentials.</summary>
    /// <param name="accessKeyId">The access key id, e.g. <c>AKIAIOSFODNN7EXAMPLE</c>.</param>
    /// <param name="secretAccessKey">The secret access key.</param>
    /// <param name="sessionToken">The session token of temporary credentials, sent as <c>X-Amz-Security-Token</c>; <see langword="null"/> for long-term keys.</param>
    /// <param name="expiration">When the credentials stop working, or <see langword="null"/> when they do not expire. URLs never outlive it.</param>
    /// <exception cref="ArgumentException">A key is empty or contains characters outside printable ASCII.</exception>
    public SigningCredentials(string accessKeyId, string secretAccessKey, string? sessionToken = null, DateTimeOffset? expiration = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(accessKeyId);
        ArgumentException.ThrowIfNullOrEmpty(secretAccessKey);
        RequirePrintableAscii(accessKeyId, nameof(accessKeyId));
        RequirePrintableAscii(secretAccessKey, nameof(secretAccessKey));
        if (sessionToken is not null)
        {
            RequirePrintableAscii(sessionToken, nameof(sessionToken));
        }

        AccessKeyId = accessKeyId;
        SecretAccessKey = secretAccessKey;
        SessionToken = string.IsNullOrEmpty(sessionToken) ? null : sessionToken;
        Expiration = expiration;
    }

    /// <summary>The access key id.</summary>
    public string AccessKeyId { get; }

    /// <summary>The secret access key.</summary>
    public string SecretAccessKey { get; }

    /// <summary>The session token, or <see langword="null"/> for long-term keys.</summary>
    public string? SessionToken { get; }

    /// <summary>When these credentials stop working, or <see langword="null"/> when they do not expire.</summary>
    public DateTimeOffset? Expiration { get; }

    /// <summary>The key id only: secrets never appear in logs or exception messages.</summary>
    public override string ToString() => AccessKeyId + (SessionToken is null ? string.Empty : " (session)");

    private static void RequirePrintableAscii(string value, string paramName)
    {
        foreach (char c in value)
        {
            if (c is < '!' or > '~')
            {
                throw new ArgumentException("Credentials must be printable ASCII without spaces.", paramName);
            }
        }
    }
}
