using Coffer;
using Coffer.Local;

// No host, no configuration: a storage is a plain object.
var storage = new LocalFileStorage("exports", new LocalFileStorageOptions
{
    RootPath = "data",
    Visibility = FileVisibility.Public,
    BaseUrl = "https://files.example.com/exports/",
});

await using var content = File.OpenRead(args[0]);
string name = await storage.SaveAsync(Path.GetFileName(args[0]), content);   // the name actually stored
Console.WriteLine(storage.GetUrl(name).Url);
