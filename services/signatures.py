"""Signatures drawn on the tablet: a PNG data URL, checked before it is stored with a record."""
import base64
import binascii
import io

from PIL import Image, UnidentifiedImageError

from models.i18n import lazy_gettext as _l

SIGNATURE_MAX = 200 * 1024
PREFIX = "data:image/png;base64,"


class SignatureError(ValueError):
    """Not a usable signature; the message says why."""


def decode(data_url):
    """The PNG bytes of a signature: a PNG data URL of at most 200 KB that really is an image."""
    if not data_url or not data_url.startswith(PREFIX):
        raise SignatureError(_l("签名须为 PNG 图片"))
    try:
        raw = base64.b64decode(data_url[len(PREFIX):], validate=True)
    except (ValueError, binascii.Error):
        raise SignatureError(_l("签名数据无效"))
    if len(raw) > SIGNATURE_MAX:
        raise SignatureError(_l("签名图片过大（不超过 200 KB）"))
    if not raw.startswith(b"\x89PNG\r\n\x1a\n"):
        raise SignatureError(_l("签名须为 PNG 图片"))
    try:
        with Image.open(io.BytesIO(raw)) as image:
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError):
        raise SignatureError(_l("签名图片已损坏"))
    return raw


def data_uri(raw):
    """Stored PNG bytes back as a data URI for a printed form."""
    return PREFIX + base64.b64encode(bytes(raw)).decode() if raw else None
