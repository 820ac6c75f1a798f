namespace Coffer.Tests.Naming;

public class UploadToTests
{
    private static readonly DateTimeOffset May17 = new(2024, 5, 7, 9, 5, 3, TimeSpan.Zero);

    [Theory]
    [InlineData("files", "files/a.txt")]
    [InlineData("files/", "files/a.txt")]
    [InlineData("files/{yyyy}/{MM}", "files/2024/05/a.txt")]
    [InlineData("{yyyy}-{M}-{d}", "2024-5-7/a.txt")]
    [InlineData("logs/{yyyyMMdd'T'HH}", "logs/20240507T09/a.txt")]
    [InlineData("lit/{{x}}", "lit/{x}/a.txt")]
    public void Template_puts_the_file_under_the_formatted_folder(string template, string expected) =>
        Assert.Equal(expected, FileNames.Generate("a.txt", UploadTo.Template(template), null, May17));

    [Fact]
    public void Template_with_an_unclosed_brace_fails_when_configured()
    {
        var ex = Assert.Throws<FormatException>(() => UploadTo.Template("files/{yyyy"));
        Assert.Contains("files/{yyyy", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Delegate_is_given_the_owner_and_the_cleaned_file_name()
    {
        var owner = new { UserId = 42 };
        var uploadTo = UploadTo.From(ctx => $"users/{((dynamic)ctx.Instance!).UserId}/{ctx.FileName}");
        Assert.Equal("users/42/my_cv.pdf", FileNames.Generate("my cv.pdf", uploadTo, owner, May17));
    }

    [Fact]
    public void Delegate_result_has_its_last_segment_cleaned()
    {
        var uploadTo = UploadTo.From(_ => "docs/Quarterly report?.pdf");
        Assert.Equal("docs/Quarterly_report.pdf", FileNames.Generate("x.pdf", uploadTo, null, May17));
    }
}
