using Coffer.S3;
using Microsoft.Extensions.Options;

namespace Coffer.S3.Tests;

public sealed class OptionsValidationTests
{
    private static S3FileStorageOptions Valid(FileVisibility visibility = FileVisibility.Private) => new()
    {
        BucketName = "media",
        ServiceUrl = "http://127.0.0.1:4568",
        AccessKey = "AK",
        SecretKey = "SK",
        Visibility = visibility,
    };

    private static ValidateOptionsResult Validate(S3FileStorageOptions options) => new S3FileStorageOptionsValidator().Validate("test", options);

    private static string SingleFailure(S3FileStorageOptions options)
    {
        var result = Validate(options);
        Assert.True(result.Failed, "expected a validation failure");
        return Assert.Single(result.Failures!);
    }

    [Fact]
    public void Valid_options_pass()
    {
        Assert.True(Validate(Valid()).Succeeded);
    }

    [Fact]
    public void Defaults_are_documented_values()
    {
        var options = new S3FileStorageOptions();
        Assert.Equal("us-east-1", options.Region);
        Assert.Equal(S3AddressingStyle.Auto, options.AddressingStyle);
        Assert.Equal(S3UniqueNameStrategy.ConditionalPut, options.UniqueNameStrategy);
        Assert.Equal(8 * 1024 * 1024, options.MultipartThreshold);
        Assert.Equal(8 * 1024 * 1024, options.MultipartPartSize);
        Assert.Equal(4, options.MultipartConcurrency);
        Assert.Equal(TimeSpan.FromSeconds(10), options.ConnectTimeout);
        Assert.Equal(TimeSpan.FromSeconds(30), options.RequestTimeout);
        Assert.Equal("https", options.UrlScheme);
        Assert.Null(options.DefaultAcl);
        Assert.Null(options.QueryStringAuth);
        Assert.Equal(TimeSpan.FromHours(1), options.UrlExpiry);
        Assert.Equal(FileVisibility.Private, options.Visibility);
    }

    [Fact]
    public void Missing_bucket_is_refused()
    {
        var options = Valid();
        options.BucketName = "";
        Assert.Contains("BucketName", SingleFailure(options), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("ab")]
    [InlineData("Upper")]
    [InlineData("under_score")]
    [InlineData("-dash")]
    public void Invalid_bucket_name_is_refused(string bucket)
    {
        var options = Valid();
        options.BucketName = bucket;
        Assert.Contains("valid bucket name", SingleFailure(options), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("127.0.0.1:4568")]
    [InlineData("ftp://host")]
    [InlineData("http://host/path")]
    public void Service_url_must_be_an_http_origin(string url)
    {
        var options = Valid();
        options.ServiceUrl = url;
        Assert.Contains("ServiceUrl", SingleFailure(options), StringComparison.Ordinal);
    }

    [Fact]
    public void Public_endpoint_must_be_an_http_origin()
    {
        var options = Valid();
        options.PublicEndpoint = "files.example.com";
        Assert.Contains("PublicEndpoint", SingleFailure(options), StringComparison.Ordinal);
    }

    [Fact]
    public void Private_storage_refuses_unsigned_urls()
    {
        var options = Valid();
        options.QueryStringAuth = false;
        Assert.Contains("must be signed", SingleFailure(options), StringComparison.Ordinal);
    }

    [Fact]
    public void Private_storage_refuses_a_custom_domain()
    {
        var options = Valid();
        options.CustomDomain = "cdn.example.com";
        string failure = SingleFailure(options);
        Assert.Contains("CustomDomain", failure, StringComparison.Ordinal);
        Assert.Contains("never signed", failure, StringComparison.Ordinal);
    }

    [Fact]
    public void Public_storage_with_signed_urls_refuses_a_custom_domain()
    {
        var options = Valid(FileVisibility.Public);
        options.QueryStringAuth = true;
        options.CustomDomain = "cdn.example.com";
        Assert.Contains("CustomDomain", SingleFailure(options), StringComparison.Ordinal);
    }

    [Fact]
    public void Public_storage_accepts_a_custom_domain()
    {
        var options = Valid(FileVisibility.Public);
        options.CustomDomain = "cdn.example.com/media";
        Assert.True(Validate(options).Succeeded);
    }

    [Fact]
    public void Custom_domain_with_a_scheme_is_refused()
    {
        var options = Valid(FileVisibility.Public);
        options.CustomDomain = "https://cdn.example.com";
        Assert.Contains("no scheme", SingleFailure(options), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("public-read")]
    [InlineData("public-read-write")]
    [InlineData("authenticated-read")]
    public void Private_storage_refuses_a_public_acl(string acl)
    {
        var options = Valid();
        options.DefaultAcl = acl;
        Assert.Contains("readable without a signed URL", SingleFailure(options), StringComparison.Ordinal);
    }

    [Fact]
    public void Unknown_acl_is_refused()
    {
        var options = Valid(FileVisibility.Public);
        options.DefaultAcl = "everyone";
        Assert.Contains("canned ACL", SingleFailure(options), StringComparison.Ordinal);
    }

    [Fact]
    public void Empty_acl_means_none_and_is_accepted()
    {
        var options = Valid(FileVisibility.Public);
        options.DefaultAcl = "";
        Assert.True(Validate(options).Succeeded);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(8 * 24 * 3600)]
    public void Url_expiry_outside_one_second_to_seven_days_is_refused(int seconds)
    {
        var options = Valid();
        options.UrlExpiry = TimeSpan.FromSeconds(seconds);
        Assert.Contains(Validate(options).Failures!, f => f.Contains("7 days", StringComparison.Ordinal));
    }

    [Fact]
    public void Url_expiry_of_seven_days_is_accepted()
    {
        var options = Valid();
        options.UrlExpiry = TimeSpan.FromDays(7);
        Assert.True(Validate(options).Succeeded);
    }

    [Fact]
    public void Part_size_below_five_mebibytes_is_refused()
    {
        var options = Valid();
        options.MultipartPartSize = 5 * 1024 * 1024 - 1;
        Assert.Contains("MultipartPartSize", SingleFailure(options), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(65)]
    public void Concurrency_outside_one_to_sixty_four_is_refused(int concurrency)
    {
        var options = Valid();
        options.MultipartConcurrency = concurrency;
        Assert.Contains("MultipartConcurrency", SingleFailure(options), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(nameof(S3FileStorageOptions.ConnectTimeout), 0)]
    [InlineData(nameof(S3FileStorageOptions.ConnectTimeout), -1)]
    [InlineData(nameof(S3FileStorageOptions.ConnectTimeout), 601)]
    [InlineData(nameof(S3FileStorageOptions.RequestTimeout), 0)]
    [InlineData(nameof(S3FileStorageOptions.RequestTimeout), -1)]
    [InlineData(nameof(S3FileStorageOptions.RequestTimeout), 3601)]
    public void Timeout_that_is_not_positive_or_too_long_is_refused_with_its_name(string property, int seconds)
    {
        var options = Valid();
        typeof(S3FileStorageOptions).GetProperty(property)!.SetValue(options, TimeSpan.FromSeconds(seconds));
        Assert.StartsWith($"Property {property}:", SingleFailure(options), StringComparison.Ordinal);
    }

    [Fact]
    public void Threshold_above_five_gibibytes_is_refused()
    {
        var options = Valid();
        options.MultipartThreshold = S3FileStorageOptions.MaxPartSize + 1;
        Assert.Contains("MultipartThreshold", SingleFailure(options), StringComparison.Ordinal);
    }

    [Fact]
    public void Access_key_without_secret_is_refused()
    {
        var options = Valid();
        options.SecretKey = null;
        Assert.Contains("SecretKey must be set together", SingleFailure(options), StringComparison.Ordinal);
    }

    [Fact]
    public void Session_token_without_keys_is_refused()
    {
        var options = Valid();
        options.AccessKey = null;
        options.SecretKey = null;
        options.SessionToken = "token";
        Assert.Contains("SessionToken", SingleFailure(options), StringComparison.Ordinal);
    }

    [Fact]
    public void No_keys_at_all_means_the_default_chain_and_is_accepted()
    {
        var options = Valid();
        options.AccessKey = null;
        options.SecretKey = null;
        Assert.True(Validate(options).Succeeded);
    }

    [Fact]
    public void Unknown_server_side_encryption_is_refused()
    {
        var options = Valid();
        options.ServerSideEncryption = "rot13";
        Assert.Contains("ServerSideEncryption", SingleFailure(options), StringComparison.Ordinal);
    }

    [Fact]
    public void Kms_key_without_kms_encryption_is_refused()
    {
        var options = Valid();
        options.ServerSideEncryption = "AES256";
        options.ServerSideEncryptionKeyId = "key";
        Assert.Contains("ServerSideEncryptionKeyId", SingleFailure(options), StringComparison.Ordinal);
    }

    [Fact]
    public void Non_ascii_metadata_is_refused()
    {
        var options = Valid();
        options.Metadata["owner"] = "Zoë";
        Assert.Contains("Metadata", SingleFailure(options), StringComparison.Ordinal);
    }

    [Fact]
    public void Base_url_is_refused_with_a_pointer_to_custom_domain()
    {
        var options = Valid(FileVisibility.Public);
        options.BaseUrl = "https://cdn.example.com/";
        Assert.Contains("CustomDomain", SingleFailure(options), StringComparison.Ordinal);
    }

    [Fact]
    public void Unknown_url_scheme_is_refused()
    {
        var options = Valid(FileVisibility.Public);
        options.UrlScheme = "ftp";
        Assert.Contains("UrlScheme", SingleFailure(options), StringComparison.Ordinal);
    }

    [Fact]
    public void Storage_constructor_throws_for_invalid_options()
    {
        var options = Valid();
        options.QueryStringAuth = false;
        var ex = Assert.Throws<FileStorageOptionsException>(() => new S3FileStorage("private", options));
        Assert.Contains("QueryStringAuth", ex.Message, StringComparison.Ordinal);
    }
}
