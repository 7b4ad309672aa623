"""What may be attached to a case: photos and scans from a phone, checked by their bytes."""
from flask import current_app
from flask_babel import lazy_gettext as _l

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


def check_upload(filename: str, data: bytes) -> str:
    """The content type of an acceptable upload; otherwise a message saying what is wrong."""
    limit = current_app.config["ATTACHMENT_MAX_BYTES"]
    if not data:
        raise AttachmentProblem(_l("The file is empty."))
    if len(data) > limit:
        raise AttachmentProblem(_l("The file is larger than %(mb)d MB. Take the photo at a lower resolution.",
                                   mb=limit // (1024 * 1024)))
    content_type = _sniff(data)
    if content_type is None:
        raise AttachmentProblem(_l("Only photos (JPEG, PNG, WebP, HEIC) and PDF scans can be attached."))
    return content_type
