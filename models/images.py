"""An image's size, read from its header before anything decodes it.

A 17 KB PNG can claim 12 000 x 12 000 pixels: decoding it takes 13 s and 1.6 GB.
Pillow's ``Image.open`` is lazy (it reads the header and decodes no pixel), so the
size is known for the price of a few bytes, and an image past
``models.limits.IMAGE_MAX_SIDE`` on either side is refused when it is chosen
and left out when printing. Pillow is imported inside the function, never at
start-up.
"""

from __future__ import annotations

import warnings
from io import BytesIO

from models.limits import IMAGE_MAX_SIDE

# Pillow refuses to open anything past twice its own bomb limit; such an image is
# certainly past ours, so its size is reported as "too large" rather than unknown.
BEYOND = (IMAGE_MAX_SIDE + 1, IMAGE_MAX_SIDE + 1)


def image_size(data: bytes) -> tuple[int, int] | None:
    """(width, height) from the header, or None when it is not an image Pillow knows."""
    from PIL import Image

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(BytesIO(data)) as image:
                width, height = image.size
    except Image.DecompressionBombError:
        return BEYOND
    except Exception:  # noqa: BLE001 - any unreadable header is "not an image"
        return None
    return int(width), int(height)


def too_large(size: tuple[int, int]) -> bool:
    return max(size) > IMAGE_MAX_SIDE


def size_problem(data: bytes, what: str = "This image") -> str | None:
    """A kind sentence when ``data`` is too large to use, else None (an unreadable
    header is left to the caller's own check)."""
    size = image_size(data)
    if size is None or not too_large(size):
        return None
    shown = "far too large" if size == BEYOND else f"{size[0]:,} \u00d7 {size[1]:,} pixels"
    return (
        f"{what} is {shown}; choose one at most {IMAGE_MAX_SIDE:,} pixels on its longest "
        "side (a smaller copy prints just as sharp)."
    )
