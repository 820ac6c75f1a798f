using Coffer.Signing;

namespace Coffer.Local;

/// <summary>Settings of a storage on the local disk.</summary>
public sealed class LocalFileStorageOptions : FileStorageOptions
{
    /// <summary>The folder under which files are kept (the storage's <see cref="FileStorageOptions.Location"/> is a sub-folder of it). Required.</summary>
    public string RootPath { get; set { ThrowIfReadOnly(); field = value; } } = "";

    /// <summary>
    /// Keys that sign the URLs of a private storage: the first signs, all verify, so a new key can be put first
    /// while URLs signed with the old one run out. Required for a private storage.
    /// </summary>
    public IList<UrlSigningKey> SigningKeys { get; private set; } = new List<UrlSigningKey>();

    /// <inheritdoc />
    protected override void OnMakeReadOnly() => SigningKeys = SigningKeys.ToList().AsReadOnly();
}

/// <summary>Checks <see cref="LocalFileStorageOptions"/>.</summary>
public sealed class LocalFileStorageOptionsValidator : FileStorageOptionsValidator<LocalFileStorageOptions>
{
    /// <inheritdoc />
    protected override void AddErrors(LocalFileStorageOptions options, FileStorageOptionsErrors builder)
    {
        base.AddErrors(options, builder);
        if (string.IsNullOrWhiteSpace(options.RootPath))
        {
            builder.AddError("is required: the folder where the files are kept.", nameof(options.RootPath));
        }

        if (options.Visibility == FileVisibility.Private && options.SigningKeys.Count == 0)
        {
            builder.AddError("needs at least one key for a private storage, whose URLs are signed (UrlSigningKey.Generate makes one).", nameof(options.SigningKeys));
        }

        foreach (var key in options.SigningKeys)
        {
            if (UrlSigner.Check(key) is { } error)
            {
                builder.AddError(error, nameof(options.SigningKeys));
            }
        }

        if (UrlSigner.ShareAnId(options.SigningKeys.Select(k => k.Id)))
        {
            builder.AddError("has two keys with the same id; give every key its own id.", nameof(options.SigningKeys));
        }
    }
}
