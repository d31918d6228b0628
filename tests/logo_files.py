"""Image files for the logo tests: good ones, one carrying a GPS position, and hostile ones."""

from __future__ import annotations

import io
import struct
import zlib


def png(width: int = 320, height: int = 120, colour: str = "teal", *, alpha: bool = False) -> bytes:
    from PIL import Image

    image = Image.new("RGBA" if alpha else "RGB", (width, height), colour)
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


GPS = {1: "N", 2: (45.0, 4.0, 12.0), 3: "E", 4: (7.0, 41.0, 8.0)}
"""A position in Turin, as a phone writes it into a photo's EXIF."""


def jpeg_with_gps(width: int = 300, height: int = 200) -> bytes:
    from PIL import Image

    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    exif[0x8825] = GPS
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), "orange").save(buffer, "JPEG", exif=exif.tobytes())
    return buffer.getvalue()


def gif() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("P", (40, 40)).save(buffer, "GIF")
    return buffer.getvalue()


SVG = (
    b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><script>alert(1)</script>'
    b'<image href="file:///etc/passwd"/></svg>'
)
TEXT = b"Not an image at all, just a text file renamed logo.png\n"


def oversized() -> bytes:
    """A PNG signature followed by more than 2 MiB."""
    return b"\x89PNG\r\n\x1a\n" + b"\0" * (2 * 1024 * 1024 + 16)


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_bomb(side: int = 60_000) -> bytes:
    """A valid PNG header announcing ``side`` × ``side`` pixels (3.6 billion at 60,000) in a few
    hundred bytes: decoding it would take gigabytes."""
    header = struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0)
    rows = zlib.compress(b"\0" * 4096, 9)
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", rows) + _chunk(b"IEND", b"")
