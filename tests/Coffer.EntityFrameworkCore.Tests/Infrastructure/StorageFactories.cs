using Coffer.Local;
using Coffer.Signing;

namespace Coffer.EntityFrameworkCore.Tests.Infrastructure;

/// <summary>
/// Makes the storages one test class uses. The suite runs against every factory: to run it on S3 (Ceph RGW), add an
/// <c>S3StorageFactory</c> (a bucket per class, from COFFER_S3_ENDPOINT / COFFER_S3_ACCESS_KEY / COFFER_S3_SECRET_KEY)
/// and two three-line classes in <c>FileFieldSuites.cs</c>: fixtures <c>SqliteS3Fixture</c> and <c>PostgresS3Fixture</c>
/// (<c>base(new SqliteDatabase(), new S3StorageFactory())</c>) and their test classes.
/// </summary>
public interface IStorageFactory : IAsyncDisposable
{
    /// <summary>Creates the storage <paramref name="name"/>, empty, with a BaseUrl so URLs can be made.</summary>
    FileStorage Create(string name, FileVisibility visibility);
}

/// <summary>Local-disk storages in a temporary folder per test class.</summary>
public sealed class LocalStorageFactory : IStorageFactory
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "coffer-ef-" + Guid.NewGuid().ToString("N")[..12]);

    public FileStorage Create(string name, FileVisibility visibility)
    {
        var options = new LocalFileStorageOptions
        {
            RootPath = _root,
            Location = name,
            Visibility = visibility,
            BaseUrl = visibility == FileVisibility.Private ? "/media/private/" : "/media/",
        };
        if (visibility == FileVisibility.Private)
        {
            options.SigningKeys.Add(UrlSigningKey.Generate("k1"));
        }

        return new LocalFileStorage(name, options);
    }

    public ValueTask DisposeAsync()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }

        return ValueTask.CompletedTask;
    }
}
