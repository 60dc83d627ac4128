"""Turn uploaded bytes into text and tell which format they are in."""

import codecs

from django.utils.translation import gettext as _


class FileRejected(ValueError):
    """A file that cannot be imported at all; the message is for the user."""


_BOMS = [
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
]


def decode(data: bytes) -> tuple[str, str]:
    """Return (text, encoding): a BOM decides, else UTF-8, else Shift_JIS (cp932)."""
    if not data.strip():
        raise FileRejected(_("The file is empty."))
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data[len(bom) :].decode(encoding), encoding
            except UnicodeDecodeError:
                raise FileRejected(_("The file could not be read as text.")) from None
    if b"\x00" in data:
        raise FileRejected(_("This is not a text file. Upload a vCard (.vcf) or CSV file."))
    for encoding in ("utf-8", "cp932"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if _looks_binary(text):
            break
        return text, encoding
    raise FileRejected(_("The file could not be read as text: it is neither UTF-8 nor Shift_JIS."))


def _looks_binary(text: str) -> bool:
    """More than a few control characters: an image, a spreadsheet, an archive."""
    sample = text[:20_000]
    controls = sum(1 for ch in sample if ch < " " and ch not in "\t\n\r" or "\x7f" <= ch < "\xa0")
    return controls > max(2, len(sample) // 200)


def looks_like_vcard(text: str) -> bool:
    return text.lstrip()[:11].upper() == "BEGIN:VCARD"


def looks_like_backup(text: str) -> bool:
    head = text.lstrip()[:200]
    return head.startswith("{") and "jinmyaku-backup" in head
