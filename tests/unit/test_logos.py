"""The logo check: PNG and JPEG by their content, bounded in bytes and pixels, re-encoded without
metadata; everything else refused naming the field."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from impactkit.errors import FileError
from impactkit.logos import MAX_SIDE, STORED_SIDE, clean_logo
from tests.logo_files import SVG, TEXT, gif, jpeg_with_gps, oversized, png, png_bomb


def _code(data: bytes) -> str:
    with pytest.raises(FileError) as caught:
        clean_logo(data)
    [problem] = caught.value.problems
    assert problem.location == "logo", "the error names the field"
    return problem.code


def test_a_png_logo_is_kept_as_png_with_its_transparency() -> None:
    logo = clean_logo(png(200, 80, "#00000000", alpha=True))
    image = Image.open(io.BytesIO(logo.data))
    assert (logo.media_type, image.format, image.mode, image.size) == ("image/png", "PNG", "RGBA", (200, 80))


def test_a_phone_photo_loses_its_gps_position_and_every_other_metadata() -> None:
    upload = jpeg_with_gps()
    assert Image.open(io.BytesIO(upload)).getexif().get_ifd(0x8825), "the upload carries a position"
    logo = clean_logo(upload)
    image = Image.open(io.BytesIO(logo.data))
    assert logo.media_type == "image/jpeg" and image.format == "JPEG"
    assert dict(image.getexif()) == {} and b"Exif" not in logo.data and b"PhoneMaker" not in logo.data


def test_gif_svg_and_a_renamed_text_file_are_refused_by_their_content() -> None:
    assert _code(gif()) == "logo_type"
    assert _code(SVG) == "logo_type"
    assert _code(TEXT) == "logo_type"
    assert _code(b"") == "logo_required"


def test_too_many_bytes_or_pixels_are_refused_before_any_pixel_is_decoded() -> None:
    assert _code(oversized()) == "logo_too_large"
    bomb = png_bomb()
    assert len(bomb) < 1000
    assert _code(bomb) == "logo_too_many_pixels"
    assert _code(png_bomb(MAX_SIDE + 1)) == "logo_too_many_pixels"


def test_a_cut_png_or_jpeg_is_refused_as_unreadable_even_after_weasyprint_is_loaded() -> None:
    import weasyprint  # noqa: F401 (it makes Pillow accept truncated images, process-wide)
    from PIL import ImageFile

    assert ImageFile.LOAD_TRUNCATED_IMAGES
    data = png(400, 300)
    photo = jpeg_with_gps(400, 300)
    assert _code(data[: len(data) // 2]) == "logo_unreadable"
    assert _code(photo[: len(photo) * 2 // 3]) == "logo_unreadable"
    assert ImageFile.LOAD_TRUNCATED_IMAGES, "the renderer's setting is given back"


def test_a_large_logo_is_scaled_down_and_the_same_upload_gives_the_same_hash() -> None:
    data = png(3000, 1000)
    first, second = clean_logo(data), clean_logo(data)
    assert max(first.width, first.height) == STORED_SIDE and first.sha256 == second.sha256
