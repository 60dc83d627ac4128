"""The CSV layouts people bring: Google Contacts (current and legacy), LinkedIn,
Eight, Sansan, this app's own export, and any other CSV through a column mapping."""

import csv
import io
import re
import unicodedata
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
        elif kind == "Address" and not (card.address or card.locality or card.postal_code):
            street = " ".join(p for p in (parts.get("Street"), parts.get("Extended Address"), parts.get("PO Box")) if p)
            if street or parts.get("City") or parts.get("Postal Code"):
                card.address, card.locality = street, parts.get("City", "")
                card.region, card.postal_code = parts.get("Region", ""), parts.get("Postal Code", "")
                card.country = parts.get("Country", "")
            else:
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


# --- Outlook (English and Japanese column names) ----------------------------------


def _key(name: str) -> str:
    """A header as compared: NFKC, lower case, no spaces (「勤務先 FAX」 and 「勤務先FAX」 are one)."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", name).lower())


_OUTLOOK_MARKERS = {_key(n) for n in ("E-mail Address", "Business Phone", "Middle Name", "Job Title",
                                      "電子メール アドレス", "勤務先電話番号", "ミドル ネーム", "勤務先住所 市区町村")}  # fmt: skip
_OUTLOOK = {
    "given_name": ["First Name", "名"],
    "middle": ["Middle Name", "ミドル ネーム"],
    "family_name": ["Last Name", "姓"],
    "given_reading": ["Given Yomi", "First Name Yomi", "名 (フリガナ)", "フリガナ (名)", "名 (ふりがな)", "名 (ヨミ)"],
    "family_reading": [
        "Surname Yomi",
        "Last Name Yomi",
        "姓 (フリガナ)",
        "フリガナ (姓)",
        "姓 (ふりがな)",
        "姓 (ヨミ)",
    ],
    "company": ["Company", "会社名"],
    "company_reading": ["Company Yomi", "会社名 (フリガナ)", "フリガナ (会社名)", "会社名 (ヨミ)"],
    "department": ["Department", "部署"],
    "title": ["Job Title", "役職"],
    "birthday": ["Birthday", "誕生日"],
    "notes": ["Notes", "メモ"],
    "website": ["Web Page", "Web ページ"],
    "tags": ["Categories", "分類"],
}
_OUTLOOK_EMAILS = ["E-mail Address", "E-mail 2 Address", "E-mail 3 Address",
                   "電子メール アドレス", "電子メール 2 アドレス", "電子メール 3 アドレス"]  # fmt: skip
_OUTLOOK_PHONES = [
    ("mobile", ["Mobile Phone", "携帯電話"]),
    ("phone", ["Business Phone", "Business Phone 2", "Company Main Phone", "Primary Phone", "Home Phone",
               "Home Phone 2", "Other Phone", "Car Phone", "Assistant's Phone", "Callback",
               "勤務先電話番号", "勤務先電話番号 2", "会社代表電話", "通常の電話番号", "自宅電話番号", "自宅電話番号 2",
               "その他の電話", "自動車電話", "アシスタントの電話番号", "コールバック"]),
    ("fax", ["Business Fax", "Home Fax", "Other Fax", "勤務先 FAX", "自宅 FAX", "その他の FAX"]),
]  # fmt: skip
_OUTLOOK_ADDRESS = [
    # (street parts, city, region, postal code, country): business first, then home, then other
    (["Business Street", "Business Street 2", "Business Street 3"], "Business City", "Business State",
     "Business Postal Code", ["Business Country/Region", "Business Country"]),
    (["Home Street", "Home Street 2", "Home Street 3"], "Home City", "Home State", "Home Postal Code",
     ["Home Country/Region", "Home Country"]),
    (["Other Street", "Other Street 2", "Other Street 3"], "Other City", "Other State", "Other Postal Code",
     ["Other Country/Region", "Other Country"]),
    (["勤務先住所 番地", "勤務先住所 番地 2", "勤務先住所 番地 3"], "勤務先住所 市区町村", "勤務先住所 都道府県",
     "勤務先住所 郵便番号", ["勤務先住所 国/地域", "勤務先住所 国"]),
    (["自宅住所 番地", "自宅住所 番地 2", "自宅住所 番地 3"], "自宅住所 市区町村", "自宅住所 都道府県",
     "自宅住所 郵便番号", ["自宅住所 国/地域", "自宅住所 国"]),
]  # fmt: skip
# Outlook writes 0/0/00 (or 1/1/1601) for a date it does not have.
_OUTLOOK_NO_DATE = re.compile(r"^(0{1,2}/0{1,2}/0{2,4}|1/1/1601)$")


def is_outlook(header: list[str]) -> bool:
    names = {_key(h) for h in header}
    has_name = ({"firstname", "lastname"} <= names) or ({"名", "姓"} <= names)
    return has_name and bool(names & _OUTLOOK_MARKERS)


def outlook_card(line: int, row: list[str], index: dict[str, int]) -> Card:
    keyed = {_key(name): i for name, i in index.items()}

    def get(*names: str) -> str:
        for name in names:
            i = keyed.get(_key(name))
            if i is not None and i < len(row) and row[i].strip():
                return row[i].strip()
        return ""

    card = Card(line=line)
    card.family_name = get(*_OUTLOOK["family_name"])
    card.given_name = " ".join(p for p in (get(*_OUTLOOK["given_name"]), get(*_OUTLOOK["middle"])) if p)
    for key in ("given_reading", "family_reading", "company", "company_reading", "department", "title", "notes",
                "website"):  # fmt: skip
        setattr(card, key, get(*_OUTLOOK[key]))
    birthday = get(*_OUTLOOK["birthday"])
    card.birthday = "" if _OUTLOOK_NO_DATE.match(birthday) else birthday
    card.tags = [t.strip() for t in re.split(r"[;,]", get(*_OUTLOOK["tags"])) if t.strip()]
    card.emails = [e for e in (get(name) for name in _OUTLOOK_EMAILS) if e]
    for kind, names in _OUTLOOK_PHONES:
        card.phones += [(kind, number) for number in (get(name) for name in names) if number]
    for streets, city, region, code, countries in _OUTLOOK_ADDRESS:
        street = " ".join(p for p in (get(name) for name in streets) if p)
        if street or get(city) or get(code):
            card.address, card.locality, card.region = street, get(city), get(region)
            card.postal_code, card.country = get(code), get(*countries)
            break
    return card


# --- Eight and Sansan ------------------------------------------------------------


def is_eight(header: list[str]) -> bool:
    names = set(header)
    return "会社名" in names and ("氏名" in names or {"姓", "名"} <= names)


def eight_card(line: int, row: list[str], index: dict[str, int]) -> Card:
    """Eight's columns, and Sansan's (姓カナ, TEL1, email1, 住所 in parts, タグ, メモ)."""
    street = _cell(row, index, "住所") or _cell(row, index, "町域・番地")
    building = _cell(row, index, "ビル名")
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
        address=" ".join(p for p in (street, building) if p),
        postal_code=_cell(row, index, "郵便番号").lstrip("〒"),
        region=_cell(row, index, "都道府県"),
        locality=_cell(row, index, "市区町村"),
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
    ("postal_code", gettext_lazy("Postal code")),
    ("region", gettext_lazy("Prefecture / state")),
    ("locality", gettext_lazy("City")),
    ("country", gettext_lazy("Country")),
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
# Columns added after the first exports: a file without them is still this app's own.
_LATER_TARGETS = {"postal_code", "region", "locality", "country"}
_REQUIRED_TARGETS = [key for key in EXPORT_TARGETS if key not in _LATER_TARGETS]
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
    "address": ["住所", "address", "street", "番地"],
    "postal_code": ["郵便番号", "〒", "postal code", "zip", "zip code", "postcode"],
    "region": ["都道府県", "state", "region", "prefecture"],
    "locality": ["市区町村", "city", "locality"],
    "country": ["国", "country", "country/region"],
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
        set(header) >= {h for h, k in mapping.items() if k in _REQUIRED_TARGETS} for mapping in _own_headers().values()
    )


def own_mapping(header: list[str]) -> dict[str, int]:
    for mapping in _own_headers().values():
        if set(header) >= {h for h, k in mapping.items() if k in _REQUIRED_TARGETS}:
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
                "company_reading", "department", "title", "address", "postal_code", "region", "locality", "country", "website", "linkedin", "x_handle",
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
    # Before Eight: a Japanese Outlook file has 会社名, 姓 and 名 too.
    ("outlook", is_outlook, outlook_card),
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
