"""Uploaded card photos: check them, and re-encode them so nothing but the pixels is kept.

Every photo is decoded by Pillow within fixed limits (size, pixels, one frame)
and written again as a fresh JPEG: EXIF (GPS position, camera serial), ICC
profiles, comments and anything hidden after the image data are left behind.
A file that is not a picture we can read is refused with a message for the
user; nothing is stored for it.
"""

import io
import warnings
from dataclasses import dataclass

from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

MAX_BYTES = 20 * 1024 * 1024
MAX_PIXELS = 40_000_000
# The stored copy: large enough to read small print again, small enough to keep.
STORED_LONG_SIDE = 2400
STORED_QUALITY = 88
FORMATS = {"JPEG", "PNG", "WEBP", "HEIF", "GIF", "BMP", "TIFF", "MPO"}

try:  # iPhone photos (HEIC): pillow-heif ships libheif in its wheels.
    import pillow_heif

    pillow_heif.register_heif_opener()
    HEIF = True
except ImportError:  # pragma: no cover - it is a dependency; kept for a trimmed install
    HEIF = False


class ImageRejected(ValueError):
    """A file that cannot be used as a card photo; the message is for the user."""


@dataclass(frozen=True)
class Photo:
    """A photo checked and re-encoded: JPEG bytes without metadata, and its size."""

    data: bytes
    width: int
    height: int
    image: Image.Image  # the decoded pixels, upright, RGB
    plain_jpeg: bool = False  # the upload was already a JPEG without metadata, as this app writes them


def _open(data: bytes) -> Image.Image:
    with warnings.catch_warnings():
        # Pillow warns between MAX_IMAGE_PIXELS and twice that; treat both alike.
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(io.BytesIO(data))
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise ImageRejected(_("This image is too large (at most 40 megapixels).")) from None
        except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
            raise ImageRejected(_("This file is not an image that can be read (JPEG, PNG, WebP or HEIC).")) from None
    return image


def load(data: bytes) -> Photo:
    """Decode an uploaded photo within the limits and re-encode it; raise ImageRejected."""
    if len(data) > MAX_BYTES:
        raise ImageRejected(_("This file is larger than 20 MB."))
    if not data:
        raise ImageRejected(_("This file is empty."))
    image = _open(data)
    plain_jpeg = image.format == "JPEG" and not (set(image.info) & {"exif", "icc_profile", "comment", "xmp"})
    if image.format not in FORMATS:
        raise ImageRejected(_("This file is not an image that can be read (JPEG, PNG, WebP or HEIC)."))
    width, height = image.size
    if width * height > MAX_PIXELS:
        raise ImageRejected(_("This image is too large (at most 40 megapixels)."))
    if getattr(image, "n_frames", 1) > 1 and image.format != "MPO":
        # MPO is a JPEG with a second, smaller picture (many cameras): its first frame is the photo.
        raise ImageRejected(_("Animated images cannot be read as a card: send a single photo."))
    try:
        image.load()
        image = ImageOps.exif_transpose(image)
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError):
        raise ImageRejected(_("This image is damaged or cut short; take or choose the photo again.")) from None
    image = _to_rgb(image)
    image.thumbnail((STORED_LONG_SIDE, STORED_LONG_SIDE), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=STORED_QUALITY, optimize=True)
    return Photo(data=out.getvalue(), width=image.width, height=image.height, image=image, plain_jpeg=plain_jpeg)


def _to_rgb(image: Image.Image) -> Image.Image:
    """RGB pixels whatever came in: CMYK, palette, 16-bit grey; transparency laid on white."""
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return Image.alpha_composite(white, rgba).convert("RGB")
    if image.mode == "I;16" or image.mode == "I":
        image = image.point(lambda v: v / 256).convert("L")
    return image.convert("RGB")
