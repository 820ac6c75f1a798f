namespace Coffer;

/// <summary>
/// The names a save may use, in order: the generated name if it fits, then random alternatives; or, for a storage
/// with <see cref="FileStorageOptions.UniqueNames"/>, the generated name with a fresh random token each time. A backend
/// tries <see cref="First"/> and, while its store says a name is taken, asks for <see cref="Next"/>; the store,
/// not a prior existence check, decides (no race between two saves).
/// </summary>
public sealed class AvailableNames
{
    /// <summary>How many names a save tries before giving up.</summary>
    public const int MaxAttempts = 100;

    private readonly string _generated;
    private readonly bool _unique;
    private readonly bool _exact;
    private int _attempts = 1;

    internal AvailableNames(string generated, int maxLength, bool overwrite, bool unique)
    {
        _generated = generated;
        _unique = unique;
        MaxLength = maxLength;
        Overwrite = overwrite;
        First = unique ? FileNames.GetUniqueName(generated, maxLength)
            : generated.Length <= maxLength ? generated
            : FileNames.GetAlternativeName(generated, maxLength);
    }

    private AvailableNames(string exact, int maxLength, bool overwrite)
    {
        _generated = exact;
        _exact = true;
        MaxLength = maxLength;
        Overwrite = overwrite;
        First = exact;
    }

    /// <summary>The one name of a save with <see cref="FileSaveOptions.ExactName"/>: <see cref="Next"/> fails.</summary>
    internal static AvailableNames Exact(string name, int maxLength, bool overwrite) => new(name, maxLength, overwrite);

    /// <summary>The first name to try.</summary>
    public string First { get; }

    /// <summary>Whether an existing file under <see cref="First"/> is to be replaced rather than kept.</summary>
    public bool Overwrite { get; }

    /// <summary>The longest name allowed.</summary>
    public int MaxLength { get; }

    /// <summary>
    /// Whether every name carries a fresh random token (<see cref="FileStorageOptions.UniqueNames"/>): no other save can
    /// ever hold one of these names, so whatever is stored under it is this save's.
    /// </summary>
    public bool AreUnique => _unique;

    /// <summary>The next name to try after the previous one was taken.</summary>
    /// <exception cref="IOException">Every one of <see cref="MaxAttempts"/> names was taken.</exception>
    /// <exception cref="IOException">The save asked for its exact name (<see cref="FileSaveOptions.ExactName"/>), which is taken.</exception>
    public string Next()
    {
        if (_exact)
        {
            throw new IOException($"The name '{_generated}' is taken, and the save asked for exactly that name.");
        }

        if (++_attempts > MaxAttempts)
        {
            throw new IOException($"No available name was found for '{_generated}' after {MaxAttempts} attempts; the folder may be full of similar names.");
        }

        return _unique ? FileNames.GetUniqueName(_generated, MaxLength) : FileNames.GetAlternativeName(_generated, MaxLength);
    }
}
