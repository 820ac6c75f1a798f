#!/usr/bin/python3
"""The Pillow side of `dotnet run --project bench/Coffer.Benchmarks -- images --quick`.

  make PATH      writes the benchmark's photo: 4000 x 3000 (12 MP), JPEG q90, EXIF orientation 6 and a GPS position
  run PATH N     does, N times, what Coffer does on save and prints `pillow_ms=<ms per image>`:
                 header check (pixel limit), full decode, orientation, the original without EXIF (Pillow cannot
                 drop EXIF losslessly, so it re-encodes, JPEG q90: what a Django app does), thumb (256 x 256 cover,
                 WebP q80) and preview (fit 1280 x 1280, JPEG q85)
"""
import io
import sys
import time

from PIL import Image, ImageOps

MAX_PIXELS = 50_000_000


def make(path):
    width, height = 4000, 3000
    # Smooth gradients and some texture: compresses like a photo (a few MB), not like noise or a flat colour.
    base = Image.linear_gradient("L").resize((width, height))
    noise = Image.effect_noise((width, height), 40)
    mandel = Image.effect_mandelbrot((width, height), (-2.0, -1.2, 1.0, 1.2), 60)
    photo = Image.merge("RGB", (base, Image.blend(mandel, noise, 0.3), ImageOps.invert(base)))
    exif = Image.Exif()
    exif[0x0112] = 6  # Orientation: turn clockwise to show
    exif[0x8825] = {1: "N", 2: (48.0, 51.0, 29.0), 3: "E", 4: (2.0, 17.0, 40.0)}  # GPSInfo: Paris
    photo.save(path, "JPEG", quality=90, exif=exif)


def work(path):
    with Image.open(path) as im:
        if im.width * im.height > MAX_PIXELS:
            raise ValueError("too many pixels")
        im.load()
        shown = ImageOps.exif_transpose(im)
        original = io.BytesIO()
        shown.save(original, "JPEG", quality=90)
        thumb = ImageOps.fit(shown, (256, 256), Image.BICUBIC)
        thumb.save(io.BytesIO(), "WEBP", quality=80)
        preview = shown.copy()
        preview.thumbnail((1280, 1280), Image.BICUBIC)
        preview.save(io.BytesIO(), "JPEG", quality=85)
        return shown.size


def run(path, n):
    work(path)  # warm-up: imports, plugin registry, file cache
    start = time.perf_counter()
    for _ in range(n):
        size = work(path)
    elapsed = (time.perf_counter() - start) * 1000 / n
    print(f"pillow_ms={elapsed:.1f} size={size[0]}x{size[1]} pillow={Image.__version__}")


if __name__ == "__main__":
    if sys.argv[1] == "make":
        make(sys.argv[2])
    else:
        run(sys.argv[2], int(sys.argv[3]))
