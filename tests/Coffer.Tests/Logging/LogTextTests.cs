namespace Coffer.Tests.Logging;

public class LogTextTests
{
    [Theory]
    [InlineData("a\r\nb", @"a\u000D\u000Ab")]
    [InlineData("tab\there", @"tab\u0009here")]
    [InlineData("\u001b[2Jclear", @"\u001B[2Jclear")]
    [InlineData("del\u007f", @"del\u007F")]
    [InlineData("next\u0085line", @"next\u0085line")]
    [InlineData("line\u2028para\u2029", @"line\u2028para\u2029")]
    [InlineData("evil\u202Etxt.exe", @"evil\u202Etxt.exe")]
    [InlineData("zero\u200Bwidth\uFEFF", @"zero\u200Bwidth\uFEFF")]
    [InlineData("isolate\u2066x\u2069", @"isolate\u2066x\u2069")]
    public void Control_format_and_line_separator_characters_are_written_as_escapes(string value, string expected) =>
        Assert.Equal(expected, LogText.Escape(value));

    [Fact]
    public void A_tag_character_outside_the_bmp_is_escaped_as_its_two_utf16_units() =>
        Assert.Equal(@"a\uDB40\uDC41b", LogText.Escape("a\U000E0041b")); // TAG LATIN CAPITAL LETTER A: invisible

    [Fact]
    public void A_lone_surrogate_is_escaped() =>
        Assert.Equal(@"a\uD800b\uDC00", LogText.Escape("a\uD800b\uDC00"));

    [Theory]
    [InlineData("files/report 2025.pdf")]
    [InlineData("Übersicht – 日本語 😀.txt")]
    [InlineData(@"C:\data\coffer\url-signing-key.json")]
    [InlineData("")]
    public void Printable_text_is_kept_as_the_same_instance(string value) =>
        Assert.Same(value, LogText.Escape(value));

    [Fact]
    public void Null_stays_null() =>
        Assert.Null(LogText.Escape(null));
}
