"""QR codes on cards: find them in a photo (zxing-cpp) and turn vCard, MECARD or a URL into fields."""

import re
import unicodedata

from PIL import Image

try:
    import zxingcpp
except ImportError:  # pragma: no cover - a dependency
    zxingcpp = None

PROFILE_HOSTS = {
    "linkedin.com": "linkedin",
    "www.linkedin.com": "linkedin",
    "jp.linkedin.com": "linkedin",
    "8card.net": "website",
    "facebook.com": "facebook",
    "www.facebook.com": "facebook",
    "x.com": "x_handle",
    "twitter.com": "x_handle",
}


def decode(image: Image.Image) -> list[str]:
    """The texts of the QR codes in a picture (none when there is none or no decoder)."""
    if zxingcpp is None:
        return []
    try:
        results = zxingcpp.read_barcodes(image.convert("L"), formats=zxingcpp.BarcodeFormat.QRCode)
    except (ValueError, RuntimeError):
        return []
    return [r.text for r in results if r.valid and r.text]


def _unescape(value: str) -> str:
    return re.sub(r"\\([\\;,:nN])", lambda m: "\n" if m.group(1) in "nN" else m.group(1), value)


def _split(value: str, sep: str = ";") -> list[str]:
    """Split on `sep` not escaped with a backslash."""
    return [_unescape(part) for part in re.split(rf"(?<!\\){re.escape(sep)}", value)]


def _unfold(text: str) -> list[str]:
    return re.sub(r"\r?\n[ \t]", "", text).splitlines()


def parse_vcard(text: str) -> dict[str, str]:
    fields: dict[str, str] = {}
    family = given = family_reading = given_reading = ""
    for raw in _unfold(text):
        if ":" not in raw:
            continue
        head, value = raw.split(":", 1)
        name, *params = head.split(";")
        name = name.split(".")[-1].upper()
        params_text = ";".join(params).upper()
        if name == "N":
            parts = _split(value) + ["", ""]
            family, given = parts[0].strip(), parts[1].strip()
            sort_as = re.search(r'SORT-AS="?([^";]+)', ";".join(params), re.I)
            if sort_as:
                readings = sort_as.group(1).split(",") + [""]
                family_reading, given_reading = readings[0].strip(), readings[1].strip()
        elif name == "FN" and "name" not in fields:
            fields["fn"] = _unescape(value).strip()
        elif name == "ORG":
            parts = [p.strip() for p in _split(value)]
            fields.setdefault("company", parts[0])
            if len(parts) > 1 and parts[1]:
                fields.setdefault("department", parts[1])
        elif name == "TITLE":
            fields.setdefault("title", _unescape(value).strip())
        elif name == "EMAIL":
            fields.setdefault("email", value.strip())
        elif name == "TEL":
            slot = "fax" if "FAX" in params_text else "mobile" if "CELL" in params_text else "phone"
            fields.setdefault(slot, value.strip().removeprefix("tel:"))
        elif name == "URL":
            fields.update(_url_fields(value.strip(), fields))
        elif name == "ADR":
            parts = [p.strip() for p in _split(value)] + [""] * 7
            # po box; extended; street; locality; region; postcode; country
            if parts[5]:
                fields.setdefault("postcode", parts[5])
            address = "".join(p for p in (parts[4], parts[3], parts[2], parts[1]) if p)
            if address:
                fields.setdefault("address", address)
        elif name in ("X-PHONETIC-LAST-NAME",):
            family_reading = _unescape(value).strip()
        elif name in ("X-PHONETIC-FIRST-NAME",):
            given_reading = _unescape(value).strip()
        elif name == "SORT-STRING" and not family_reading:
            family_reading = _unescape(value).strip()
    if family or given:
        latin = all(ord(c) < 0x250 for c in family + given)
        fields["name"] = f"{given} {family}".strip() if latin else f"{family} {given}".strip()
    elif fields.get("fn"):
        fields["name"] = fields["fn"]
    fields.pop("fn", None)
    reading = f"{family_reading} {given_reading}".strip()
    if reading:
        fields["reading"] = reading
    return fields


def parse_mecard(text: str) -> dict[str, str]:
    """MECARD:N:山田,太郎;SOUND:やまだ,たろう;TEL:…;EMAIL:…;URL:…;ADR:…;;"""
    body = text[len("MECARD:") :]
    fields: dict[str, str] = {}
    for item in re.split(r"(?<!\\);", body):
        if ":" not in item:
            continue
        key, value = item.split(":", 1)
        key, value = key.upper().strip(), _unescape(value).strip()
        if not value:
            continue
        if key == "N":
            parts = [p.strip() for p in value.split(",")]
            latin = all(ord(c) < 0x250 for c in "".join(parts))
            fields["name"] = " ".join(reversed(parts) if latin else parts).strip()
        elif key == "SOUND":
            fields["reading"] = " ".join(p.strip() for p in value.split(",")).strip()
        elif key == "TEL":
            slot = "mobile" if re.sub(r"\D", "", value).startswith(("070", "080", "090")) else "phone"
            if slot in fields:
                slot = "mobile" if slot == "phone" else "phone"
            fields.setdefault(slot, value)
        elif key == "EMAIL":
            fields.setdefault("email", value)
        elif key == "URL":
            fields.update(_url_fields(value, fields))
        elif key == "ADR":
            fields.setdefault("address", value.replace(",", " ").strip())
        elif key == "ORG":
            fields.setdefault("company", value)
        elif key == "TITLE":
            fields.setdefault("title", value)
    return fields


def _url_fields(url: str, fields: dict) -> dict[str, str]:
    host = re.sub(r"^https?://", "", url, flags=re.I).split("/")[0].lower()
    slot = PROFILE_HOSTS.get(host, "website")
    if slot in fields:
        return {}
    return {slot: url}


def parse(text: str) -> dict[str, str]:
    """Fields from a QR code's text: vCard, MECARD, or a profile or web address."""
    text = unicodedata.normalize("NFC", text.strip())
    upper = text[:20].upper()
    if upper.startswith("BEGIN:VCARD"):
        return parse_vcard(text)
    if upper.startswith("MECARD:"):
        return parse_mecard(text)
    if re.match(r"^https?://\S+$", text, re.I):
        return _url_fields(text, {})
    return {}
