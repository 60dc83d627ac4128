"""Reading and writing vCard 2.1, 3.0 and 4.0, with the Japanese readings.

Written here rather than with vobject: the files that matter most to a
Japanese user are 2.1 cards from feature phones (Shift_JIS, SOUND;X-IRMC-N)
and Android (quoted-printable UTF-8 with soft line breaks), which vobject
reads poorly, and it cannot write 4.0 or fold multi-byte lines correctly.
"""

import quopri
import re
from collections.abc import Iterable, Iterator

from django.utils.translation import gettext as _

from .cards import Card
from .decoding import FileRejected

_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_SOCIAL = {
    "linkedin": "linkedin",
    "twitter": "x_handle",
    "x": "x_handle",
    "facebook": "facebook",
    "line": "line_id",
}


def _logical_lines(text: str) -> Iterator[tuple[int, str]]:
    """Yield (line number, unfolded line): RFC folding and quoted-printable soft breaks joined."""
    current: str | None = None
    start = 0
    for number, line in enumerate(_LINE_BREAK.split(text), start=1):
        if current is not None and _is_qp(current) and current.endswith("="):
            current = current[:-1] + line.lstrip(" \t")
            continue
        if current is not None and line[:1] in (" ", "\t"):
            current += line[1:]
            continue
        if current is not None:
            yield start, current
        current, start = line, number
    if current is not None:
        yield start, current


def _is_qp(line: str) -> bool:
    head = line.split(":", 1)[0].upper()
    return "QUOTED-PRINTABLE" in head


def _split_unquoted(text: str, sep: str) -> list[str]:
    """Split on `sep` outside double quotes."""
    parts, buf, quoted = [], [], False
    for ch in text:
        if ch == '"':
            quoted = not quoted
        if ch == sep and not quoted:
            parts.append("".join(buf))
            buf = []
        else:
            buf.append(ch)
    parts.append("".join(buf))
    return parts


def _split_property(line: str) -> tuple[str, dict[str, list[str]], str] | None:
    """Return (NAME, params, raw value), or None for a line that is no property."""
    head_parts = _split_unquoted(line, ":")
    if len(head_parts) < 2:
        return None
    head, value = head_parts[0], ":".join(head_parts[1:])
    pieces = _split_unquoted(head, ";")
    name = pieces[0].strip().upper().rsplit(".", 1)[-1]  # drop a group: item1.EMAIL
    params: dict[str, list[str]] = {}
    for piece in pieces[1:]:
        if "=" in piece:
            key, raw = piece.split("=", 1)
            key = key.strip().upper()
        else:  # vCard 2.1 bare type: TEL;CELL, or bare encoding
            key, raw = "TYPE", piece
            if piece.strip().upper() in ("QUOTED-PRINTABLE", "BASE64", "8BIT", "7BIT", "B"):
                key = "ENCODING"
        # A list parameter: TYPE=WORK,VOICE or SORT-AS="やまだ,たろう" (empty parts kept).
        params.setdefault(key, []).extend(v.strip() for v in raw.strip().strip('"').split(","))
    return name, params, value


def _charset(params) -> str:
    charset = (params.get("CHARSET") or ["utf-8"])[0].lower()
    if charset in ("shift_jis", "shift-jis", "sjis", "x-sjis", "cp932", "windows-31j", "ms_kanji"):
        return "cp932"
    return charset


def _decode_value(params, value: str) -> str:
    encoding = (params.get("ENCODING") or [""])[0].upper()
    if encoding != "QUOTED-PRINTABLE":
        return value
    raw = quopri.decodestring(value.encode("utf-8", errors="replace"))
    for charset in (_charset(params), "utf-8", "cp932"):
        try:
            return raw.decode(charset)
        except (UnicodeDecodeError, LookupError):
            continue
    return raw.decode("utf-8", errors="replace")


def _unescape(text: str) -> str:
    out, i = [], 0
    while i < len(text):
        ch = text[i]
        if ch == "\\" and i + 1 < len(text):
            nxt = text[i + 1]
            out.append("\n" if nxt in "nN" else nxt)
            i += 2
        else:
            out.append(ch)
            i += 1
    return "".join(out)


def _components(value: str, sep: str = ";") -> list[str]:
    """Split a structured value on unescaped separators, then unescape each part."""
    parts, buf, i = [], [], 0
    while i < len(value):
        ch = value[i]
        if ch == "\\" and i + 1 < len(value):
            buf.append(value[i : i + 2])
            i += 2
            continue
        if ch == sep:
            parts.append(_unescape("".join(buf)))
            buf = []
        else:
            buf.append(ch)
        i += 1
    parts.append(_unescape("".join(buf)))
    return parts


def _types(params) -> set[str]:
    return {t.lower() for t in params.get("TYPE", []) if t}


def _format_address(parts: list[str]) -> str:
    parts = [p.strip() for p in parts + [""] * (7 - len(parts))][:7]
    pobox, extended, street, locality, region, code, country = parts
    if not any((pobox, extended, locality, region, code, country)):
        return street
    if any(ord(ch) > 0x2FF for ch in "".join(parts)):  # Japanese order: 〒 code, prefecture, city, street
        line = "".join(p for p in (region, locality, street) if p)
        country = "" if country.lower() in ("日本", "japan", "jp") else country
        return " ".join(p for p in (f"〒{code}" if code else "", line, extended, pobox, country) if p)
    city = " ".join(p for p in (locality, region, code) if p)
    return ", ".join(p for p in (street, extended, pobox, city, country) if p)


def _apply(card: Card, name: str, params: dict, raw: str, state: dict) -> None:
    if name in ("PHOTO", "LOGO", "KEY", "SOUND") and not (name == "SOUND" and "x-irmc-n" in _types(params)):
        return
    value = _decode_value(params, raw)
    if name == "N":
        parts = _components(value) + [""] * 5
        card.family_name, card.given_name = parts[0], " ".join(p for p in (parts[1], parts[2]) if p.strip())
        sort_as = params.get("SORT-AS")
        if sort_as:
            state["n_sort_as"] = sort_as
    elif name == "FN":
        card.full_name = _unescape(value)
    elif name == "X-PHONETIC-LAST-NAME":
        card.family_reading = _unescape(value)
    elif name == "X-PHONETIC-FIRST-NAME":
        card.given_reading = _unescape(value)
    elif name == "X-PHONETIC-MIDDLE-NAME":
        state["middle_reading"] = _unescape(value)
    elif name == "X-PHONETIC-ORG":
        card.company_reading = _unescape(value)
    elif name == "SORT-STRING":
        state["sort_string"] = _unescape(value)
    elif name == "SOUND":  # SOUND;X-IRMC-N: family;given reading of a 2.1 card
        parts = _components(value) + [""] * 2
        state["irmc"] = (parts[0], parts[1])
    elif name == "ORG":
        parts = _components(value)
        card.company = parts[0]
        card.department = " ".join(p for p in parts[1:] if p.strip())
        if params.get("SORT-AS") and not card.company_reading:
            card.company_reading = params["SORT-AS"][0]
    elif name == "TITLE":
        card.title = _unescape(value)
    elif name == "EMAIL":
        card.emails.append(_unescape(value))
    elif name == "TEL":
        types = _types(params)
        kind = "fax" if "fax" in types else "mobile" if types & {"cell", "mobile", "iphone"} else "phone"
        card.phones.append((kind, _unescape(value)))
    elif name == "ADR" and not card.address:
        card.address = _format_address(_components(value))
    elif name == "URL":
        _apply_url(card, _unescape(value))
    elif name == "X-SOCIALPROFILE":
        target = next((_SOCIAL[t] for t in _types(params) if t in _SOCIAL), None)
        if target and not getattr(card, target):
            setattr(card, target, _unescape(value))
    elif name == "BDAY":
        card.birthday = _unescape(value)
    elif name == "NOTE":
        card.notes = "\n\n".join(p for p in (card.notes, _unescape(value)) if p)
    elif name == "CATEGORIES":
        card.tags.extend(t.strip() for t in _components(value, ",") if t.strip())
    elif name == "X-JINMYAKU-FIRST-MET":
        card.first_met_on = _unescape(value)
    elif name == "X-JINMYAKU-WHAT-THEY-DO":
        card.what_they_do = _unescape(value)
    elif name == "X-JINMYAKU-WHAT-THEY-WANT":
        card.what_they_want = _unescape(value)


def _apply_url(card: Card, url: str) -> None:
    lower = url.lower()
    for host, target in (("linkedin.com", "linkedin"), ("facebook.com", "facebook"), ("twitter.com", "x_handle")):
        if host in lower and not getattr(card, target):
            setattr(card, target, url)
            return
    if re.search(r"//(www\.)?x\.com/", lower) and not card.x_handle:
        card.x_handle = url
    elif not card.website:
        card.website = url


def _finish(card: Card, state: dict) -> Card:
    """Fill the readings from whichever property carried them."""
    if "middle_reading" in state and card.given_reading:
        card.given_reading = f"{card.given_reading} {state['middle_reading']}"
    if not card.family_reading and not card.given_reading:
        if "n_sort_as" in state:
            sort_as = state["n_sort_as"] + [""]
            card.family_reading, card.given_reading = sort_as[0], sort_as[1]
        elif "irmc" in state and any(state["irmc"]):
            card.family_reading, card.given_reading = state["irmc"]
        elif state.get("sort_string"):
            card.reading = state["sort_string"]
    return card


def read_vcards(text: str, *, max_cards: int) -> Iterator[Card]:
    """Yield the cards in a file; photos and unknown properties are skipped.

    Raise FileRejected when there are more than `max_cards` cards.
    """
    card: Card | None = None
    state: dict = {}
    count = 0
    for number, line in _logical_lines(text):
        if not line.strip():
            continue
        upper = line.strip().upper()
        if upper == "BEGIN:VCARD":
            if card is not None:
                card.errors.append(_("The card is not complete (END:VCARD is missing)."))
                yield _finish(card, state)
            count += 1
            if count > max_cards:
                raise FileRejected(_("The file has more than %(count)s cards.") % {"count": f"{max_cards:,}"})
            card, state = Card(line=number), {}
        elif upper == "END:VCARD":
            if card is not None:
                yield _finish(card, state)
            card = None
        elif card is not None:
            parsed = _split_property(line)
            if parsed is not None:
                _apply(card, *parsed, state)
    if card is not None:
        card.errors.append(_("The card is not complete (END:VCARD is missing)."))
        yield _finish(card, state)


# Writing

_FOLD_AT = 75


def _escape(value: str) -> str:
    return (
        value.replace("\\", "\\\\").replace("\r\n", "\n").replace("\n", "\\n").replace(",", "\\,").replace(";", "\\;")
    )


def _param(value: str) -> str:
    """A parameter value: quoted, without the characters a quoted value cannot hold."""
    return '"' + value.replace('"', "'").replace("\n", " ").replace("\r", " ") + '"'


def fold(line: str) -> str:
    """Fold a content line at 75 octets, never inside a UTF-8 character; CRLF ended."""
    out, size, chunk = [], 0, []
    for ch in line:
        width = len(ch.encode("utf-8"))
        if size + width > _FOLD_AT:
            out.append("".join(chunk))
            chunk, size = [" "], 1
        chunk.append(ch)
        size += width
    out.append("".join(chunk))
    return "\r\n".join(out) + "\r\n"


def write_vcard(person, *, version: str, points: Iterable, tags: Iterable[str]) -> str:
    """Return one person as a vCard 3.0 or 4.0, readings included for iPhone and Android."""
    lines = ["BEGIN:VCARD", f"VERSION:{version}"]
    n_value = f"{_escape(person.family_name)};{_escape(person.given_name)};;;"
    readings = [person.family_reading, person.given_reading]
    if version == "4.0" and any(readings):
        lines.append(f"N;SORT-AS={_param(','.join(r.replace(',', ' ') for r in readings))}:{n_value}")
    else:
        lines.append(f"N:{n_value}")
    lines.append(f"FN:{_escape(person.display_name)}")
    if person.family_reading:
        lines.append(f"X-PHONETIC-LAST-NAME:{_escape(person.family_reading)}")
    if person.given_reading:
        lines.append(f"X-PHONETIC-FIRST-NAME:{_escape(person.given_reading)}")
    if version == "3.0" and any(readings):
        lines.append(f"SORT-STRING:{_escape(person.reading)}")
    if person.company or person.department:
        org = (
            f"{_escape(person.company)};{_escape(person.department)}" if person.department else _escape(person.company)
        )
        if version == "4.0" and person.company_reading:
            lines.append(f"ORG;SORT-AS={_param(person.company_reading.replace(',', ' '))}:{org}")
        else:
            lines.append(f"ORG:{org}")
    if person.company_reading:
        lines.append(f"X-PHONETIC-ORG:{_escape(person.company_reading)}")
    if person.title:
        lines.append(f"TITLE:{_escape(person.title)}")
    for point in points:
        if point.kind == "email":
            lines.append(f"EMAIL;TYPE={'INTERNET' if version == '3.0' else 'work'}:{_escape(point.value)}")
        else:
            kind = {"mobile": "CELL", "fax": "FAX", "phone": "VOICE"}[point.kind]
            lines.append(f"TEL;TYPE={kind if version == '3.0' else kind.lower()}:{_escape(point.value)}")
    if person.address:
        lines.append(f"ADR;TYPE={'WORK' if version == '3.0' else 'work'}:;;{_escape(person.address)};;;;")
    if person.website:
        lines.append(f"URL:{_escape(person.website)}")
    for name, kind in (("linkedin", "linkedin"), ("x_handle", "twitter"), ("facebook", "facebook"), ("line", "line")):
        if getattr(person, name):
            lines.append(f"X-SOCIALPROFILE;TYPE={kind}:{_escape(getattr(person, name))}")
    if person.birthday:
        lines.append(f"BDAY:{person.birthday:%Y-%m-%d}" if version == "3.0" else f"BDAY:{person.birthday:%Y%m%d}")
    if person.notes:
        lines.append(f"NOTE:{_escape(person.notes)}")
    tags = list(tags)
    if tags:
        lines.append("CATEGORIES:" + ",".join(_escape(t) for t in tags))
    if person.first_met_on:
        lines.append(f"X-JINMYAKU-FIRST-MET:{person.first_met_on:%Y-%m-%d}")
    if person.what_they_do:
        lines.append(f"X-JINMYAKU-WHAT-THEY-DO:{_escape(person.what_they_do)}")
    if person.what_they_want:
        lines.append(f"X-JINMYAKU-WHAT-THEY-WANT:{_escape(person.what_they_want)}")
    lines.append("END:VCARD")
    return "".join(fold(line) for line in lines)
