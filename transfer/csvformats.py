"""The CSV layouts people bring: Google Contacts (current and legacy), LinkedIn,
Eight, Sansan, this app's own export, and any other CSV through a column mapping."""

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, override

from .cards import Card
from .decoding import FileRejected

# Lines before the header row that exporters add (LinkedIn's notes, Eight's
# summary): the header is looked for among the first rows.
HEADER_SEARCH_ROWS = 30
MAX_COLUMNS = 200
MAX_CELL = 20_000


@dataclass
class Table:
    header: list[str]
    header_line: int
    rows: list[tuple[int, list[str]]]  # (file line, cells)


def read_table(text: str, *, max_rows: int, find_header) -> Table:
    """Split CSV text into the header row and the rows after it.

    The header is the first of the opening rows that `find_header` knows
    (exporters put notes above it), else the first row with two named columns.
    """
    csv.field_size_limit(MAX_CELL * 10)
    reader = csv.reader(io.StringIO(text, newline=""))
    records: list[tuple[int, list[str]]] = []
    line = 1
    try:
        for cells in reader:
            start, line = line, reader.line_num + 1
            if len(records) > max_rows + HEADER_SEARCH_ROWS:
                raise FileRejected(_("The file has more than %(count)s rows.") % {"count": f"{max_rows:,}"})
            records.append((start, [c.strip() for c in cells[:MAX_COLUMNS]]))
    except csv.Error as error:
        raise FileRejected(_("Line %(line)d of the file is not valid CSV.") % {"line": line}) from error
    opening = records[:HEADER_SEARCH_ROWS]
    found = next((i for i, (_line, cells) in enumerate(opening) if find_header(cells)), None)
    if found is None:
        found = next((i for i, (_line, cells) in enumerate(opening) if len([c for c in cells if c]) >= 2), None)
    if found is None:
        raise FileRejected(_("No header row was found. Upload a vCard (.vcf) or a CSV file with a header row."))
    header_line, header = records[found]
    rows = [(line, cells) for line, cells in records[found + 1 :] if any(cells)]
    if len(rows) > max_rows:
        raise FileRejected(_("The file has more than %(count)s rows.") % {"count": f"{max_rows:,}"})
    return Table(header=header, header_line=header_line, rows=rows)


def _cell(row: list[str], index: dict[str, int], *names: str) -> str:
    for name in names:
        i = index.get(name)
        if i is not None and i < len(row) and row[i]:
            return row[i]
    return ""


def _multi(value: str) -> list[str]:
    return [v.strip() for v in value.split(":::") if v.strip()]


# --- Google Contacts ---------------------------------------------------------

_GOOGLE_NUMBERED = re.compile(r"^(E-mail|Phone|Address|Website|Organization) (\d+) - (.+)$")


def is_google(header: list[str]) -> bool:
    names = set(header)
    return ("First Name" in names and ("Phonetic Last Name" in names or "Labels" in names)) or (
        "Given Name" in names and "Family Name" in names
    )


def google_card(line: int, row: list[str], index: dict[str, int]) -> Card:
    card = Card(line=line)
    card.given_name = " ".join(
        p
        for p in (_cell(row, index, "First Name", "Given Name"), _cell(row, index, "Middle Name", "Additional Name"))
        if p
    )
    card.family_name = _cell(row, index, "Last Name", "Family Name")
    card.full_name = _cell(row, index, "Name", "File As")
    card.given_reading = _cell(row, index, "Phonetic First Name", "Given Name Yomi")
    card.family_reading = _cell(row, index, "Phonetic Last Name", "Family Name Yomi")
    card.reading = _cell(row, index, "Yomi Name")
    card.company = _cell(row, index, "Organization Name", "Organization 1 - Name")
    card.company_reading = _cell(row, index, "Organization Phonetic Name", "Organization 1 - Yomi Name")
    card.title = _cell(row, index, "Organization Title", "Organization 1 - Title")
    card.department = _cell(row, index, "Organization Department", "Organization 1 - Department")
    card.birthday = _cell(row, index, "Birthday")
    card.notes = _cell(row, index, "Notes")
    card.tags = [t for t in _multi(_cell(row, index, "Labels", "Group Membership")) if not t.startswith("*")]
    slots: dict[tuple[str, str], dict[str, str]] = {}
    for name, i in index.items():
        match = _GOOGLE_NUMBERED.match(name)
        if match and i < len(row) and row[i]:
            slots.setdefault((match.group(1), match.group(2)), {})[match.group(3)] = row[i]
    for (kind, _n), parts in sorted(slots.items(), key=lambda item: (item[0][0], int(item[0][1]))):
        value = parts.get("Value") or parts.get("Formatted") or ""
        label = (parts.get("Label") or parts.get("Type") or "").lower()
        if kind == "E-mail":
            card.emails += _multi(value)
        elif kind == "Phone":
            phone_kind = "fax" if "fax" in label else "mobile" if "mobile" in label else "phone"
            card.phones += [(phone_kind, v) for v in _multi(value)]
        elif kind == "Address" and not card.address:
            card.address = value
        elif kind == "Website" and not card.website:
            card.website = _multi(value)[0] if _multi(value) else ""
    return card


# --- LinkedIn Connections.csv ----------------------------------------------------


def is_linkedin(header: list[str]) -> bool:
    return {"First Name", "Last Name", "Connected On"} <= set(header)


def linkedin_card(line: int, row: list[str], index: dict[str, int]) -> Card:
    return Card(
        line=line,
        given_name=_cell(row, index, "First Name"),
        family_name=_cell(row, index, "Last Name"),
        linkedin=_cell(row, index, "URL"),
        emails=[e for e in [_cell(row, index, "Email Address")] if e],
        company=_cell(row, index, "Company"),
        title=_cell(row, index, "Position"),
        first_met_on=_cell(row, index, "Connected On"),
    )


# --- Eight and Sansan ------------------------------------------------------------


def is_eight(header: list[str]) -> bool:
    names = set(header)
    return "会社名" in names and ("氏名" in names or {"姓", "名"} <= names)


def eight_card(line: int, row: list[str], index: dict[str, int]) -> Card:
    """Eight's columns, and Sansan's (姓カナ, TEL1, email1, 住所 in parts, タグ, メモ)."""
    postcode = _cell(row, index, "郵便番号")
    street = _cell(row, index, "住所") or "".join(
        _cell(row, index, name) for name in ("都道府県", "市区町村", "町域・番地")
    )
    building = _cell(row, index, "ビル名")
    address = " ".join(p for p in (f"〒{postcode}" if postcode and street else "", street, building) if p)
    phones = [("phone", _cell(row, index, name)) for name in ("TEL会社", "TEL部門", "TEL直通", "TEL1", "TEL2")]
    phones += [("mobile", _cell(row, index, "携帯電話", "携帯番号")), ("fax", _cell(row, index, "Fax", "FAX"))]
    return Card(
        line=line,
        company=_cell(row, index, "会社名"),
        department=_cell(row, index, "部署名", "部署"),
        title=_cell(row, index, "役職"),
        full_name=_cell(row, index, "氏名"),
        family_name=_cell(row, index, "姓"),
        given_name=_cell(row, index, "名"),
        family_reading=_cell(row, index, "姓カナ"),
        given_reading=_cell(row, index, "名カナ"),
        emails=[e for e in [_cell(row, index, "e-mail", "email1", "E-mail")] if e],
        phones=[p for p in phones if p[1]],
        address=address,
        website=_cell(row, index, "URL", "URL1"),
        first_met_on=_cell(row, index, "名刺交換日"),
        tags=[t for t in re.split(r"[,、;]", _cell(row, index, "タグ")) if t.strip()],
        notes=_cell(row, index, "メモ"),
    )


# --- This app's own CSV, and the column mapping for any other CSV ----------------

# The keys a column can be mapped to, with the header this app's export writes.
TARGETS = [
    ("family_name", gettext_lazy("Family name")),
    ("given_name", gettext_lazy("Given name")),
    ("full_name", gettext_lazy("Full name")),
    ("reading", gettext_lazy("Reading of the full name")),
    ("family_reading", gettext_lazy("Family name reading")),
    ("given_reading", gettext_lazy("Given name reading")),
    ("company", gettext_lazy("Company")),
    ("company_reading", gettext_lazy("Company reading")),
    ("department", gettext_lazy("Department")),
    ("title", gettext_lazy("Title")),
    ("email", gettext_lazy("E-mail")),
    ("phone", gettext_lazy("Phone")),
    ("mobile", gettext_lazy("Mobile")),
    ("fax", gettext_lazy("FAX")),
    ("address", gettext_lazy("Address")),
    ("website", gettext_lazy("Website")),
    ("linkedin", gettext_lazy("LinkedIn")),
    ("x_handle", gettext_lazy("X")),
    ("facebook", gettext_lazy("Facebook")),
    ("line_id", gettext_lazy("LINE ID")),
    ("birthday", gettext_lazy("Birthday")),
    ("first_met_on", gettext_lazy("First met")),
    ("what_they_do", gettext_lazy("What they do")),
    ("what_they_want", gettext_lazy("What they want")),
    ("tags", gettext_lazy("Tags")),
    ("notes", gettext_lazy("Notes")),
]
EXPORT_TARGETS = [key for key, _label in TARGETS if key not in ("full_name", "reading")]
# Header words that suggest a column's key in the mapping step.
GUESSES = {
    "family_name": ["姓", "苗字", "last name", "family name", "surname"],
    "given_name": ["名", "first name", "given name"],
    "full_name": ["氏名", "名前", "お名前", "name", "full name"],
    "reading": ["ふりがな", "フリガナ", "よみがな", "ヨミガナ", "読み", "よみ", "カナ", "かな"],
    "family_reading": ["せい", "姓カナ", "姓(カナ)", "セイ", "phonetic last name"],
    "given_reading": ["めい", "名カナ", "名(カナ)", "メイ", "phonetic first name"],
    "company": ["会社", "会社名", "勤務先", "勤め先", "所属", "company", "organization", "organisation"],
    "department": ["部署", "部署名", "department"],
    "title": ["役職", "肩書", "title", "position", "job title"],
    "email": ["メール", "メールアドレス", "e-mail", "email", "mail"],
    "phone": ["電話", "電話番号", "tel", "phone"],
    "mobile": ["携帯", "携帯電話", "mobile", "cell"],
    "fax": ["fax", "ファックス"],
    "address": ["住所", "address"],
    "website": ["url", "ホームページ", "website", "web"],
    "birthday": ["誕生日", "birthday"],
    "first_met_on": ["名刺交換日", "交換日", "first met"],
    "tags": ["タグ", "tags", "labels"],
    "notes": ["メモ", "備考", "notes", "note", "memo"],
}


def _own_headers() -> dict[str, dict[str, str]]:
    """This app's CSV headers in each language: {language: {header: key}}."""
    headers = {}
    for language in ("ja", "en"):
        with override(language):
            headers[language] = {str(label): key for key, label in TARGETS}
    return headers


def is_own(header: list[str]) -> bool:
    return any(
        set(header) >= {h for h, k in mapping.items() if k in EXPORT_TARGETS} for mapping in _own_headers().values()
    )


def own_mapping(header: list[str]) -> dict[str, int]:
    for mapping in _own_headers().values():
        if set(header) >= {h for h, k in mapping.items() if k in EXPORT_TARGETS}:
            return {mapping[h]: i for i, h in enumerate(header) if h in mapping}
    return {}


def guess_mapping(header: list[str]) -> dict[str, int]:
    """A first guess of which column holds what, from the header words."""
    own = own_mapping(header)
    if own:
        return own
    mapping: dict[str, int] = {}
    lowered = [h.strip().lower() for h in header]
    for key, words in GUESSES.items():
        for i, name in enumerate(lowered):
            if name in words and i not in mapping.values():
                mapping[key] = i
                break
    return mapping


def _unformula(value: str) -> str:
    """Undo the export's formula guard: '=SUM() was written for =SUM()."""
    if value[:1] == "'" and value[1:2] in ("=", "+", "-", "@", "\t", "\r"):
        return value[1:]
    return value


def mapped_card(line: int, row: list[str], mapping: dict[str, int]) -> Card:
    card = Card(line=line)

    def get(key):
        i = mapping.get(key)
        return _unformula(row[i]) if i is not None and i < len(row) else ""

    for key in ("family_name", "given_name", "full_name", "reading", "family_reading", "given_reading", "company",
                "company_reading", "department", "title", "address", "website", "linkedin", "x_handle",
                "facebook", "line_id", "birthday", "first_met_on", "what_they_do", "what_they_want", "notes"):  # fmt: skip
        setattr(card, key, get(key))
    card.emails = [e for e in re.split(r"[\n;,]| ::: ", get("email")) if e.strip()]
    for kind in ("phone", "mobile", "fax"):
        card.phones += [(kind, p) for p in re.split(r"[\n;,]| ::: ", get(kind)) if p.strip()]
    card.tags = [t for t in re.split(r"[\n,、]| ::: ", get("tags")) if t.strip()]
    return card


# --- Detection -----------------------------------------------------------------

LAYOUTS = [
    # (format key, header test, row reader)
    ("linkedin", is_linkedin, linkedin_card),
    ("google", is_google, google_card),
    ("eight", is_eight, eight_card),
]


def detect_layout(header: list[str]):
    for key, test, reader in LAYOUTS:
        if test(header):
            return key, reader
    return None, None


def _known_header(cells: list[str]) -> bool:
    return bool(cells) and (detect_layout(cells)[0] is not None or is_own(cells))


def read_csv(text: str, *, max_rows: int) -> tuple[str, Table]:
    """Return (format key, table); the key is "generic" when the columns must be mapped."""
    table = read_table(text, max_rows=max_rows, find_header=_known_header)
    if is_own(table.header):
        return "jinmyaku", table
    key, _reader = detect_layout(table.header)
    return key or "generic", table


def cards_from_table(key: str, table: Table, mapping: dict[str, int] | None = None) -> Iterator[Card]:
    index = {name: i for i, name in reversed(list(enumerate(table.header)))}
    if key in ("jinmyaku", "generic"):
        mapping = mapping if mapping is not None else own_mapping(table.header)
        for line, row in table.rows:
            yield mapped_card(line, row, mapping)
        return
    reader = {k: r for k, _t, r in LAYOUTS}[key]
    for line, row in table.rows:
        yield reader(line, row, index)
