"""Turn uploaded bytes into text and tell which format they are in."""

import codecs
import re

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
        if looks_binary(text):
            break
        return text, encoding
    raise FileRejected(_("The file could not be read as text: it is neither UTF-8 nor Shift_JIS."))


def looks_binary(text: str) -> bool:
    """More than a few control characters: an image, a spreadsheet, an archive."""
    sample = text[:20_000]
    controls = sum(1 for ch in sample if ch < " " and ch not in "\t\n\r" or "\x7f" <= ch < "\xa0")
    return controls > max(2, len(sample) // 200)


_VCARD_START = re.compile(rb"^\s*(?:BEGIN:VCARD|VERSION:[234]\.\d|(?:N|FN)[;:])", re.IGNORECASE)


def looks_like_vcard(data: bytes | str) -> bool:
    """A vCard file: it starts with BEGIN:VCARD, or (its first line lost) has its END:VCARD lines.

    Read on the bytes, before decoding: a vCard is unfolded before it is decoded.
    """
    if isinstance(data, str):
        data = data.encode("utf-8", errors="replace")
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            data = data[len(bom) :].decode(encoding, errors="replace").encode("utf-8", errors="replace")
            break
    head = data[:65536]
    if _VCARD_START.match(head):
        return True
    return b"END:VCARD" in head.upper() and (b"\nN:" in head or b"\nFN:" in head or b"\nTEL" in head.upper())


def looks_like_csv(text: str) -> bool:
    """A first line with a comma, tab or semicolon between named columns."""
    first = text.lstrip().split("\n", 1)[0]
    return any(sep in first for sep in (",", "\t", ";")) and ":" not in first.split(",", 1)[0]


def looks_like_backup(text: str) -> bool:
    head = text.lstrip()[:200]
    return head.startswith("{") and "jinmyaku-backup" in head
