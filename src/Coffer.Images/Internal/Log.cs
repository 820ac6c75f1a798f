using Microsoft.Extensions.Logging;

namespace Coffer.Images.Internal;

/// <summary>Every log message of the images package, with stable event ids (5000s).</summary>
/// <remarks>
/// Names may come from a client (an upload's file name). Each method hands its text arguments through
/// <see cref="LogText.Escape"/> to a generated <c>…Core</c> method, so that no CR, LF or other control or format
/// character reaches the log raw; a new message does the same.
/// </remarks>
internal static partial class Log
{
    public static void ImageAccepted(ILogger logger, string fileName, string format, int width, int height, string field) =>
        ImageAcceptedCore(logger, LogText.Escape(fileName), format, width, height, LogText.Escape(field));

    [LoggerMessage(5001, LogLevel.Debug, "Accepted {FileName} for {Field}: {Format}, {Width} × {Height}", EventName = "ImageAccepted")]
    private static partial void ImageAcceptedCore(ILogger logger, string fileName, string format, int width, int height, string field);

    public static void ImageRefused(ILogger logger, string fileName, string field, string reason) =>
        ImageRefusedCore(logger, LogText.Escape(fileName), LogText.Escape(field), LogText.Escape(reason));

    [LoggerMessage(5002, LogLevel.Information, "Refused {FileName} for {Field}: {Reason}", EventName = "ImageRefused")]
    private static partial void ImageRefusedCore(ILogger logger, string fileName, string field, string reason);

    public static void ImageRenamed(ILogger logger, string fileName, string renamed, string format) =>
        ImageRenamedCore(logger, LogText.Escape(fileName), LogText.Escape(renamed), format);

    [LoggerMessage(5003, LogLevel.Information, "{FileName} is a {Format} image; it is stored as {Renamed}", EventName = "ImageRenamed")]
    private static partial void ImageRenamedCore(ILogger logger, string fileName, string renamed, string format);

    public static void VariantsRegenerated(ILogger logger, string field, int done, int skipped, int failed) =>
        VariantsRegeneratedCore(logger, LogText.Escape(field), done, skipped, failed);

    [LoggerMessage(5004, LogLevel.Information, "Variants of {Field}: {Done} image(s) done, {Skipped} without a file, {Failed} failed so far", EventName = "VariantsRegenerated")]
    private static partial void VariantsRegeneratedCore(ILogger logger, string field, int done, int skipped, int failed);

    public static void VariantRegenerateFailed(ILogger logger, Exception exception, string field, string fileName) =>
        VariantRegenerateFailedCore(logger, exception, LogText.Escape(field), LogText.Escape(fileName));

    [LoggerMessage(5005, LogLevel.Warning, "Could not regenerate the variants of {FileName} ({Field}); the others go on", EventName = "VariantRegenerateFailed")]
    private static partial void VariantRegenerateFailedCore(ILogger logger, Exception exception, string field, string fileName);

    public static void ImageCopiedWithoutMetadata(ILogger logger, string name, string copy, string field) =>
        ImageCopiedWithoutMetadataCore(logger, LogText.Escape(name), LogText.Escape(copy), LogText.Escape(field));

    [LoggerMessage(5006, LogLevel.Information, "{Name}, adopted by {Field}, held metadata to strip: {Field} keeps a copy without it, {Copy}", EventName = "ImageCopiedWithoutMetadata")]
    private static partial void ImageCopiedWithoutMetadataCore(ILogger logger, string name, string copy, string field);
}
