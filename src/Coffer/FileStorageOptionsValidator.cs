using Microsoft.Extensions.Options;

namespace Coffer;

/// <summary>
/// Checks the settings every storage has. Storages run it when they are built, and DI registrations run it
/// at start-up (<c>ValidateOnStart</c>), so a bad setting stops the app with a message that names it.
/// </summary>
/// <typeparam name="TOptions">The storage's options type.</typeparam>
public class FileStorageOptionsValidator<TOptions> : IValidateOptions<TOptions>
    where TOptions : FileStorageOptions
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, TOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var builder = new FileStorageOptionsErrors();
        AddErrors(options, builder);
        return builder.Failures.Count == 0 ? ValidateOptionsResult.Success : new FileStorageOptionsResult(builder.Failures);
    }

    /// <summary>Adds the errors of <paramref name="options"/> to <paramref name="builder"/>; backends add their own.</summary>
    protected virtual void AddErrors(TOptions options, FileStorageOptionsErrors builder)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(builder);
        int minNameLength = options.UsesUniqueNames ? FileNames.MinMaxNameLengthForUniqueNames : FileNames.MinMaxNameLength;
        if (options.MaxNameLength < minNameLength)
        {
            builder.AddError(options.UsesUniqueNames
                ? $"must be at least {minNameLength} (room for a name and its {FileNames.UniqueTokenLength}-character random token, UniqueNames), but is {options.MaxNameLength}."
                : $"must be at least {minNameLength} (room for a name and its random suffix), but is {options.MaxNameLength}.", nameof(options.MaxNameLength));
        }

        if (options.FileOverwrite && options.UsesUniqueNames)
        {
            builder.AddError(options.UniqueNames is null
                ? "cannot be on in a private storage, whose names are unique by default (every save gets a new name, so a link never reaches a later file). To replace files under their names, set UniqueNames to false as well, knowing that a link made for the old file then serves the new one."
                : "cannot be on together with UniqueNames: every save gets a new name, so nothing is ever overwritten. Turn one of them off.",
                nameof(options.FileOverwrite));
        }

        if (options.UrlExpiry <= TimeSpan.Zero)
        {
            builder.AddError($"must be positive, but is {options.UrlExpiry}.", nameof(options.UrlExpiry));
        }

        if (options.MaxFileSize is <= 0)
        {
            builder.AddError($"must be positive or null (no limit), but is {options.MaxFileSize}.", nameof(options.MaxFileSize));
        }

        string location = (options.Location ?? "").Trim('/');
        if (location.Length > 0)
        {
            try
            {
                FileNames.Validate(location);
            }
            catch (InvalidFileNameException ex)
            {
                builder.AddError(ex.ClientMessage, nameof(options.Location)); // without ArgumentException's "(Parameter 'name')"
            }
        }

        if (options.BaseUrl is { } baseUrl
            && !baseUrl.StartsWith('/')
            && !(Uri.TryCreate(baseUrl, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)))
        {
            builder.AddError($"must be an absolute http(s) URL or a path starting with '/', but is '{baseUrl}'.", nameof(options.BaseUrl));
        }
    }
}
