"""What may be attached to a case: photos and scans from a phone, checked by their bytes.

A photo is decoded and written anew (``reencode``): what is stored is its pixels, turned the
way the camera said (EXIF orientation), and nothing else. Bytes hidden after or inside the
image (HTML, a script, a second file: a "polyglot"), location and camera metadata, comments
and colour-profile tricks do not survive. HEIC (which this server cannot decode) and PDF are
kept as sent and are only ever served as downloads (``cases.views.attachment``).
"""
import io
import warnings

from flask import current_app
from flask_babel import lazy_gettext as _l
from PIL import Image, ImageOps, UnidentifiedImageError

# Recognised by the first bytes of the file, not by its name.
_SIGNATURES = (
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"%PDF-", "application/pdf"),
)


class AttachmentProblem(ValueError):
    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


def _sniff(data: bytes) -> str | None:
    for signature, content_type in _SIGNATURES:
        if data.startswith(signature):
            return content_type
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    if data[4:8] == b"ftyp" and data[8:12] in (b"heic", b"heix", b"mif1", b"msf1"):
        return "image/heic"
    return None


# Formats this server writes anew, by content type: Pillow's name and what to save with.
_REENCODED = {
    "image/jpeg": ("JPEG", {"quality": 90}),
    "image/png": ("PNG", {"optimize": False}),
    "image/webp": ("WEBP", {"quality": 90}),
}
# Served inline (shown in the page and opened in the browser): only images written anew here.
INLINE_TYPES = frozenset(_REENCODED)
# A phone photo is at most some 50 megapixels; more is a "decompression bomb".
MAX_PIXELS = 64_000_000


def check_upload(filename: str, data: bytes) -> tuple[str, bytes]:
    """The content type and the bytes to store of an acceptable upload (a photo written anew);
    otherwise a message saying what is wrong."""
    limit = current_app.config["ATTACHMENT_MAX_BYTES"]
    if not data:
        raise AttachmentProblem(_l("The file is empty."))
    if len(data) > limit:
        raise AttachmentProblem(_l("The file is larger than %(mb)d MB. Take the photo at a lower resolution.",
                                   mb=limit // (1024 * 1024)))
    content_type = _sniff(data)
    if content_type is None:
        raise AttachmentProblem(_l("Only photos (JPEG, PNG, WebP, HEIC) and PDF scans can be attached."))
    if content_type in _REENCODED:
        data = reencode(data, content_type)
    return content_type, data


def reencode(data: bytes, content_type: str) -> bytes:
    """The photo's pixels, turned upright by its EXIF orientation, written in its own format
    with no metadata. Only the first frame of an animation is kept."""
    name, options = _REENCODED[content_type]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=[name]) as image:
                if image.width * image.height > MAX_PIXELS:
                    raise Image.DecompressionBombError(f"{image.width}x{image.height}")
                image.seek(0)
                upright = ImageOps.exif_transpose(image)
                upright.load()
    except (UnidentifiedImageError, Image.DecompressionBombError, Image.DecompressionBombWarning, OSError,
            SyntaxError, ValueError, EOFError):
        raise AttachmentProblem(_l("The photo could not be read. Take it again, or attach it as a PDF scan."))
    if name == "JPEG" and upright.mode not in ("RGB", "L", "CMYK"):
        upright = upright.convert("RGB")
    # A fresh image holds pixels and the palette (and the transparency of a palette PNG) only:
    # no EXIF, XMP, ICC profile, comments or text chunks reach the saved file.
    clean = Image.new(upright.mode, upright.size)
    clean.paste(upright)
    if upright.mode == "P":
        clean.putpalette(upright.getpalette())
    if name == "PNG" and "transparency" in upright.info:
        options = {**options, "transparency": upright.info["transparency"]}
    out = io.BytesIO()
    clean.save(out, name, **options)
    return out.getvalue()


THUMBNAIL_SIZE = (192, 192)  # twice the 96 px it is shown at, for a phone's dense screen


def make_thumbnail(data: bytes, content_type: str) -> tuple[bytes, str]:
    """A small JPEG of a stored photo (one written anew on upload, so Pillow reads it), at most
    ``THUMBNAIL_SIZE``; a photo it cannot shrink is sent as it is and scaled by the page."""
    name = _REENCODED[content_type][0]
    try:
        with Image.open(io.BytesIO(data), formats=[name]) as image:
            image.seek(0)
            image.thumbnail(THUMBNAIL_SIZE)
            out = io.BytesIO()
            image.convert("RGB").save(out, "JPEG", quality=80)
    except (OSError, ValueError, Image.DecompressionBombError):
        return data, content_type
    return out.getvalue(), "image/jpeg"
