using System.Reflection;
using Amazon;

namespace Coffer.S3.Tests.Presigning;

/// <summary>
/// Fixes the AWS SDK's clock. <c>AmazonS3Client.GetPreSignedURL</c> takes both its signing time and the
/// expiry (Expires minus now) from <c>AWSConfigs.utcNowSource</c>, an internal static the SDK's own tests replace;
/// there is no public way to pin it to an exact instant (<c>ManualClockCorrection</c> only shifts the real clock).
/// It also turns off the SDK's clock-skew correction, which shifts "now" per endpoint by the skew it saw in earlier
/// responses (RGW's Date header) and would make the SDK's time differ from the fixed one.
/// Tests that use it run in the <see cref="AwsSdkClockTests"/>, which never runs in parallel with others.
/// </summary>
internal sealed class AwsSdkClock : IDisposable
{
    private static readonly FieldInfo Source = typeof(AWSConfigs).GetField("utcNowSource", BindingFlags.NonPublic | BindingFlags.Static)
        ?? throw new InvalidOperationException("AWSConfigs.utcNowSource is gone: this AWSSDK.Core version pins its clock differently; update AwsSdkClock.");

    private readonly object? _original;
    private readonly bool _correctForClockSkew;

    private AwsSdkClock(DateTime utcNow)
    {
        _original = Source.GetValue(null);
        _correctForClockSkew = AWSConfigs.CorrectForClockSkew;
        AWSConfigs.CorrectForClockSkew = false;
        Set(utcNow);
    }

    public static AwsSdkClock FixedAt(DateTimeOffset now) => new(now.UtcDateTime);

#pragma warning disable CA1822 // instance method: only the owner of the fixed clock moves it
    public void Set(DateTimeOffset now) => Set(now.UtcDateTime);
#pragma warning restore CA1822

    public void Dispose()
    {
        Source.SetValue(null, _original);
        AWSConfigs.CorrectForClockSkew = _correctForClockSkew;
    }

    private static void Set(DateTime utcNow) => Source.SetValue(null, (Func<DateTime>)(() => utcNow));
}

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class AwsSdkClockTests
{
    public const string Name = "AWS SDK clock";
}
