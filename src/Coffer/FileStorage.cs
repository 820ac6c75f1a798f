using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Coffer;

/// <summary>
/// A place where files are stored under names: Django's <c>Storage</c>, asynchronous. The public methods
/// validate names and run the name pipeline (upload-to, valid name, available name, location); backends
/// implement the protected <c>…Core</c> members and never see a name that was not checked.
/// </summary>
public abstract partial class FileStorage
{
    private readonly bool _signsUrls;

    /// <summary>
    /// Creates a storage from options that have been validated. Backends derive from <see cref="FileStorage{TOptions}"/>,
    /// which runs the backend's validator and passes its result here.
    /// </summary>
    /// <param name="name">The storage's name (<c>"private"</c>, <c>"public"</c>); used in messages and logs.</param>
    /// <param name="options">Its settings; from here on they cannot change (<see cref="FileStorageOptions.IsReadOnly"/>).</param>
    /// <param name="validation">What the backend's validator said of <paramref name="options"/>.</param>
    /// <param name="logger">Where the storage logs; <see langword="null"/> for none.</param>
    /// <param name="timeProvider">The clock for URL expiry and upload-to dates; <see langword="null"/> for the system clock.</param>
    /// <exception cref="FileStorageOptionsException">The validation failed; the message names each bad setting.</exception>
    protected FileStorage(string name, FileStorageOptions options, ValidateOptionsResult validation, ILogger? logger, TimeProvider? timeProvider)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(validation);
        if (validation.Failed)
        {
            // A validator that is not a FileStorageOptionsValidator reports strings only; they are kept whole.
            throw new FileStorageOptionsException(name, options.GetType(), validation is FileStorageOptionsResult structured
                ? structured.PropertyFailures
                : (validation.Failures ?? []).Select(failure => new FileStorageOptionsFailure(null, failure)));
        }

        // Everything a storage derives from its options (signer, ACL, URL prefix, this flag) is derived once, from here on.
        options.MakeReadOnly();
        Name = name;
        Options = options;
        Location = (options.Location ?? "").Trim('/');
        Logger = logger ?? NullLogger.Instance;
        TimeProvider = timeProvider ?? TimeProvider.System;
        _signsUrls = options.SignsUrls;
        Backend = GetType().Name;
    }

    /// <summary>The storage's name.</summary>
    public string Name { get; }

    /// <summary>The storage's settings; read-only (<see cref="FileStorageOptions.IsReadOnly"/>).</summary>
    public FileStorageOptions Options { get; }

    /// <summary>The location prefix without leading or trailing slashes; empty for none.</summary>
    protected string Location { get; }

    /// <summary>Where the storage logs.</summary>
    protected ILogger Logger { get; }

    /// <summary>The storage's clock.</summary>
    protected TimeProvider TimeProvider { get; }

    /// <summary>Where the storage's spans and measurements go; the container's meter once <see cref="UseTelemetry"/> ran.</summary>
    internal CofferTelemetry Telemetry { get; private set; } = CofferTelemetry.Shared;

    /// <summary>The backend's name in telemetry: the registered one (<c>Local</c>, <c>S3</c>), or the type's name outside DI.</summary>
    internal string Backend { get; private set; }

    /// <summary>Called once by the registration, before the storage is handed out.</summary>
    internal void UseTelemetry(CofferTelemetry telemetry, string backend)
    {
        Telemetry = telemetry;
        Backend = backend;
    }

    // ----- The public contract: validates, then calls the backend. Not meant to be overridden. -----

    /// <summary>
    /// Saves <paramref name="content"/> and returns the name it was stored under, which differs from
    /// <paramref name="name"/>: the name is cleaned, put under <see cref="FileSaveOptions.UploadTo"/>, and given a
    /// random token (<see cref="FileStorageOptions.UniqueNames"/>, the default for private storages) or, unless
    /// <see cref="FileStorageOptions.FileOverwrite"/> is on, a random suffix if it is taken or too long. Nothing is
    /// written before the name and the content have been accepted.
    /// </summary>
    /// <param name="name">The original file name, for example what the browser sent.</param>
    /// <param name="content">The file's bytes, read once from its current position; the stream is not disposed.</param>
    /// <param name="options">Upload-to, content type and length; <see langword="null"/> for none.</param>
    /// <param name="cancellationToken">Cancels the save; a cancelled save leaves no file behind.</param>
    /// <returns>The stored name: put this in the database.</returns>
    /// <exception cref="InvalidFileNameException">The name is refused (traversal, control characters, too long, …).</exception>
    /// <exception cref="InvalidFileContentException">The content is empty or larger than <see cref="FileStorageOptions.MaxFileSize"/>.</exception>
    /// <exception cref="StorageUnavailableException">The backing store could not be reached.</exception>
    public async Task<string> SaveAsync(string name, Stream content, FileSaveOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(content);
        options ??= FileSaveOptions.Default;
        var names = GetAvailableNames(name, options);
        var guarded = ContentGuard.Wrap(content, options.ContentLength, Options, Name);
        var operation = Telemetry.Start(this, StorageOperationName.Save, Backend);
        try
        {
            string stored = await SaveCoreAsync(names, CofferTelemetry.Count(guarded, Telemetry.BytesWritten, Name, ownsContent: false), options, cancellationToken).ConfigureAwait(false);
            FileNames.Validate(stored); // a backend may have chosen the name; it must obey the same rules
            operation.Succeeded();
            Log.FileSaved(Logger, Name, stored);
            return stored;
        }
        catch (Exception ex)
        {
            operation.Failed(ex);
            throw;
        }
    }

    /// <summary>
    /// Runs the name pipeline of <see cref="SaveAsync"/> without writing anything and returns the first name a save
    /// would try (a save may still end with an alternative if that name is taken). Lets a caller that saves several
    /// files refuse a bad or too long name before it uploads any of them.
    /// </summary>
    /// <param name="name">The original file name.</param>
    /// <param name="options">Upload-to and maximum name length, as they will be passed to <see cref="SaveAsync"/>.</param>
    /// <returns>The first name a save would try.</returns>
    /// <exception cref="InvalidFileNameException">The name is refused, or cannot be made to fit the maximum length.</exception>
    public string GetSaveName(string name, FileSaveOptions? options = null) =>
        GetAvailableNames(name, options ?? FileSaveOptions.Default).First;

    /// <summary>
    /// Refuses content of <paramref name="length"/> bytes the way <see cref="SaveAsync"/> would, without reading or
    /// writing anything: longer than <see cref="FileStorageOptions.MaxFileSize"/>, or empty while
    /// <see cref="FileStorageOptions.AllowEmptyFiles"/> is off. Lets a caller refuse a file before it saves it another way.
    /// </summary>
    /// <param name="length">The content's length in bytes.</param>
    /// <exception cref="InvalidFileContentException">The storage would refuse the content.</exception>
    public void ValidateContentLength(long length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        ContentGuard.Check(length, Options, Name, final: true);
    }

    /// <summary>Opens a stored file for reading. The stream reads from the store as it goes; the whole file is never in memory.</summary>
    /// <exception cref="FileNotFoundException">Nothing is stored under <paramref name="name"/>.</exception>
    /// <exception cref="InvalidFileNameException">The name is refused.</exception>
    public Task<Stream> OpenReadAsync(string name, CancellationToken cancellationToken = default)
    {
        CheckName(name);
        return Telemetry.IsObserved
            ? ObserveAsync(StorageOperationName.Open, static async (storage, name, ct) => CofferTelemetry.Count(
                await storage.OpenReadCoreAsync(name, ct).ConfigureAwait(false), storage.Telemetry.BytesRead, storage.Name, ownsContent: true), name, cancellationToken)
            : OpenReadCoreAsync(name, cancellationToken);
    }

    /// <summary>Deletes a stored file. Deleting a name under which nothing is stored is not an error.</summary>
    /// <exception cref="InvalidFileNameException">The name is refused.</exception>
    public async Task DeleteAsync(string name, CancellationToken cancellationToken = default)
    {
        CheckName(name);
        var operation = Telemetry.Start(this, StorageOperationName.Delete, Backend);
        try
        {
            await DeleteCoreAsync(name, cancellationToken).ConfigureAwait(false);
            operation.Succeeded();
        }
        catch (Exception ex)
        {
            operation.Failed(ex);
            throw;
        }

        Log.FileDeleted(Logger, Name, name);
    }

    /// <summary>Whether a file is stored under <paramref name="name"/>.</summary>
    /// <exception cref="InvalidFileNameException">The name is refused.</exception>
    public Task<bool> ExistsAsync(string name, CancellationToken cancellationToken = default)
    {
        CheckName(name);
        return Telemetry.IsObserved
            ? ObserveAsync(StorageOperationName.Exists, static (storage, name, ct) => storage.ExistsCoreAsync(name, ct), name, cancellationToken)
            : ExistsCoreAsync(name, cancellationToken);
    }

    /// <summary>Size, last-modified time and content type of a stored file.</summary>
    /// <returns>The file's info; check <see cref="StoredFileInfo.Exists"/>, since a missing file is not an exception.</returns>
    /// <exception cref="InvalidFileNameException">The name is refused.</exception>
    public Task<StoredFileInfo> GetInfoAsync(string name, CancellationToken cancellationToken = default)
    {
        CheckName(name);
        return Telemetry.IsObserved
            ? ObserveAsync(StorageOperationName.Info, static (storage, name, ct) => storage.GetInfoCoreAsync(name, ct), name, cancellationToken)
            : GetInfoCoreAsync(name, cancellationToken);
    }

    /// <summary>Lists one level of a folder: its sub-folders and files.</summary>
    /// <param name="directory">A folder name, or <c>""</c> for the storage's root.</param>
    /// <param name="cancellationToken">Cancels the listing.</param>
    /// <returns>The listing; an empty one for a folder that does not exist.</returns>
    /// <exception cref="InvalidFileNameException">The folder name is refused.</exception>
    public Task<StorageListing> ListAsync(string directory, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(directory);
        directory = directory.TrimEnd('/');
        if (directory.Length > 0)
        {
            CheckName(directory);
        }

        return Telemetry.IsObserved
            ? ObserveAsync(StorageOperationName.List, static (storage, directory, ct) => storage.ListCoreAsync(directory, ct), directory, cancellationToken)
            : ListCoreAsync(directory, cancellationToken);
    }

    /// <summary>
    /// Removes what uploads that never finished left behind — a process killed mid-upload leaves a temporary file on
    /// disk, or a name reservation and the parts of a multipart upload on S3 — when it is older than
    /// <paramref name="olderThan"/>. Every other member already treats such leftovers as absent (not listed, not a file);
    /// this is the one that removes them. Uploads still running are younger than any sensible grace period.
    /// </summary>
    /// <param name="olderThan">How long ago a leftover's upload must have started (S3) or last written (disk): more than your longest upload takes.</param>
    /// <param name="dryRun">Report what would be removed, removing nothing.</param>
    /// <param name="cancellationToken">Stops the sweep; what was removed stays removed.</param>
    /// <returns>The leftovers removed (or, on a dry run, found), each named by its full path or key.</returns>
    /// <exception cref="StorageUnavailableException">The backing store could not be reached.</exception>
    public async Task<IReadOnlyList<string>> SweepUnfinishedUploadsAsync(TimeSpan olderThan, bool dryRun = false, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(olderThan, TimeSpan.Zero);
        var operation = Telemetry.Start(this, StorageOperationName.Sweep, Backend);
        IReadOnlyList<string> removed;
        try
        {
            removed = await SweepUnfinishedCoreAsync(TimeProvider.GetUtcNow() - olderThan, dryRun, cancellationToken).ConfigureAwait(false);
            operation.SetBytes(removed.Count);
            operation.Succeeded();
        }
        catch (Exception ex)
        {
            operation.Failed(ex);
            throw;
        }

        if (!dryRun)
        {
            Telemetry.Swept(Name, removed.Count);
        }

        foreach (string leftover in removed)
        {
            Log.UnfinishedUploadRemoved(Logger, Name, leftover, dryRun);
        }

        return removed;
    }

    /// <summary>
    /// The URL of a stored file. For a private storage it is signed and expires after
    /// <see cref="FileUrlOptions.Expiry"/> (default <see cref="FileStorageOptions.UrlExpiry"/>); for a public one
    /// it is plain. Makes no network call and does not check that the file exists.
    /// </summary>
    /// <exception cref="InvalidFileNameException">The name is refused.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The expiry is not positive, or is beyond what the backend can sign.</exception>
    /// <exception cref="InvalidOperationException">The storage has no URL to give (no <see cref="FileStorageOptions.BaseUrl"/>).</exception>
    public FileUrl GetUrl(string name, FileUrlOptions? options = null)
    {
        CheckName(name);
        if (!_signsUrls)
        {
            if (options?.DownloadFileName is not null || options?.ContentType is not null)
            {
                throw new ArgumentException(
                    $"Storage '{Name}' gives plain URLs, which cannot carry DownloadFileName or ContentType: without a signature anyone could change them. Store the file with the content type it needs, or use a storage whose URLs are signed.",
                    nameof(options));
            }

            return new FileUrl(GetPlainUrlCore(name), null);
        }

        TimeSpan expiry = options?.Expiry ?? Options.UrlExpiry;
        if (expiry <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(options), expiry, "A URL's expiry must be positive.");
        }

        CheckOverride(options?.DownloadFileName, nameof(options.DownloadFileName));
        CheckOverride(options?.ContentType, nameof(options.ContentType));
        var url = GetSignedUrlCore(name, options, expiry);
        Telemetry.UrlSigned(Name);
        return url;
    }

    // ----- Backend hooks. -----

    /// <summary>
    /// Writes the content under the first name of <paramref name="names"/> that is free (or, with overwrite on,
    /// under <see cref="AvailableNames.First"/>), deciding atomically: two concurrent saves never get one name.
    /// </summary>
    /// <returns>The name written.</returns>
    protected abstract Task<string> SaveCoreAsync(AvailableNames names, Stream content, FileSaveOptions options, CancellationToken cancellationToken);

    /// <summary>Opens a checked name for reading; throws <see cref="FileNotFoundException"/> when it is missing.</summary>
    protected abstract Task<Stream> OpenReadCoreAsync(string name, CancellationToken cancellationToken);

    /// <summary>Deletes a checked name; a missing file is not an error.</summary>
    protected abstract Task DeleteCoreAsync(string name, CancellationToken cancellationToken);

    /// <summary>Whether a checked name exists.</summary>
    protected abstract Task<bool> ExistsCoreAsync(string name, CancellationToken cancellationToken);

    /// <summary>The info of a checked name.</summary>
    protected abstract Task<StoredFileInfo> GetInfoCoreAsync(string name, CancellationToken cancellationToken);

    /// <summary>Lists a checked folder (<c>""</c> for the root).</summary>
    protected abstract Task<StorageListing> ListCoreAsync(string directory, CancellationToken cancellationToken);

    /// <summary>
    /// Signs the URL of a checked name, for a storage whose URLs are signed (<see cref="FileStorageOptions.SignsUrls"/>);
    /// <paramref name="expiry"/> is positive and the overrides hold no control characters. Must not do network I/O.
    /// </summary>
    protected abstract FileUrl GetSignedUrlCore(string name, FileUrlOptions? options, TimeSpan expiry);

    /// <summary>
    /// The plain URL of a checked name, for a storage whose URLs are not signed. Default: <see cref="FileStorageOptions.BaseUrl"/>
    /// joined with the percent-encoded name. Must not do network I/O.
    /// </summary>
    /// <exception cref="InvalidOperationException">The storage has no base URL.</exception>
    protected virtual string GetPlainUrlCore(string name) => GetPlainUrl(name);

    /// <summary>
    /// The one place a backend decides what an unfinished upload is: finds the leftovers of uploads begun before
    /// <paramref name="startedBefore"/> and, unless <paramref name="dryRun"/>, removes them. A backend whose saves leave
    /// nothing behind when they fail keeps this default, which finds nothing.
    /// </summary>
    /// <returns>What was (or would be) removed, by full path or key.</returns>
    protected virtual Task<IReadOnlyList<string>> SweepUnfinishedCoreAsync(DateTimeOffset startedBefore, bool dryRun, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<string>>([]);

    /// <summary>
    /// Refuses names the backend cannot hold even though they pass the common rules (a disk's 255-byte segment
    /// limit, S3's 1024-byte key limit). Called before any I/O with the first name a save tries; a later name may be
    /// up to <see cref="FileNames.RandomSuffixLength"/> + 1 ASCII characters longer. Default: accepts everything.
    /// </summary>
    /// <exception cref="InvalidFileNameException">The backend cannot hold the name.</exception>
    protected virtual void ValidateBackendName(string name)
    {
    }

    /// <summary>The full key of a name: the location prefix, a <c>/</c>, and the name.</summary>
    protected string GetFullKey(string name) => Location.Length == 0 ? name : string.Concat(Location, "/", name);

    /// <summary>The base URL joined with the percent-encoded name; throws when there is no base URL.</summary>
    protected string GetPlainUrl(string name)
    {
        string baseUrl = Options.BaseUrl
            ?? throw new InvalidOperationException($"The storage '{Name}' has no BaseUrl, so its files are not accessible via a URL. Set BaseUrl in its options.");
        return baseUrl.EndsWith('/') ? string.Concat(baseUrl, UrlPath.Encode(name)) : string.Concat(baseUrl, "/", UrlPath.Encode(name));
    }

    /// <summary>
    /// The observed path of the operations that are not <see langword="async"/> themselves: their plain path returns the
    /// backend's task as it is, and this one runs only while something listens.
    /// </summary>
    private async Task<T> ObserveAsync<T>(StorageOperationName name, Func<FileStorage, string, CancellationToken, Task<T>> core, string argument, CancellationToken cancellationToken)
    {
        var operation = Telemetry.Start(this, name, Backend);
        try
        {
            T result = await core(this, argument, cancellationToken).ConfigureAwait(false);
            operation.Succeeded();
            return result;
        }
        catch (Exception ex)
        {
            operation.Failed(ex);
            throw;
        }
    }

    private AvailableNames GetAvailableNames(string name, FileSaveOptions options)
    {
        int maxLength = options.MaxNameLength is { } fieldMax ? Math.Min(fieldMax, Options.MaxNameLength) : Options.MaxNameLength;
        if (options.ExactName)
        {
            CheckName(name);
            ValidateBackendName(name);
            return AvailableNames.Exact(name, maxLength, Options.FileOverwrite);
        }

        string generated = FileNames.Generate(name, options.UploadTo, options.Instance, TimeProvider.GetUtcNow());
        var names = new AvailableNames(generated, maxLength, Options.FileOverwrite, Options.UsesUniqueNames);
        // The first name as it will be tried (shortened, with its token): a long client name that the pipeline
        // shortens is no reason to refuse. Later names differ from it by at most a suffix.
        ValidateBackendName(names.First);
        return names;
    }

    private void CheckName(string name)
    {
        FileNames.Validate(name);
        if (name.Length > Options.MaxNameLength)
        {
            throw new InvalidFileNameException(name, FileNameProblem.TooLong,
                $"The name '{name}' is {name.Length} characters long; storage '{Name}' keeps names of at most {Options.MaxNameLength}.");
        }
    }

    private static void CheckOverride(string? value, string property)
    {
        if (value is null)
        {
            return;
        }

        foreach (char c in value)
        {
            if (char.IsControl(c))
            {
                throw new ArgumentException($"{property} contains the control character U+{(int)c:X4}, which cannot travel in an HTTP header.", property);
            }
        }
    }
}

/// <summary>
/// The base of a storage backend with its own options type: validates them with the backend's validator, makes them
/// read-only, and gives the backend typed access. Backends implement the protected <c>…Core</c> members of
/// <see cref="FileStorage"/>.
/// </summary>
/// <typeparam name="TOptions">The backend's settings.</typeparam>
public abstract class FileStorage<TOptions> : FileStorage
    where TOptions : FileStorageOptions
{
    /// <summary>Creates a storage, validates its options and makes them read-only.</summary>
    /// <param name="name">The storage's name (<c>"private"</c>, <c>"public"</c>); used in messages and logs.</param>
    /// <param name="options">Its settings; from here on they cannot change (<see cref="FileStorageOptions.IsReadOnly"/>).</param>
    /// <param name="validator">The validator of the backend's options.</param>
    /// <param name="logger">Where the storage logs; <see langword="null"/> for none.</param>
    /// <param name="timeProvider">The clock for URL expiry and upload-to dates; <see langword="null"/> for the system clock.</param>
    /// <exception cref="FileStorageOptionsException">The options are invalid; the message names each bad setting.</exception>
    protected FileStorage(string name, TOptions options, IValidateOptions<TOptions> validator, ILogger? logger, TimeProvider? timeProvider)
        : base(name, options, Validate(name, options, validator), logger, timeProvider)
    {
        Options = options;
    }

    /// <summary>The storage's settings; read-only (<see cref="FileStorageOptions.IsReadOnly"/>).</summary>
    public new TOptions Options { get; }

    private static ValidateOptionsResult Validate(string name, TOptions options, IValidateOptions<TOptions> validator)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(validator);
        return validator.Validate(name, options);
    }
}
