namespace Coffer.TestSupport;

/// <summary>The sample app's configuration, as environment variables, that puts its storages on an S3 server.</summary>
public static class SampleS3Settings
{
    /// <summary>Both of the sample's storages (<c>private</c>, <c>public</c>) in <paramref name="bucket"/> on the S3 server at <paramref name="endpoint"/>.</summary>
    public static Dictionary<string, string> For(string bucket, string endpoint, string accessKey, string secretKey)
    {
        var settings = new Dictionary<string, string>();
        foreach (string storage in new[] { "private", "public" })
        {
            string prefix = $"Coffer__Storages__{storage}__";
            settings[prefix + "Backend"] = "S3";
            settings[prefix + "BucketName"] = bucket;
            settings[prefix + "ServiceUrl"] = endpoint;
            settings[prefix + "AccessKey"] = accessKey;
            settings[prefix + "SecretKey"] = secretKey;
        }

        return settings;
    }
}
