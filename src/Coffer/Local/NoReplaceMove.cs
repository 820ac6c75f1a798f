using System.Runtime.InteropServices;

namespace Coffer.Local;

/// <summary>
/// Puts a finished temporary file under its name only if no file has that name: the file system decides, in one
/// call. <see cref="File.Move(string, string, bool)"/> without overwrite is not that on Linux: .NET 10 checks that the
/// target is absent and then calls <c>rename(2)</c>, which replaces a file created in between, so two concurrent
/// saves of one name could both "win" and one file would be lost (seen as 49 names for 50 saves, strace showing
/// <c>rename</c> to the same target twice). <c>link(2)</c> fails with EEXIST instead.
/// </summary>
internal static partial class NoReplaceMove
{
    private const int EEXIST = 17; // the same on Linux and macOS

    /// <summary>Moves <paramref name="source"/> to <paramref name="target"/> unless the target exists.</summary>
    /// <returns><see langword="false"/> when the target exists; the source is then left in place.</returns>
    /// <exception cref="IOException">The move failed for another reason.</exception>
    public static bool TryMove(string source, string target)
    {
        if (OperatingSystem.IsWindows())
        {
            // MoveFileEx without MOVEFILE_REPLACE_EXISTING fails atomically when the target exists.
            try
            {
                File.Move(source, target, overwrite: false);
                return true;
            }
            catch (IOException) when (File.Exists(target))
            {
                return false;
            }
        }

        if (Link(source, target) == 0)
        {
            File.Delete(source);
            return true;
        }

        int errno = Marshal.GetLastPInvokeError();
        return errno == EEXIST
            ? false
            : throw new IOException($"Could not link '{source}' to '{target}': {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno}).");
    }

    [LibraryImport("libc", EntryPoint = "link", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Link(string oldPath, string newPath);
}
