namespace Coffer.Tests;

public class ContentDispositionTests
{
    [Fact]
    public void Attachment_has_an_ascii_fallback_and_the_exact_utf8_name() =>
        Assert.Equal("attachment; filename=\"_n_ _q_ __.pdf\"; filename*=UTF-8''%C3%9Cn%C3%AF%20%22q%22%20%F0%9F%98%80.pdf",
            ContentDisposition.Attachment("Ünï \"q\" 😀.pdf"));

    [Fact]
    public void Inline_names_the_file_the_same_way() =>
        Assert.Equal("inline; filename=\"report.pdf\"; filename*=UTF-8''report.pdf", ContentDisposition.Format(inline: true, "report.pdf"));

    [Fact]
    public void Percent_and_backslash_never_reach_the_ascii_fallback() =>
        Assert.StartsWith("attachment; filename=\"100_ a_b.txt\"", ContentDisposition.Attachment("100% a\\b.txt"), StringComparison.Ordinal);
}
