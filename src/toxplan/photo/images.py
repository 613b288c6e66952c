"""Reading, checking and cleaning uploaded images (Pillow).

An upload must be a real JPEG, PNG or WebP image within the size and pixel limits. Its EXIF
orientation is applied, then it is re-encoded from its pixels alone as a JPEG: EXIF (camera,
GPS position, time), XMP, ICC and comments are all left behind. A thumbnail is made at the
same time. Image bytes are never logged.
"""

from __future__ import annotations

import hashlib
import io
import warnings
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from toxplan.errors import InvalidInput

MAX_BYTES = 25 * 1024 * 1024
MAX_PIXELS = 50_000_000
"""A 50-megapixel image is the largest accepted (larger is a decompression bomb, not a photo)."""
MIN_SIDE = 240
STORED_LONG_SIDE = 2048
"""Stored photos are at most this many pixels on the long side: ample for charting, small to store."""
THUMB_LONG_SIDE = 320
FORMATS = frozenset({"JPEG", "MPO", "PNG", "WEBP"})
JPEG_QUALITY = 90
THUMB_QUALITY = 80
FIELD = "image"


@dataclass(frozen=True)
class CleanImage:
    jpeg: bytes
    thumbnail: bytes
    width: int
    height: int
    sha256: str
    rgb: np.ndarray
    """The stored pixels (height, width, 3), for finding the face."""


def _open(data: bytes) -> Image.Image:
    if not data:
        raise InvalidInput("the file is empty", field=FIELD)
    if len(data) > MAX_BYTES:
        raise InvalidInput(f"the file is larger than {MAX_BYTES // (1024 * 1024)} MB", field=FIELD)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            if image.format not in FORMATS:
                raise InvalidInput(f"{image.format} images are not accepted; send JPEG, PNG or WebP", field=FIELD)
            width, height = image.size
            if width * height > MAX_PIXELS:
                raise InvalidInput(f"the image has more than {MAX_PIXELS // 1_000_000} megapixels", field=FIELD)
            image.load()
    except (UnidentifiedImageError, Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise InvalidInput("not an image that can be read; send a JPEG, PNG or WebP photo", field=FIELD) from None
    except (OSError, SyntaxError, ValueError):
        raise InvalidInput("the image file is damaged or incomplete", field=FIELD) from None
    return image


def _rgb(image: Image.Image) -> Image.Image:
    if image.mode in ("RGBA", "LA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        flat = Image.new("RGB", rgba.size, (255, 255, 255))
        flat.paste(rgba, mask=rgba.getchannel("A"))
        return flat
    return image.convert("RGB")


def _jpeg(image: Image.Image, quality: int) -> bytes:
    out = io.BytesIO()
    image.save(out, "JPEG", quality=quality, optimize=True)  # no exif=, icc_profile=: none is written
    return out.getvalue()


def _pixels_only(image: Image.Image) -> Image.Image:
    """A new image from the pixels alone: nothing of the upload's metadata can ride along."""
    return Image.frombytes("RGB", image.size, image.tobytes())


def clean(data: bytes, *, mirrored: bool = False) -> CleanImage:
    """Check and re-encode an upload; ``mirrored`` flips a selfie-view picture back."""
    image = _open(data)
    image = ImageOps.exif_transpose(image) or image
    image = _rgb(image)
    if min(image.size) < MIN_SIDE:
        raise InvalidInput(f"the image is smaller than {MIN_SIDE} pixels on a side", field=FIELD)
    if mirrored:
        image = ImageOps.mirror(image)
    if max(image.size) > STORED_LONG_SIDE:
        image.thumbnail((STORED_LONG_SIDE, STORED_LONG_SIDE), Image.Resampling.LANCZOS)
    image = _pixels_only(image)
    jpeg = _jpeg(image, JPEG_QUALITY)
    thumb = image.copy()
    thumb.thumbnail((THUMB_LONG_SIDE, THUMB_LONG_SIDE), Image.Resampling.LANCZOS)
    return CleanImage(
        jpeg=jpeg,
        thumbnail=_jpeg(thumb, THUMB_QUALITY),
        width=image.width,
        height=image.height,
        sha256=hashlib.sha256(jpeg).hexdigest(),
        rgb=np.asarray(image),
    )


def decode(data: bytes) -> np.ndarray:
    """The RGB pixels of an image file (for the command line and stored photos)."""
    image = _open(data)
    return np.asarray(_rgb(ImageOps.exif_transpose(image) or image))
