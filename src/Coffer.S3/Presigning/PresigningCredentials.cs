namespace Coffer.S3.Presigning;

/// <summary>
/// Where a <see cref="SigV4Presigner"/> gets its keys. <see cref="Current"/> is read on every URL: it must never
/// block, take a lock or do I/O.
/// </summary>
/// <remarks>
/// Use <see cref="Static(string, string, string?, DateTimeOffset?)"/> for fixed keys and
/// <see cref="RefreshingPresigningCredentials"/> for the AWS SDK's providers (instance roles, SSO, assumed roles),
/// which are refreshed in the background ahead of their expiry.
/// </remarks>
public abstract class PresigningCredentials
{
    /// <summary>The credentials to sign with now; replaced as a whole when they are refreshed.</summary>
    public abstract SigningCredentials Current { get; }

    /// <summary>Fixed keys, optionally with a session token and its expiry.</summary>
    /// <param name="accessKeyId">The access key id.</param>
    /// <param name="secretAccessKey">The secret access key.</param>
    /// <param name="sessionToken">The session token of temporary credentials, or <see langword="null"/>.</param>
    /// <param name="expiration">When temporary credentials stop working; URLs are clamped to it.</param>
    /// <returns>A source that always returns the same credentials.</returns>
    public static PresigningCredentials Static(string accessKeyId, string secretAccessKey, string? sessionToken = null, DateTimeOffset? expiration = null) =>
        new StaticPresigningCredentials(new SigningCredentials(accessKeyId, secretAccessKey, sessionToken, expiration));

    /// <summary>A source that always returns <paramref name="credentials"/>.</summary>
    /// <param name="credentials">The credentials to sign with.</param>
    /// <returns>A source that always returns <paramref name="credentials"/>.</returns>
    public static PresigningCredentials Static(SigningCredentials credentials)
    {
        ArgumentNullException.ThrowIfNull(credentials);
        return new StaticPresigningCredentials(credentials);
    }

    private sealed class StaticPresigningCredentials(SigningCredentials credentials) : PresigningCredentials
    {
        public override SigningCredentials Current { get; } = credentials;
    }
}
