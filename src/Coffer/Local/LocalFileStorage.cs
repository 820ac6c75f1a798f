using System.Text;
using Coffer.Signing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Coffer.Local;

/// <summary>
/// Files in a folder on the local disk: the embedded default. Writes are atomic (a temporary file in the same
/// folder, moved into place), and a new name is claimed by the file system itself, so concurrent saves of one
/// name never overwrite each other. URLs of a private storage are HMAC-signed and expire.
/// </summary>
public sealed partial class LocalFileStorage : FileStorage<LocalFileStorageOptions>
{
    private const string TempPrefix = FileNames.ReservedPrefix; // a prefix no stored name may have
    private const string TempSuffix = ".tmp";
    private const int MaxSegmentBytes = 255;
    private const int CopyBufferSize = 81920;

    private readonly string _root;
    private readonly UrlSigner? _signer;

    /// <summary>Creates a local-disk storage.</summary>
    /// <param name="name">The storage's name (<c>"private"</c>).</param>
    /// <param name="options">Its settings.</param>
    /// <param name="logger">Where it logs; <see langword="null"/> for none.</param>
    /// <param name="timeProvider">Its clock; <see langword="null"/> for the system clock.</param>
    /// <exception cref="OptionsValidationException">A setting is invalid; the message names it.</exception>
    public LocalFileStorage(string name, LocalFileStorageOptions options, ILogger<LocalFileStorage>? logger = null, TimeProvider? timeProvider = null)
        : base(name, options, new LocalFileStorageOptionsValidator(), logger, timeProvider)
    {
        string location = Location.Replace('/', Path.DirectorySeparatorChar);
        _root = Path.TrimEndingDirectorySeparator(Path.GetFullPath(Path.Combine(options.RootPath, location)));
        if (options.SigningKeys.Count > 0)
        {
            _signer = new UrlSigner(name, options.SigningKeys, TimeProvider);
        }
    }

    /// <summary>The folder that holds this storage's files (root path plus location).</summary>
    public string RootDirectory => _root;

    /// <summary>
    /// Verifies a signed URL of this storage, for the endpoint that serves its files.
    /// </summary>
    /// <param name="name">The file name taken from the URL's path.</param>
    /// <param name="query">The URL's signature parameters.</param>
    /// <returns>Why the URL is valid or not; only <see cref="UrlSignatureStatus.Valid"/> may be served.</returns>
    public UrlSignatureStatus VerifyUrl(string name, SignedUrlQuery query)
    {
        try
        {
            FileNames.Validate(name);
        }
        catch (InvalidFileNameException)
        {
            return UrlSignatureStatus.Tampered;
        }

        return _signer?.Verify(name, query) ?? UrlSignatureStatus.UnknownKey;
    }

    /// <summary>The full path of a stored name on disk.</summary>
    /// <exception cref="InvalidFileNameException">The name is refused.</exception>
    public string GetPath(string name)
    {
        FileNames.Validate(name);
        return PathOf(name);
    }

    /// <inheritdoc />
    protected override void ValidateBackendName(string name)
    {
        foreach (var segment in name.Split('/'))
        {
            // A later name may add a random suffix ('_' and 7 ASCII letters or digits) to the last segment.
            if (Encoding.UTF8.GetByteCount(segment) + FileNames.RandomSuffixLength + 1 > MaxSegmentBytes)
            {
                throw new InvalidFileNameException(name, FileNameProblem.TooLong,
                    $"The segment '{segment}' of '{name}' is too long for a file system, which allows {MaxSegmentBytes} bytes per folder or file name. Use a shorter name.");
            }
        }
    }

    /// <inheritdoc />
    protected override async Task<string> SaveCoreAsync(AvailableNames names, Stream content, FileSaveOptions options, CancellationToken cancellationToken)
    {
        string candidate = names.First;
        string directory = Path.GetDirectoryName(PathOf(candidate))!;
        Directory.CreateDirectory(directory);
        string tempPath = Path.Combine(directory, TempPrefix + Guid.NewGuid().ToString("N") + TempSuffix);
        try
        {
            await WriteTempFileAsync(tempPath, content, cancellationToken).ConfigureAwait(false);
            while (true)
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (names.Overwrite)
                {
                    File.Move(tempPath, PathOf(candidate), overwrite: true); // rename(2): atomic replacement
                    return candidate;
                }

                // The file system, not an earlier check, decides who gets the name.
                if (NoReplaceMove.TryMove(tempPath, PathOf(candidate)))
                {
                    return candidate;
                }

                string next = names.Next();
                Log.NameTaken(Logger, Name, candidate, next);
                candidate = next;
            }
        }
        finally
        {
            if (File.Exists(tempPath))
            {
                TryDelete(tempPath);
            }
        }
    }

    /// <inheritdoc />
    protected override Task<Stream> OpenReadCoreAsync(string name, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        string path = PathOf(name);
        try
        {
            Stream stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete,
                bufferSize: 0, FileOptions.Asynchronous | FileOptions.SequentialScan);
            return Task.FromResult(stream);
        }
        catch (Exception ex) when (ex is DirectoryNotFoundException or UnauthorizedAccessException && !File.Exists(path))
        {
            throw new FileNotFoundException($"Storage '{Name}' has no file named '{name}'.", name, ex);
        }
        catch (FileNotFoundException ex)
        {
            throw new FileNotFoundException($"Storage '{Name}' has no file named '{name}'.", name, ex);
        }
    }

    /// <inheritdoc />
    protected override Task DeleteCoreAsync(string name, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        try
        {
            File.Delete(PathOf(name));
        }
        catch (DirectoryNotFoundException)
        {
            // Deleting a missing file is not an error.
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc />
    protected override Task<bool> ExistsCoreAsync(string name, CancellationToken cancellationToken) =>
        Task.FromResult(File.Exists(PathOf(name)));

    /// <inheritdoc />
    protected override Task<StoredFileInfo> GetInfoCoreAsync(string name, CancellationToken cancellationToken)
    {
        var info = new FileInfo(PathOf(name));
        return Task.FromResult(info.Exists
            ? new StoredFileInfo(name, true, info.Length, new DateTimeOffset(info.LastWriteTimeUtc, TimeSpan.Zero))
            : StoredFileInfo.NotFound(name));
    }

    /// <inheritdoc />
    /// <remarks>
    /// Healthy when the folder exists, or is yet to be created by the first save in a folder that exists (a new app's
    /// storages have no folder until then). Unhealthy when a file stands where a folder must be.
    /// </remarks>
    protected internal override Task CheckHealthCoreAsync(string probeName, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        for (string? path = _root; path is not null; path = Path.GetDirectoryName(path))
        {
            if (Directory.Exists(path))
            {
                return Task.CompletedTask;
            }

            if (File.Exists(path))
            {
                throw new StorageUnavailableException(Name,
                    $"Storage '{Name}': its folder cannot be created, because '{path}' is a file. Move the file, or fix RootPath and Location.");
            }
        }

        throw new StorageUnavailableException(Name, $"Storage '{Name}': no part of its folder '{_root}' exists. Fix RootPath, or mount the volume.");
    }

    /// <inheritdoc />
    protected override Task<StorageListing> ListCoreAsync(string directory, CancellationToken cancellationToken)
    {
        var folder = new DirectoryInfo(directory.Length == 0 ? _root : PathOf(directory));
        if (!folder.Exists)
        {
            return Task.FromResult(new StorageListing([], []));
        }

        var directories = new List<string>();
        var files = new List<string>();
        foreach (var entry in folder.EnumerateFileSystemInfos())
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (entry is DirectoryInfo)
            {
                // .coffer-uploads holds the parts of unfinished direct uploads: no folder of the storage's.
                if (!entry.Name.StartsWith(TempPrefix, StringComparison.Ordinal))
                {
                    directories.Add(entry.Name);
                }
            }
            else if (!(entry.Name.StartsWith(TempPrefix, StringComparison.Ordinal) && entry.Name.EndsWith(TempSuffix, StringComparison.Ordinal)))
            {
                files.Add(entry.Name);
            }
        }

        directories.Sort(StringComparer.Ordinal);
        files.Sort(StringComparer.Ordinal);
        return Task.FromResult(new StorageListing(directories, files));
    }

    /// <inheritdoc />
    /// <remarks>
    /// A save writes into <c>.coffer-….tmp</c> in the target folder and links it into place; a process killed before that
    /// leaves the temporary file. A direct upload keeps its parts in <c>.coffer-uploads/…/{uploadId}/</c> until it is
    /// completed or aborted; one that nothing was written to since the cutoff is removed whole.
    /// </remarks>
    protected override Task<IReadOnlyList<string>> SweepUnfinishedCoreAsync(DateTimeOffset startedBefore, bool dryRun, CancellationToken cancellationToken)
    {
        var removed = new List<string>();
        if (!Directory.Exists(_root))
        {
            return Task.FromResult<IReadOnlyList<string>>(removed);
        }

        foreach (var file in new DirectoryInfo(_root).EnumerateFiles(TempPrefix + "*" + TempSuffix, SearchOption.AllDirectories))
        {
            cancellationToken.ThrowIfCancellationRequested();
            // A temp file is written from its creation to its link; its last write is when the upload stopped.
            if (file.LastWriteTimeUtc >= startedBefore.UtcDateTime)
            {
                continue;
            }

            if (!dryRun)
            {
                file.Delete();
            }

            removed.Add(file.FullName);
        }

        SweepUploadFolders(startedBefore.UtcDateTime, dryRun, removed, cancellationToken);
        return Task.FromResult<IReadOnlyList<string>>(removed);
    }

    /// <inheritdoc />
    protected override FileUrl GetSignedUrlCore(string name, FileUrlOptions? options, TimeSpan expiry)
    {
        string url = GetPlainUrl(name);
        var expiresAt = WholeSecondsFromNow(expiry);
        string query = _signer!.CreateQuery(name, expiresAt, options?.DownloadFileName, options?.ContentType);
        return new FileUrl(string.Concat(url, "?", query), expiresAt);
    }

    private string PathOf(string name)
    {
        string path = Path.GetFullPath(Path.Combine(_root, name.Replace('/', Path.DirectorySeparatorChar)));
        if (!path.StartsWith(_root + Path.DirectorySeparatorChar, StringComparison.Ordinal))
        {
            // Unreachable after FileNames.Validate; kept as a second lock on the door.
            throw new InvalidFileNameException(name, FileNameProblem.Traversal, $"Detected path traversal attempt in '{name}'.");
        }

        return path;
    }

    private static async Task WriteTempFileAsync(string tempPath, Stream content, CancellationToken cancellationToken)
    {
        var file = new FileStream(tempPath, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 0, FileOptions.Asynchronous);
        await using (file.ConfigureAwait(false))
        {
            await content.CopyToAsync(file, CopyBufferSize, cancellationToken).ConfigureAwait(false);
            // Durable before it becomes visible: after a crash the name never points at half a file.
            file.Flush(flushToDisk: true);
        }
    }

    private void TryDelete(string tempPath)
    {
        try
        {
            File.Delete(tempPath);
        }
        catch (IOException ex)
        {
            Log.TempFileLeft(Logger, ex, Name, tempPath);
        }
        catch (UnauthorizedAccessException ex)
        {
            Log.TempFileLeft(Logger, ex, Name, tempPath);
        }
    }
}
