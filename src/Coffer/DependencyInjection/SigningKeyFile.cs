using System.Text.Json;
using Coffer.Signing;
using Microsoft.Extensions.Logging;

namespace Coffer.DependencyInjection;

/// <summary>
/// The URL signing key of local storages that configure none: generated once into a file under the data folder
/// (mode 0600 on Unix), and read back on every later start, so that URLs survive a restart.
/// </summary>
internal sealed class SigningKeyFile(CofferPaths paths, ILoggerFactory? loggerFactory = null)
{
    private readonly Lazy<UrlSigningKey> _key = new(() => LoadOrCreate(paths.SigningKeyFile, loggerFactory));

    public string Path => paths.SigningKeyFile;

    /// <exception cref="IOException">The file could not be read or written.</exception>
    /// <exception cref="UnauthorizedAccessException">The file or folder is not accessible.</exception>
    /// <exception cref="InvalidDataException">The file holds no valid key.</exception>
    public UrlSigningKey Key => _key.Value;

    private static UrlSigningKey LoadOrCreate(string path, ILoggerFactory? loggerFactory)
    {
        if (File.Exists(path))
        {
            return ReadWhenWritten(path);
        }

        string directory = System.IO.Path.GetDirectoryName(path)!;
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(directory);
        }
        else
        {
            Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        var key = UrlSigningKey.Generate("local-" + DateTimeOffset.UtcNow.ToString("yyyyMMdd", System.Globalization.CultureInfo.InvariantCulture));
        // Created in place with CreateNew (O_CREAT|O_EXCL), the one atomic claim: when two instances start at once, the
        // first to create the file wins and the other reads its key. A temp file moved into place is not one, because
        // File.Move without overwrite checks for the target and then renames over it on Unix (a test caught both keys kept).
        // Shared for reading: on Unix, FileShare.None is an exclusive lock taken after the create, which fails while
        // another instance holds the file open to read it, and would leave it created but empty.
        var streamOptions = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.Read };
        if (!OperatingSystem.IsWindows())
        {
            streamOptions.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        try
        {
            using var stream = new FileStream(path, streamOptions);
            JsonSerializer.Serialize(stream, new KeyDocument(key.Id, key.Secret));
            stream.Flush(flushToDisk: true);
        }
        catch (IOException) when (File.Exists(path))
        {
            return ReadWhenWritten(path);
        }

        if (loggerFactory is not null)
        {
            Log.SigningKeyGenerated(loggerFactory.CreateLogger(Log.Category), path);
        }

        return key;
    }

    /// <summary>
    /// Reads the key file, waiting up to two seconds for an instance that has just created it to finish its few bytes
    /// (meanwhile the file is locked, or short); a file that stays incomplete (a crash while it was written) is reported
    /// with what to do.
    /// </summary>
    private static UrlSigningKey ReadWhenWritten(string path)
    {
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                return Read(path);
            }
            catch (Exception ex) when (ex is InvalidDataException or IOException && attempt < 100)
            {
                Thread.Sleep(20);
            }
        }
    }

    private static UrlSigningKey Read(string path)
    {
        KeyDocument? document;
        try
        {
            using var stream = File.OpenRead(path);
            document = JsonSerializer.Deserialize<KeyDocument>(stream);
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"The signing key file '{path}' is not valid JSON; delete it to generate a new key (URLs signed with the old one stop working).", ex);
        }

        var key = new UrlSigningKey { Id = document?.Id ?? "", Secret = document?.Secret ?? "" };
        if (UrlSigner.Check(key) is { } error)
        {
            throw new InvalidDataException($"The signing key file '{path}' holds no valid key: {error} Delete it to generate a new key.");
        }

        return key;
    }

    private sealed record KeyDocument(string Id, string Secret);
}
