using Microsoft.Extensions.Options;

namespace Coffer;

/// <summary>
/// One failure of a storage's options: the setting it is about and what is wrong with it. The structured form of
/// the <c>Property X: …</c> strings of <see cref="ValidateOptionsResult.Failures"/>, so that a host can name the
/// setting its own way (ASP.NET Core names it by its configuration key) without parsing a message.
/// </summary>
public sealed class FileStorageOptionsFailure
{
    /// <summary>Creates a failure.</summary>
    /// <param name="propertyName">The options property it is about; <see langword="null"/> for the options as a whole.</param>
    /// <param name="message">What is wrong, written to follow the property's name (<c>must be positive, but is 0.</c>).</param>
    public FileStorageOptionsFailure(string? propertyName, string message)
    {
        ArgumentNullException.ThrowIfNull(message);
        PropertyName = propertyName;
        Message = message;
    }

    /// <summary>The options property the failure is about; <see langword="null"/> for the options as a whole.</summary>
    public string? PropertyName { get; }

    /// <summary>What is wrong, without the property's name.</summary>
    public string Message { get; }

    /// <summary>The failure as <see cref="ValidateOptionsResultBuilder.AddError"/> writes it: <c>Property X: message</c>, or the message alone.</summary>
    public override string ToString() => PropertyName is null ? Message : $"Property {PropertyName}: {Message}";
}

/// <summary>
/// Collects the failures of a storage's options, each with the property it names: what
/// <see cref="FileStorageOptionsValidator{TOptions}.AddErrors"/> adds to, in place of a
/// <see cref="ValidateOptionsResultBuilder"/>, which keeps only the joined strings.
/// </summary>
public sealed class FileStorageOptionsErrors
{
    private readonly List<FileStorageOptionsFailure> _failures = [];

    internal FileStorageOptionsErrors()
    {
    }

    internal IReadOnlyList<FileStorageOptionsFailure> Failures => _failures;

    /// <summary>Adds a failure, as <see cref="ValidateOptionsResultBuilder.AddError"/> does.</summary>
    /// <param name="error">What is wrong, written to follow the property's name.</param>
    /// <param name="propertyName">The options property it is about; <see langword="null"/> for the options as a whole.</param>
    public void AddError(string error, string? propertyName = null) => _failures.Add(new FileStorageOptionsFailure(propertyName, error));
}

/// <summary>
/// A storage's options failed validation; thrown when the storage is built. Its <see cref="OptionsValidationException.Failures"/>
/// are the usual <c>Property X: …</c> strings; <see cref="PropertyFailures"/> keeps each property apart from its message.
/// </summary>
public sealed class FileStorageOptionsException : OptionsValidationException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="optionsName">The storage's name.</param>
    /// <param name="optionsType">The type of its options.</param>
    /// <param name="failures">What failed.</param>
    public FileStorageOptionsException(string optionsName, Type optionsType, IEnumerable<FileStorageOptionsFailure> failures)
        : this(optionsName, optionsType, (failures ?? throw new ArgumentNullException(nameof(failures))).ToArray())
    {
    }

    private FileStorageOptionsException(string optionsName, Type optionsType, FileStorageOptionsFailure[] failures)
        : base(optionsName, optionsType, failures.Select(failure => failure.ToString())) => PropertyFailures = failures;

    /// <summary>What failed, each with the property it is about.</summary>
    public IReadOnlyList<FileStorageOptionsFailure> PropertyFailures { get; }
}

/// <summary>A failed validation that keeps its failures structured, for <see cref="FileStorage"/> to throw as they are.</summary>
internal sealed class FileStorageOptionsResult : ValidateOptionsResult
{
    public FileStorageOptionsResult(IReadOnlyList<FileStorageOptionsFailure> failures)
    {
        PropertyFailures = failures;
        Failed = true;
        Failures = failures.Select(failure => failure.ToString()).ToArray();
        FailureMessage = string.Join("; ", Failures);
    }

    public IReadOnlyList<FileStorageOptionsFailure> PropertyFailures { get; }
}
