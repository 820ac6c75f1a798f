using Coffer.Images.Internal;
using Coffer.Images.Tests.Infrastructure;
using Coffer.Local;
using Coffer.Signing;

namespace Coffer.Images.Tests;

/// <summary>
/// An adopted object is read from a storage stream that cannot seek (S3): how much of it is read before the image
/// field knows what it holds.
/// </summary>
public sealed class AdoptionReadTests : IDisposable
{
    private readonly TempFolder _folder = new();

    [Fact]
    public async Task A_large_object_whose_head_is_no_image_is_not_read_past_its_head()
    {
        var source = new CountingStream(TestContent.Bytes(8 * 1024 * 1024));

        await using var content = await TempContent.FromAsync(source, Storage(), new ImageProcessor().WantsRest, CancellationToken.None);

        Assert.InRange(source.BytesRead, TempContent.HeadLength, 2 * TempContent.HeadLength);
        Assert.False(ImageCodec.IsImage(content.Stream));
    }

    [Fact]
    public async Task A_jpeg_whose_header_starts_past_the_head_is_read_whole()
    {
        // Two 60 KB maker segments (APP4) before the frame header: the head holds the signature, not the dimensions.
        using var image = TestImages.Encode(ImageFormat.Jpeg, 300, 200);
        byte[] jpeg = image.ToArray();
        byte[] maker = [0xFF, 0xE4, 0xEA, 0x60, .. new byte[60_000 - 2]];
        byte[] bytes = [.. jpeg[..2], .. maker, .. maker, .. jpeg[2..]];
        var source = new CountingStream(bytes);

        await using var content = await TempContent.FromAsync(source, Storage(), new ImageProcessor().WantsRest, CancellationToken.None);

        Assert.Equal(bytes.Length, source.BytesRead);
        var info = new ImageProcessor().Inspect(content.Stream);
        Assert.Equal((300, 200), (info.Width, info.Height));
    }

    [Fact]
    public async Task A_jpeg_whose_segments_go_on_past_the_search_limit_is_read_whole_and_still_refused_from_its_header()
    {
        int segments = ImageCodec.JpegHeaderSearchLimit / 60_000 + 2;
        byte[] bytes = [.. TestImages.JpegHeaderClaiming(60_000, 60_000, segments, segmentLength: 60_000).ToArray(), .. new byte[1024 * 1024]];
        var source = new CountingStream(bytes);
        var processor = new ImageProcessor();

        await using var content = await TempContent.FromAsync(source, Storage(), processor.WantsRest, CancellationToken.None);

        Assert.Equal(bytes.Length, source.BytesRead);
        Assert.Equal(FileContentProblem.ImageTooLarge, Assert.Throws<InvalidFileContentException>(() => processor.Inspect(content.Stream)).Problem);
    }

    public static TheoryData<string> HeaderBombs => ["png", "webp", "gif", "jpeg after 4 KB of segments", "jpeg after 120 KB of segments"];

    [Theory]
    [MemberData(nameof(HeaderBombs))]
    public async Task A_header_bomb_padded_to_8_mib_is_refused_from_its_head_without_reading_the_rest(string kind)
    {
        using var bomb = kind switch
        {
            "png" => TestImages.PngHeaderClaiming(60_000, 60_000),
            "webp" => TestImages.WebpHeaderClaiming(16_384, 16_384),
            "gif" => TestImages.GifHeaderClaiming(60_000, 60_000),
            "jpeg after 4 KB of segments" => TestImages.JpegHeaderClaiming(60_000, 60_000, segments: 2, segmentLength: 2_000),
            _ => TestImages.JpegHeaderClaiming(60_000, 60_000, segments: 2, segmentLength: 60_000),
        };
        byte[] header = bomb.ToArray();
        var source = new CountingStream([.. header, .. new byte[8 * 1024 * 1024]]);
        var processor = new ImageProcessor();

        await using var content = await TempContent.FromAsync(source, Storage(), processor.WantsRest, CancellationToken.None);

        // What the head holds, rounded up to the reads it took: the header, not the padding.
        Assert.InRange(source.BytesRead, TempContent.HeadLength, header.Length + TempContent.HeadLength);
        var refused = Assert.Throws<InvalidFileContentException>(() => processor.Inspect(content.Stream));
        Assert.Equal(FileContentProblem.ImageTooLarge, refused.Problem);
    }

    public void Dispose() => _folder.Dispose();

    private LocalFileStorage Storage()
    {
        var options = new LocalFileStorageOptions { RootPath = _folder.Path, Location = "private", BaseUrl = "/media/private/" };
        options.SigningKeys.Add(new UrlSigningKey { Id = "k1", Secret = Convert.ToBase64String(new byte[32]) });
        return new LocalFileStorage("private", options);
    }

    /// <summary>A stream that cannot seek, like an S3 response body, and counts what was read from it.</summary>
    private sealed class CountingStream(byte[] content) : ForwardOnlyTestStream
    {
        public long BytesRead { get; private set; }

        public override int Read(Span<byte> buffer)
        {
            int n = Math.Min(buffer.Length, content.Length - (int)BytesRead);
            content.AsSpan((int)BytesRead, n).CopyTo(buffer);
            BytesRead += n;
            return n;
        }
    }
}
