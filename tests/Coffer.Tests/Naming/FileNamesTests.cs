using System.Text.RegularExpressions;

namespace Coffer.Tests.Naming;

public class FileNamesTests
{
    [Theory]
    [InlineData("my report 2024.pdf", "my_report_2024.pdf")]
    [InlineData("john's portrait (1).jpg", "johns_portrait_1.jpg")]
    [InlineData("résumé.pdf", "résumé.pdf")]
    [InlineData("日本語 ファイル.txt", "日本語_ファイル.txt")]
    [InlineData("  padded.txt  ", "padded.txt")]
    [InlineData("a<b>c:d\"e|f?g*h.txt", "abcdefgh.txt")]
    [InlineData("emoji 😀 face.png", "emoji__face.png")]
    [InlineData("नमस्ते.txt", "नमस्ते.txt")]
    [InlineData("spoof\u202Efdp.exe", "spooffdp.exe")]
    public void GetValidName_cleans_like_django(string given, string expected) =>
        Assert.Equal(expected, FileNames.GetValidName(given));

    [Fact]
    public void GetValidName_normalises_to_nfc()
    {
        string decomposed = "re\u0301sume\u0301.pdf";
        Assert.Equal("r\u00e9sum\u00e9.pdf", FileNames.GetValidName(decomposed));
    }

    [Theory]
    [InlineData("???")]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("..")]
    [InlineData("(*)")]
    public void GetValidName_refuses_a_name_with_nothing_usable_left(string given)
    {
        var ex = Assert.Throws<InvalidFileNameException>(() => FileNames.GetValidName(given));
        Assert.Equal(FileNameProblem.NoValidCharacters, ex.Problem);
    }

    public static TheoryData<string, FileNameProblem> HostileNames => new()
    {
        { "../x", FileNameProblem.Traversal },
        { "a/../../x", FileNameProblem.Traversal },
        { "sub/../x.txt", FileNameProblem.Traversal },
        { "..", FileNameProblem.Traversal },
        { "..\\x", FileNameProblem.Backslash },
        { "a\\b.txt", FileNameProblem.Backslash },
        { "/etc/passwd", FileNameProblem.AbsolutePath },
        { "C:/Windows/win.ini", FileNameProblem.AbsolutePath },
        { "a\0b.txt", FileNameProblem.ControlCharacter },
        { "a\nb.txt", FileNameProblem.ControlCharacter },
        { "a\u007Fb.txt", FileNameProblem.ControlCharacter },
        { "a\u0085b.txt", FileNameProblem.ControlCharacter },
        { "", FileNameProblem.Empty },
        { " ", FileNameProblem.Empty },
        { "a//b.txt", FileNameProblem.EmptySegment },
        { "a/./b.txt", FileNameProblem.EmptySegment },
        { "folder/", FileNameProblem.EmptySegment },
    };

    [Theory]
    [MemberData(nameof(HostileNames))]
    public void Validate_refuses_hostile_names_with_the_specific_problem(string name, FileNameProblem problem)
    {
        var ex = Assert.Throws<InvalidFileNameException>(() => FileNames.Validate(name));
        Assert.Equal(problem, ex.Problem);
        Assert.Equal(name, ex.FileName);
    }

    [Fact]
    public void Traversal_message_quotes_the_name()
    {
        var ex = Assert.Throws<InvalidFileNameException>(() => FileNames.Validate("a/../../x"));
        Assert.Contains("'a/../../x'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Control_character_message_names_the_character_without_printing_it()
    {
        var ex = Assert.Throws<InvalidFileNameException>(() => FileNames.Validate("a\0b"));
        Assert.Contains("U+0000", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\0', ex.Message);
    }

    [Theory]
    [InlineData("report.pdf", "report", ".pdf")]
    [InlineData("a.tar.gz", "a", ".tar.gz")]
    [InlineData("scan.nii.gz", "scan", ".nii.gz")]
    [InlineData("photo.2024.jpg", "photo.2024", ".jpg")]
    [InlineData("notes", "notes", "")]
    [InlineData(".env", ".env", "")]
    [InlineData("v1.2.3-final.pdf", "v1.2.3-final", ".pdf")]
    public void GetAlternativeName_puts_seven_random_characters_before_the_extension(string name, string root, string extension)
    {
        string alternative = FileNames.GetAlternativeName("files/" + name, 100);
        Assert.Matches("^" + Regex.Escape("files/" + root + "_") + "[A-Za-z0-9]{7}" + Regex.Escape(extension) + "$", alternative);
    }

    [Fact]
    public void GetAlternativeName_draws_a_different_suffix_each_time()
    {
        var names = Enumerable.Range(0, 50).Select(_ => FileNames.GetAlternativeName("a.txt", 100)).ToHashSet();
        Assert.Equal(50, names.Count);
    }

    [Fact]
    public void GetAlternativeName_shortens_the_root_so_the_name_is_exactly_max_length()
    {
        string name = "files/" + new string('x', 120) + ".pdf";
        string alternative = FileNames.GetAlternativeName(name, 100);
        Assert.Equal(100, alternative.Length);
        Assert.StartsWith("files/xxx", alternative, StringComparison.Ordinal);
        Assert.EndsWith(".pdf", alternative, StringComparison.Ordinal);
    }

    [Fact]
    public void GetAlternativeName_never_splits_a_surrogate_pair()
    {
        string name = string.Concat(Enumerable.Repeat("😀", 60)) + ".txt";
        string alternative = FileNames.GetAlternativeName(name, 50);
        Assert.True(alternative.Length is 49 or 50);
        Assert.False(char.IsHighSurrogate(alternative[alternative.IndexOf('_') - 1]));
    }

    [Fact]
    public void GetAlternativeName_refuses_when_no_character_of_the_root_can_remain()
    {
        string name = new string('d', 90) + "/report.pdf";
        var ex = Assert.Throws<InvalidFileNameException>(() => FileNames.GetAlternativeName(name, 100));
        Assert.Equal(FileNameProblem.TooLong, ex.Problem);
        Assert.Contains("100", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Generate_cleans_only_the_last_segment_and_applies_upload_to()
    {
        var now = new DateTimeOffset(2024, 5, 17, 23, 30, 0, TimeSpan.FromHours(-3));
        string name = FileNames.Generate("my report.pdf", UploadTo.Template("files/{yyyy}/{MM}/{dd}"), null, now);
        Assert.Equal("files/2024/05/18/my_report.pdf", name);
    }

    [Fact]
    public void Generate_refuses_a_traversal_returned_by_an_upload_to_delegate()
    {
        var uploadTo = UploadTo.From(ctx => "../" + ctx.FileName);
        var ex = Assert.Throws<InvalidFileNameException>(() => FileNames.Generate("a.txt", uploadTo, null, DateTimeOffset.UnixEpoch));
        Assert.Equal(FileNameProblem.Traversal, ex.Problem);
    }

    [Theory]
    [InlineData("photo.jpg", "photo.jpg")]
    [InlineData("C:\\Users\\me\\photo.jpg", "photo.jpg")]
    [InlineData("../../etc/passwd", "passwd")]
    [InlineData("folder/", "")]
    public void FromClientFileName_keeps_only_the_part_after_the_last_separator(string sent, string expected) =>
        Assert.Equal(expected, FileNames.FromClientFileName(sent));

    [Theory]
    [InlineData("invoice\u202Efdp.exe", "invoicefdp.exe")]          // right-to-left override: shown as "invoiceexe.pdf"
    [InlineData("zero\u200Bwidth\u200D.txt", "zerowidth.txt")]      // zero-width space and joiner
    [InlineData("\u2066isolate\u2069.pdf", "isolate.pdf")]           // bidi isolates
    [InlineData("bom\uFEFF.txt", "bom.txt")]
    [InlineData("line\u2028break\u2029.txt", "linebreak.txt")]       // line and paragraph separators
    [InlineData("tab\there\r\n.txt", "tabhere.txt")]
    [InlineData("  spaced name.pdf  ", "spaced name.pdf")]            // spaces are shown as they are
    [InlineData("résumé 日本語.pdf", "résumé 日本語.pdf")]
    [InlineData("\u202E", "")]
    public void FromClientFileName_drops_format_and_control_characters_from_the_display_name(string sent, string expected) =>
        Assert.Equal(expected, FileNames.FromClientFileName(sent));

    [Fact]
    public void FromClientFileName_caps_a_long_display_name_and_keeps_its_extension()
    {
        string display = FileNames.FromClientFileName(new string('a', 15_000) + ".pdf");

        Assert.Equal(FileNames.MaxDisplayNameLength, display.Length);
        Assert.EndsWith("a.pdf", display, StringComparison.Ordinal);
    }

    [Fact]
    public void FromClientFileName_never_splits_a_surrogate_pair_when_it_caps()
    {
        string display = FileNames.FromClientFileName("a" + string.Concat(Enumerable.Repeat("😀", 200)) + ".png");

        Assert.True(display.Length <= FileNames.MaxDisplayNameLength);
        Assert.EndsWith("😀.png", display, StringComparison.Ordinal);
        Assert.Equal(display, display.Normalize()); // a lone surrogate would not survive this round trip unchanged
    }

    [Theory]
    [InlineData(".coffer-abc.tmp")]
    [InlineData("files/.coffer-0123.tmp")]
    [InlineData(".coffer-/x.txt")]
    public void Validate_refuses_the_prefix_coffer_keeps_for_unfinished_uploads(string name)
    {
        var ex = Assert.Throws<InvalidFileNameException>(() => FileNames.Validate(name));
        Assert.Equal(FileNameProblem.Reserved, ex.Problem);
    }

    [Fact]
    public void Generate_refuses_an_upload_named_like_an_unfinished_one()
    {
        var ex = Assert.Throws<InvalidFileNameException>(() => FileNames.Generate(".coffer-abc.tmp", UploadTo.Template("files"), null, DateTimeOffset.UnixEpoch));
        Assert.Equal(FileNameProblem.Reserved, ex.Problem);
    }

    [Fact]
    public void GetUniqueName_puts_a_lower_case_token_before_a_compound_extension()
    {
        Assert.Matches($"^files/a_[a-z0-9]{{{FileNames.UniqueTokenLength}}}\\.tar\\.gz$", FileNames.GetUniqueName("files/a.tar.gz", 100));
    }

    [Fact]
    public void GetUniqueName_shortens_the_root_to_the_maximum_length()
    {
        string name = FileNames.GetUniqueName("files/" + new string('r', 200) + ".pdf", 100);

        Assert.Equal(100, name.Length);
        Assert.StartsWith("files/rrr", name, StringComparison.Ordinal);
    }
}
