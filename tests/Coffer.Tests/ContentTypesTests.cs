namespace Coffer.Tests;

public sealed class ContentTypesTests
{
    [Theory]
    [InlineData("report.pdf", "application/pdf")]
    [InlineData("files/2024/photo.JPG", "image/jpeg")]
    [InlineData("archive.tar.gz", "application/gzip")]
    [InlineData("clip.webm", "video/webm")]
    public void Known_extension_gives_its_content_type(string name, string expected)
    {
        Assert.Equal(expected, ContentTypes.Resolve(name));
    }

    [Theory]
    [InlineData("data.qqq")]
    [InlineData("README")]
    [InlineData("folder.pdf/noextension")]
    public void Unknown_or_missing_extension_gives_octet_stream(string name)
    {
        Assert.Equal(ContentTypes.Default, ContentTypes.Resolve(name));
    }

    [Fact]
    public void Given_content_type_wins_over_the_extension()
    {
        Assert.Equal("text/csv", ContentTypes.Resolve("export.pdf", "text/csv"));
    }

    [Fact]
    public void Blank_given_content_type_falls_back_to_the_extension()
    {
        Assert.Equal("image/png", ContentTypes.Resolve("logo.png", " "));
    }

    [Fact]
    public void Try_get_reports_an_unknown_extension()
    {
        Assert.False(ContentTypes.TryGetFromFileName("x.unknown", out var contentType));
        Assert.Null(contentType);
    }
}
