"""Untrusted image bytes: Pillow judges them by content, refuses hostile files by their header,
and never inflates a decompression bomb."""

from __future__ import annotations

import io
import resource
import struct
import zlib

import pytest
from PIL import Image

from console.images import MAX_PIXELS, ImageTooLargeError, NotAnImageError, sniff_image
from messaging.services.images import ImageRejectedError, image_check

ACCEPTED = ("JPEG", "PNG", "BMP")


def drawn(format: str, size: tuple[int, int] = (5, 3), **options) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (0, 120, 60)).save(out, format, **options)
    return out.getvalue()


def png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png(width: int, height: int, idat: bytes, *extra: bytes) -> bytes:
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)  # 8-bit grey
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", header)
        + b"".join(extra)
        + png_chunk(b"IDAT", idat)
        + png_chunk(b"IEND", b"")
    )


def bomb(side: int) -> bytes:
    """A PNG of a few KB whose pixels would take side² bytes once inflated."""
    rows = zlib.compressobj(9)
    idat = b"".join(rows.compress(b"\x00" * (side + 1)) for _ in range(min(side, 2000)))
    return png(side, side, idat + rows.flush())


@pytest.mark.parametrize("format", ACCEPTED)
def test_real_images_are_known_by_content_with_their_size(format):
    sniffed = sniff_image(drawn(format), formats=ACCEPTED)

    assert (sniffed.format, sniffed.width, sniffed.height) == (format, 5, 3)
    assert (
        sniffed.content_type
        == {"JPEG": "image/jpeg", "PNG": "image/png", "BMP": "image/bmp"}[format]
    )


@pytest.mark.parametrize("format", ["GIF", "WEBP", "TIFF", "ICO"])
def test_real_images_of_other_formats_are_not_even_parsed(format):
    with pytest.raises(NotAnImageError):
        sniff_image(drawn(format), formats=ACCEPTED)


def test_a_decompression_bomb_is_refused_by_its_header_without_inflating():
    hostile = bomb(30000)  # 900 megapixels in a few hundred KB
    assert len(hostile) < 2 * 1024 * 1024
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss

    with pytest.raises(ImageTooLargeError):
        sniff_image(hostile, formats=ACCEPTED)

    grown_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
    assert grown_kb < 100 * 1024  # inflating would take 900 MB


def test_a_canvas_just_over_our_limit_is_refused_even_below_pillows_own():
    side = int(MAX_PIXELS**0.5) + 1
    with pytest.raises(ImageTooLargeError):
        sniff_image(png(side, side, zlib.compress(b"\x00" * (side + 1))), formats=ACCEPTED)


def test_a_png_text_chunk_bomb_is_refused():
    text = b"Comment\x00\x00" + zlib.compress(b"A" * (64 * 1024 * 1024))  # zTXt: 64 MB inflated
    hostile = png(1, 1, zlib.compress(b"\x00\x00"), png_chunk(b"zTXt", text))
    assert len(hostile) < 2 * 1024 * 1024

    with pytest.raises(NotAnImageError):
        sniff_image(hostile, formats=ACCEPTED)


@pytest.mark.parametrize(
    "hostile",
    [
        b"",
        b"\x89PNG\r\n\x1a\n",  # the magic bytes alone
        b"\x89PNG\r\n\x1a\n" + b"\x00" * 16,  # magic bytes and zeros
        drawn("PNG")[:-20],  # truncated before IEND
        drawn("PNG")[:40] + b"\xff" + drawn("PNG")[41:],  # a corrupt checksum
        png(0, 5, zlib.compress(b"")),  # no pixels at all
        b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"<html><script>alert(1)</script></html>" * 4,
        b"\xff\xd8\xff" + b"\x00" * 64,  # JPEG magic, no frame
        b"BM" + b"\x00" * 60,  # BMP magic, no header
        b"BM" + struct.pack("<IHHIIiiHHI", 90, 0, 0, 54, 40, 1, 1, 1, 99, 0) + b"\x00" * 24,
        b"#!/bin/sh\necho not an image\n" * 3,
    ],
    ids=[
        "empty",
        "magic-only",
        "magic-and-zeros",
        "truncated-png",
        "bad-crc",
        "zero-width",
        "jpeg-html-polyglot",
        "jpeg-no-frame",
        "bmp-no-header",
        "bmp-99-bit",
        "script",
    ],
)
def test_malformed_files_are_refused(hostile):
    with pytest.raises(NotAnImageError):
        sniff_image(hostile, formats=ACCEPTED)


def test_the_composer_refuses_a_bomb_with_a_message_the_agent_can_act_on():
    with pytest.raises(ImageRejectedError, match="too large in pixels"):
        image_check(bomb(30000), "harmless.png")


def test_the_composer_refuses_a_file_with_only_the_magic_bytes():
    with pytest.raises(ImageRejectedError, match="JPG, PNG and BMP"):
        image_check(b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "photo.png")


def test_the_composer_takes_the_size_from_the_image_not_the_name():
    checked = image_check(drawn("JPEG", (640, 480)), "photo.bmp")

    assert (checked.filename, checked.content_type) == ("photo.jpg", "image/jpeg")
    assert (checked.width, checked.height) == (640, 480)
