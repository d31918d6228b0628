"""An organisation's logo: a PNG or JPEG a person uploaded, checked and re-encoded into plain pixels.

What a person gives is never handed to a renderer as it came: the type is read from the first
bytes (not the file's name), only PNG and JPEG are taken (an SVG is a program for the renderer; a
GIF, WebP or anything else is refused), the size is bounded in bytes and in pixels *before* the
pixels are decoded (a decompression bomb is refused from its header), and the image is decoded and
written again by Pillow — so no metadata (EXIF with GPS position, XMP, ICC profiles, text chunks,
comments) and no second frame reaches a public document.

    >>> import io
    >>> from PIL import Image
    >>> buffer = io.BytesIO()
    >>> Image.new("RGB", (40, 20), "navy").save(buffer, "PNG")
    >>> logo = clean_logo(buffer.getvalue())
    >>> (logo.media_type, logo.width, logo.height, len(logo.sha256))
    ('image/png', 40, 20, 64)
"""

from __future__ import annotations

import hashlib
import io
import threading
import warnings
from dataclasses import dataclass

from impactkit.errors import FileError, Problem

FIELD = "logo"
"""The form field (and the API's multipart part) that carries the logo."""
MAX_BYTES = 2 * 1024 * 1024
"""Largest file accepted, in bytes (2 MiB)."""
MAX_SIDE = 6000
"""Longest side accepted, in pixels (read from the header, before decoding)."""
MAX_PIXELS = 24_000_000
"""Most pixels accepted (width × height, read from the header, before decoding)."""
STORED_SIDE = 1200
"""Longest side kept: larger logos are scaled down (a cover prints it a few centimetres wide)."""

_SIGNATURES = {b"\x89PNG\r\n\x1a\n": ("PNG", "image/png"), b"\xff\xd8\xff": ("JPEG", "image/jpeg")}
MEDIA_TYPES = ("image/png", "image/jpeg")
EXTENSIONS = {"image/png": "png", "image/jpeg": "jpg"}
_STRICT_DECODING = threading.Lock()


@dataclass(frozen=True)
class Logo:
    """A logo as stored and printed: re-encoded bytes, their type, size in pixels and SHA-256."""

    data: bytes
    media_type: str
    width: int
    height: int
    sha256: str

    def reference(self) -> dict[str, str | int]:
        """What a report's content says about its logo (the bytes stay in the store)."""
        return {
            "sha256": self.sha256,
            "media_type": self.media_type,
            "width": self.width,
            "height": self.height,
        }


def _refuse(message: str, code: str, **details: str | int) -> FileError:
    return FileError("logo_refused", [Problem(message, FIELD, code, dict(details))])


def sniff(data: bytes) -> tuple[str, str] | None:
    """(Pillow format, media type) from the first bytes, or None when not a PNG or JPEG."""
    for signature, found in _SIGNATURES.items():
        if data.startswith(signature):
            return found
    return None


def clean_logo(data: bytes) -> Logo:
    """The uploaded bytes checked and re-encoded (PNG stays PNG with its transparency, JPEG stays JPEG).

    Raises:
        FileError: naming the field ``logo``: empty, too large (bytes or pixels), not a PNG or JPEG
            by its content, or unreadable.
    """
    from PIL import Image, ImageFile, ImageOps, UnidentifiedImageError

    if not data:
        raise _refuse("choose a PNG or JPEG file", "logo_required")
    if len(data) > MAX_BYTES:
        raise _refuse(
            f"at most {MAX_BYTES // (1024 * 1024)} MiB", "logo_too_large", max=MAX_BYTES // (1024 * 1024)
        )
    kind = sniff(data)
    if kind is None:
        raise _refuse("a PNG or JPEG image (by its content, whatever its name)", "logo_type")
    pillow_format, media_type = kind
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            opened = Image.open(io.BytesIO(data), formats=[pillow_format])
            width, height = opened.size
            if width < 1 or height < 1 or max(width, height) > MAX_SIDE or width * height > MAX_PIXELS:
                raise _refuse(
                    f"at most {MAX_SIDE} pixels a side and {MAX_PIXELS:,} pixels in all; "
                    f"this one is {width} × {height}",
                    "logo_too_many_pixels",
                    max=MAX_SIDE,
                    width=width,
                    height=height,
                )
            if pillow_format == "JPEG":
                # a photo is decoded straight at the nearest scale above the stored size (1/2 … 1/8)
                opened.draft(opened.mode, (STORED_SIDE, STORED_SIDE))
            with _STRICT_DECODING:
                # WeasyPrint sets ImageFile.LOAD_TRUNCATED_IMAGES = True for the whole process when
                # imported; a logo must be whole, so it is decoded with the flag off (one at a time:
                # the flag is global). The renderer only ever loads logos decoded here, never cut.
                tolerant = ImageFile.LOAD_TRUNCATED_IMAGES
                ImageFile.LOAD_TRUNCATED_IMAGES = False
                try:
                    opened.load()
                finally:
                    ImageFile.LOAD_TRUNCATED_IMAGES = tolerant
            image: Image.Image = ImageOps.exif_transpose(opened) or opened
    except FileError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _refuse("too many pixels", "logo_too_many_pixels", max=MAX_SIDE, width=0, height=0) from None
    except (OSError, ValueError, SyntaxError, UnidentifiedImageError, EOFError) as error:
        raise _refuse(f"the image cannot be read ({str(error)[:120]})", "logo_unreadable") from None
    if media_type == "image/png":
        image = image.convert("RGBA" if _has_alpha(image) else "RGB")
    else:
        image = image.convert("RGB")
    if max(image.size) > STORED_SIDE:
        image.thumbnail((STORED_SIDE, STORED_SIDE), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    # Only pixels are written: no exif=, icc_profile=, pnginfo= — Pillow copies none of them itself.
    if media_type == "image/png":
        image.save(out, "PNG", optimize=True)
    else:
        image.save(out, "JPEG", quality=90, optimize=True)
    cleaned = out.getvalue()
    return Logo(
        data=cleaned,
        media_type=media_type,
        width=image.width,
        height=image.height,
        sha256=hashlib.sha256(cleaned).hexdigest(),
    )


def _has_alpha(image: object) -> bool:
    mode = getattr(image, "mode", "")
    info = getattr(image, "info", {})
    return mode in ("RGBA", "LA", "PA") or (mode in ("P", "L", "RGB") and "transparency" in info)


__all__ = [
    "EXTENSIONS",
    "FIELD",
    "MAX_BYTES",
    "MAX_PIXELS",
    "MAX_SIDE",
    "MEDIA_TYPES",
    "Logo",
    "clean_logo",
    "sniff",
]
