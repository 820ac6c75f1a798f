using Microsoft.Extensions.Options;

namespace Coffer.AspNetCore.Internal;

/// <summary>Names every bad setting of <see cref="DirectUploadOptions"/>, at start-up.</summary>
internal sealed class DirectUploadOptionsValidator : IValidateOptions<DirectUploadOptions>
{
    public ValidateOptionsResult Validate(string? name, DirectUploadOptions options)
    {
        var failures = new List<string>();
        if (options.TicketLifetime < TimeSpan.FromMinutes(1) || options.TicketLifetime > TimeSpan.FromDays(7))
        {
            failures.Add($"DirectUploads:TicketLifetime is {options.TicketLifetime}; it must be between 1 minute and 7 days (S3's longest signature).");
        }

        if (options.SweepGrace < TimeSpan.Zero || options.SweepGrace > TimeSpan.FromDays(1))
        {
            failures.Add($"DirectUploads:SweepGrace is {options.SweepGrace}; it must be between 0 and 1 day.");
        }

        if (options.MaxPartUrlsPerRequest is < 1 or > 1000)
        {
            failures.Add($"DirectUploads:MaxPartUrlsPerRequest is {options.MaxPartUrlsPerRequest}; it must be between 1 and 1,000.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
