using System.Globalization;
using System.Text;

namespace Coffer;

/// <summary>
/// Where uploaded files go, like the <c>upload_to</c> argument of Django's <c>FileField</c>: either a folder
/// template with date tokens, or a delegate that computes the whole name.
/// </summary>
/// <remarks>
/// A template is a folder path in which every <c>{…}</c> is a .NET custom date and time format read from the
/// upload time in UTC: <c>files/{yyyy}/{MM}/{dd}</c> becomes <c>files/2024/05/17</c>. Write <c>{{</c> and
/// <c>}}</c> for literal braces.
/// </remarks>
public sealed class UploadTo
{
    private readonly string? _template;
    private readonly Func<UploadToContext, string>? _factory;

    private UploadTo(string? template, Func<UploadToContext, string>? factory)
    {
        _template = template;
        _factory = factory;
    }

    /// <summary>A folder template such as <c>files</c> or <c>files/{yyyy}/{MM}</c>.</summary>
    /// <exception cref="FormatException">A brace is not closed.</exception>
    public static UploadTo Template(string template)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(template);
        var uploadTo = new UploadTo(template.Trim('/'), null);
        _ = uploadTo.FormatTemplate(DateTimeOffset.UnixEpoch); // fail at configuration time, not at the first upload
        return uploadTo;
    }

    /// <summary>A delegate that returns the whole name (folders and file name) for an upload.</summary>
    public static UploadTo From(Func<UploadToContext, string> factory)
    {
        ArgumentNullException.ThrowIfNull(factory);
        return new UploadTo(null, factory);
    }

    /// <summary>Converts a template string, so that options can say <c>UploadTo = "files/{yyyy}"</c>.</summary>
    public static implicit operator UploadTo(string template) => Template(template);

    /// <summary>Applies this rule to a cleaned file name.</summary>
    internal string Apply(string fileName, object? instance, DateTimeOffset now)
    {
        if (_factory is not null)
        {
            return _factory(new UploadToContext(instance, fileName, now));
        }

        string folder = FormatTemplate(now);
        return folder.Length == 0 ? fileName : folder + "/" + fileName;
    }

    private string FormatTemplate(DateTimeOffset now)
    {
        string template = _template!;
        var builder = new StringBuilder(template.Length + 8);
        DateTime utc = now.UtcDateTime;
        for (int i = 0; i < template.Length; i++)
        {
            char c = template[i];
            if (c == '{' && i + 1 < template.Length && template[i + 1] == '{')
            {
                builder.Append('{');
                i++;
            }
            else if (c == '}' && i + 1 < template.Length && template[i + 1] == '}')
            {
                builder.Append('}');
                i++;
            }
            else if (c == '{')
            {
                int end = template.IndexOf('}', i + 1);
                if (end < 0)
                {
                    throw new FormatException($"The upload-to template '{template}' has a '{{' without a closing '}}'.");
                }

                string format = template[(i + 1)..end];
                // A one-letter custom format ("d") would otherwise be read as a standard format.
                builder.Append(utc.ToString(format.Length == 1 ? "%" + format : format, CultureInfo.InvariantCulture));
                i = end;
            }
            else
            {
                builder.Append(c);
            }
        }

        return builder.ToString().Trim('/');
    }

    /// <inheritdoc />
    public override string ToString() => _template ?? "(delegate)";
}

/// <summary>What an <see cref="UploadTo"/> delegate is given.</summary>
/// <param name="Instance">The object that owns the file (an entity), if any.</param>
/// <param name="FileName">The cleaned original file name (with the folders it was given, if any).</param>
/// <param name="Now">The upload time.</param>
public readonly record struct UploadToContext(object? Instance, string FileName, DateTimeOffset Now);
