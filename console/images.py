"""Untrusted image bytes judged by Pillow: the format by content, the size from the header.

Only the parsers of the formats asked for ever see the bytes (`Image.open(formats=...)`), nothing
is decoded (`verify()` checks a file's structure, and PNG's checksums, without inflating pixels),
and the pixel count is checked against our own limit first, so a small file that claims a huge
canvas (a decompression bomb) is refused by its header, before it costs memory.
"""

from __future__ import annotations

import io
import warnings
from collections.abc import Collection
from dataclasses import dataclass

from PIL import Image

# A 48-megapixel phone photo passes; a canvas bigger than that is no complaint screenshot.
MAX_PIXELS = 8000 * 8000


class NotAnImageError(ValueError):
    """The bytes are not a well-formed image of an accepted format."""


class ImageTooLargeError(NotAnImageError):
    """The header claims more than MAX_PIXELS pixels (possibly a decompression bomb)."""


@dataclass(frozen=True)
class SniffedImage:
    format: str  # Pillow's name: "PNG", "JPEG", "BMP", "GIF", "WEBP"
    content_type: str
    width: int
    height: int


def sniff_image(content: bytes, *, formats: Collection[str]) -> SniffedImage:
    """What the bytes are, judged by Pillow's parsers for `formats` only; raises NotAnImageError
    (ImageTooLargeError for a canvas over MAX_PIXELS) for anything else."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(io.BytesIO(content), formats=list(formats)) as image:
                found, (width, height) = image.format or "", image.size
                if width < 1 or height < 1:
                    raise NotAnImageError(f"{width}×{height} pixels")
                if width * height > MAX_PIXELS:
                    raise ImageTooLargeError(f"{width}×{height} pixels (at most {MAX_PIXELS})")
                image.verify()
        except NotAnImageError:
            raise
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
            raise ImageTooLargeError(str(exc)) from exc  # over Pillow's own cap, checked first
        except (OSError, ValueError, SyntaxError) as exc:
            raise NotAnImageError(f"not a readable {'/'.join(formats)} image: {exc}") from exc
        except Exception as exc:  # noqa: BLE001 — a parser's surprise on hostile bytes
            raise NotAnImageError(f"unreadable image: {exc!r}") from exc
    return SniffedImage(format=found, content_type=Image.MIME[found], width=width, height=height)
