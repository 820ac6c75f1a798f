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

        await using var content = await TempContent.FromAsync(source, Storage(), ImageCodec.MayBeImage, CancellationToken.None);

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

        await using var content = await TempContent.FromAsync(source, Storage(), ImageCodec.MayBeImage, CancellationToken.None);

        Assert.Equal(bytes.Length, source.BytesRead);
        var info = new ImageProcessor().Inspect(content.Stream);
        Assert.Equal((300, 200), (info.Width, info.Height));
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
