"""Reading and writing vCard 2.1, 3.0 and 4.0, with the Japanese readings.

Written here rather than with vobject: the files that matter most to a
Japanese user are 2.1 cards from feature phones (Shift_JIS, SOUND;X-IRMC-N)
and Android (quoted-printable UTF-8 with soft line breaks), which vobject
reads poorly, and it cannot write 4.0 or fold multi-byte lines correctly.
"""

import codecs
import quopri
import re
from collections.abc import Iterable, Iterator

from django.utils.translation import gettext as _

from .cards import Card, warning
from .decoding import FileRejected, decode, looks_binary

_LINE_BREAK = re.compile(rb"\r\n|\r|\n")
_SOCIAL = {
    "linkedin": "linkedin",
    "twitter": "x_handle",
    "x": "x_handle",
    "facebook": "facebook",
    "line": "line_id",
}
# Property names that tell a vCard whose BEGIN:VCARD line is missing.
_CARD_PROPERTIES = {"VERSION", "N", "FN", "TEL", "EMAIL", "ORG", "ADR", "NOTE", "TITLE", "BDAY", "URL"}


def _physical_lines(data: bytes) -> Iterator[tuple[int, bytes]]:
    start = 0
    number = 0
    for number, match in enumerate(_LINE_BREAK.finditer(data), start=1):
        yield number, data[start : match.start()]
        start = match.end()
    if start < len(data):
        yield number + 1, data[start:]


def logical_lines(data: bytes) -> Iterator[tuple[int, bytes]]:
    """Yield (line number, unfolded line) from the file's bytes, before any decoding.

    RFC 6350 §3.2 folding (a line starting with a space or tab continues the
    one before) and quoted-printable soft breaks (a line ending in `=`) are
    joined here, so a UTF-8 character split across a fold is whole again
    before it is decoded. Linear in the size of the file: each piece is
    appended to a buffer once, however many lines a value is folded over.
    """
    buffer: bytearray | None = None
    start = 0
    quoted = soft = False
    for number, line in _physical_lines(data):
        if buffer is not None:
            if soft:
                del buffer[-1]  # the soft break's "="
                buffer += line.lstrip(b" \t")
                soft = line.endswith(b"=")
                continue
            if line[:1] in (b" ", b"\t"):
                buffer += line[1:]
                soft = quoted and line.endswith(b"=")
                continue
            yield start, bytes(buffer)
        buffer, start = bytearray(line), number
        quoted = b"QUOTED-PRINTABLE" in line.split(b":", 1)[0].upper()
        soft = quoted and line.endswith(b"=")
    if buffer is not None:
        yield start, bytes(buffer)


def decode_lines(data: bytes) -> tuple[list[tuple[int, str]], str]:
    """Unfold a vCard file's bytes, then decode: UTF-8 if every line is, else Shift_JIS (cp932).

    Raise FileRejected for bytes that are neither, or that are no text at all.
    """
    for bom, encoding in ((codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be")):
        if data.startswith(bom):
            text, _encoding = decode(data)
            return decode_lines(text.encode("utf-8"))[0], encoding
    data = data.removeprefix(codecs.BOM_UTF8)
    if b"\x00" in data:
        raise FileRejected(_("This is not a text file. Upload a vCard (.vcf) or CSV file."))
    lines = list(logical_lines(data))
    for encoding in ("utf-8", "cp932"):
        try:
            decoded = [(number, line.decode(encoding)) for number, line in lines]
        except UnicodeDecodeError:
            continue
        if looks_binary("\n".join(text for _n, text in decoded[:2000])):
            break
        return decoded, encoding
    raise FileRejected(_("The file could not be read as text: it is neither UTF-8 nor Shift_JIS."))


def _split_unquoted(text: str, sep: str) -> list[str]:
    """Split on `sep` outside double quotes."""
    if '"' not in text:
        return text.split(sep)
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


def _head_end(line: str) -> int:
    """The index of the colon that ends a property's name and parameters (outside quotes), or -1."""
    position, quoted = 0, False
    while True:
        colon = line.find(":", position)
        if colon < 0:
            return -1
        quote = line.find('"', position, colon)
        if quote < 0:
            if not quoted:
                return colon
            closing = line.find('"', position)
            if closing < 0:
                return -1
            quoted, position = False, closing + 1
            continue
        quoted, position = not quoted, quote + 1


def _split_property(line: str) -> tuple[str, str, dict[str, list[str]], str] | None:
    """Return (NAME, group, params, raw value), or None for a line that is no property."""
    end = _head_end(line)
    if end < 0:
        return None
    head, value = line[:end], line[end + 1 :]
    pieces = _split_unquoted(head, ";")
    group, _dot, name = pieces[0].strip().upper().rpartition(".")  # a group: item1.EMAIL
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
    return name, group, params, value


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


_ESCAPED = re.compile(r"\\(.)", re.DOTALL)


def _unescape(text: str) -> str:
    if "\\" not in text:
        return text
    return _ESCAPED.sub(lambda m: "\n" if m.group(1) in "nN" else m.group(1), text)


def _components(value: str, sep: str = ";") -> list[str]:
    """Split a structured value on unescaped separators, then unescape each part."""
    if "\\" not in value:
        return value.split(sep)
    parts, buf = [], []
    for token in re.split(r"(\\.|" + re.escape(sep) + ")", value, flags=re.DOTALL):
        if token == sep:
            parts.append(_unescape("".join(buf)))
            buf = []
        else:
            buf.append(token)
    parts.append(_unescape("".join(buf)))
    return parts


def _two(text: str) -> tuple[str, str]:
    """A reading written whole, split into (family, given) on `;`, `,` or a space."""
    text = text.strip()
    for sep in (";", ",", "，", "、"):
        if sep in text:
            family, given = text.split(sep, 1)
            return family.strip(), given.replace(sep, " ").strip()
    parts = text.split(None, 1)
    return (parts[0], parts[1].strip()) if len(parts) == 2 else (text, "")


def _types(params) -> set[str]:
    return {t.lower() for t in params.get("TYPE", []) if t}


_APPLE_LABEL = re.compile(r"^_\$!<(.*)>!\$_$")


def _label(raw: str) -> str:
    """Apple's X-ABLabel: `_$!<Main>!$_` is a built-in label (Main), anything else the user's own."""
    raw = _unescape(raw).strip()
    match = _APPLE_LABEL.match(raw)
    return (match.group(1) if match else raw)[:40]


def _phone_kind(types: set[str], label: str = "") -> str:
    label = label.lower()
    if "fax" in types or "fax" in label or "ファックス" in label:
        return "fax"
    if types & {"cell", "mobile", "iphone"} or any(word in label for word in ("mobile", "iphone", "cell", "携帯")):
        return "mobile"
    return "phone"


def _apply(card: Card, name: str, group: str, params: dict, raw: str, state: dict) -> None:
    if name in ("PHOTO", "LOGO", "KEY", "SOUND") and not (name == "SOUND" and "x-irmc-n" in _types(params)):
        return
    if name == "X-ABLABEL":
        if group:
            state.setdefault("labels", {})[group] = _label(raw)
        return
    value = _decode_value(params, raw)
    if name == "N":
        parts = _components(value) + [""] * 5
        card.family_name, card.given_name = parts[0], " ".join(p for p in (parts[1], parts[2]) if p.strip())
        sort_as = [part for item in params.get("SORT-AS", []) for part in item.split(";")]
        if any(sort_as):
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
        if params.get("SORT-AS") and params["SORT-AS"][0].strip() and not card.company_reading:
            card.company_reading = params["SORT-AS"][0].split(";")[0]
    elif name == "TITLE":
        card.title = _unescape(value)
    elif name == "EMAIL":
        card.emails.append(_unescape(value))
    elif name == "TEL":
        number = _unescape(value)
        if "phone-context=+81" in number.lower():
            card.phone_region = "JP"
        card.phones.append((_phone_kind(_types(params)), number))
        if group:
            state.setdefault("grouped_phones", {})[group] = len(card.phones) - 1
    elif name == "ADR" and not (card.address or card.locality or card.postal_code):
        _apply_address(card, _components(value))
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


def _apply_address(card: Card, parts: list[str]) -> None:
    """ADR's parts (post box; extended; street; locality; region; postal code; country) into their columns."""
    pobox, extended, street, locality, region, code, country = [p.strip() for p in parts + [""] * 7][:7]
    japanese = any(ord(ch) > 0x2FF for ch in street + extended)
    card.address = ("" if japanese else " ").join(p for p in (street, extended, pobox) if p).strip()
    card.locality, card.region, card.postal_code, card.country = locality, region, code.lstrip("〒"), country


_X_COM = re.compile(r"//(www\.)?x\.com/")


def _apply_url(card: Card, url: str) -> None:
    lower = url.lower()
    for host, target in (("linkedin.com", "linkedin"), ("facebook.com", "facebook"), ("twitter.com", "x_handle")):
        if host in lower and not getattr(card, target):
            setattr(card, target, url)
            return
    if _X_COM.search(lower) and not card.x_handle:
        card.x_handle = url
    elif not card.website:
        card.website = url


def _finish(card: Card, state: dict) -> Card:
    """Fill the readings from whichever property carried them; put Apple's labels on their numbers."""
    labels = state.get("labels", {})
    for group, index in state.get("grouped_phones", {}).items():
        if group in labels:
            kind, number = card.phones[index][:2]
            label = labels[group]
            kind = _phone_kind({kind} if kind != "phone" else set(), label)
            builtin = label.lower() in ("mobile", "iphone", "homefax", "workfax", "otherfax")
            card.phones[index] = (kind, number, "" if builtin else label)
    if card.family_reading and not card.given_reading and any(sep in card.family_reading for sep in ";,，、"):
        card.family_reading, card.given_reading = _two(card.family_reading)
    if "middle_reading" in state and card.given_reading:
        card.given_reading = f"{card.given_reading} {state['middle_reading']}"
    if not card.family_reading and not card.given_reading:
        if "n_sort_as" in state:
            sort_as = [p.strip() for p in state["n_sort_as"]] + [""]
            if len([p for p in sort_as if p]) == 1 and not sort_as[1]:
                card.family_reading, card.given_reading = _two(sort_as[0])
            else:
                card.family_reading, card.given_reading = sort_as[0], " ".join(p for p in sort_as[1:] if p)
        elif "irmc" in state and any(state["irmc"]):
            family, given = state["irmc"]
            card.family_reading, card.given_reading = _two(family) if not given.strip() else (family, given)
        elif state.get("sort_string"):
            card.reading = state["sort_string"]
    return card


def read_vcards(text: str | bytes, *, max_cards: int) -> Iterator[Card]:
    """Yield the cards in a file (its bytes, or text); photos and unknown properties are skipped.

    A card whose BEGIN:VCARD or END:VCARD line is missing is read all the
    same, with a warning. Raise FileRejected when there are more than
    `max_cards` cards, or for bytes that are not text.
    """
    if isinstance(text, bytes):
        lines = decode_lines(text)[0]
    else:
        lines = ((n, line.decode("utf-8")) for n, line in logical_lines(text.encode("utf-8", errors="replace")))
    yield from read_vcard_lines(lines, max_cards=max_cards)


def read_vcard_lines(lines: Iterable[tuple[int, str]], *, max_cards: int) -> Iterator[Card]:
    card: Card | None = None
    state: dict = {}
    count = 0

    def begin(number: int) -> Card:
        nonlocal count
        count += 1
        if count > max_cards:
            raise FileRejected(_("The file has more than %(count)s cards.") % {"count": f"{max_cards:,}"})
        return Card(line=number)

    for number, line in lines:
        if not line.strip():
            continue
        upper = line.strip().upper()
        if upper == "BEGIN:VCARD":
            if card is not None:
                card.warnings.append(warning("incomplete"))
                yield _finish(card, state)
            card, state = begin(number), {}
        elif upper == "END:VCARD":
            if card is not None:
                yield _finish(card, state)
            card = None
        else:
            parsed = _split_property(line)
            if parsed is None:
                continue
            if card is None:
                if parsed[0] not in _CARD_PROPERTIES:
                    continue
                # A card without its BEGIN:VCARD line: read it all the same.
                card, state = begin(number), {}
                card.warnings.append(warning("no_begin"))
            _apply(card, *parsed, state)
    if card is not None:
        card.warnings.append(warning("incomplete"))
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
    if person.address or person.locality or person.region or person.postal_code or person.country:
        parts = (person.address, person.locality, person.region, person.postal_code, person.country)
        lines.append(f"ADR;TYPE={'WORK' if version == '3.0' else 'work'}:;;" + ";".join(_escape(p) for p in parts))
    if person.website:
        lines.append(f"URL:{_escape(person.website)}")
    for name, kind in (("linkedin", "linkedin"), ("x_handle", "twitter"), ("facebook", "facebook"), ("line", "line")):
        if getattr(person, name):
            lines.append(f"X-SOCIALPROFILE;TYPE={kind}:{_escape(getattr(person, name))}")
    if person.birthday:
        lines.append(f"BDAY:{person.birthday:%Y-%m-%d}" if version == "3.0" else f"BDAY:{person.birthday:%Y%m%d}")
    elif person.birthday_month and person.birthday_day:
        month_day = f"{person.birthday_month:02d}-{person.birthday_day:02d}"
        # 4.0 has a date without a year; 3.0 readers (Apple's) take 1604 with this parameter as one.
        lines.append(
            f"BDAY:--{month_day.replace('-', '')}"
            if version == "4.0"
            else f"BDAY;X-APPLE-OMIT-YEAR=1604:1604-{month_day}"
        )
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
