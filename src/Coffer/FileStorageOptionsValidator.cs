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
        var builder = new ValidateOptionsResultBuilder();
        AddErrors(options, builder);
        return builder.Build();
    }

    /// <summary>Adds the errors of <paramref name="options"/> to <paramref name="builder"/>; backends add their own.</summary>
    protected virtual void AddErrors(TOptions options, ValidateOptionsResultBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(builder);
        if (options.MaxNameLength < 16)
        {
            builder.AddError($"must be at least 16 (room for a name and its random suffix), but is {options.MaxNameLength}.", nameof(options.MaxNameLength));
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
                builder.AddError(ex.Message, nameof(options.Location));
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
