"""Turn the lines read from a card into contact fields, each with a confidence.

Works on Japanese, English and bilingual cards. Lines with an unmistakable
shape are taken first (e-mail, web address, phones by their label, 〒 and the
address); then company, department and title by the words they carry
(株式会社, 部, 部長, Inc., Director...); the name is the largest remaining
text, judged by the height of its letters, and a line of kana (furigana) or
of romaji next to it is its printed reading.
"""

import re
import unicodedata
from dataclasses import dataclass

from .ocr import Line

# Below this a field is shown highlighted for checking.
CHECK_BELOW = 0.8

COMPANY_MARKS = re.compile(
    r"株式会社|\(株\)|㈱|有限会社|\(有\)|㈲|合同会社|合資会社|合名会社|一般社団法人|一般財団法人|公益社団法人|"
    r"公益財団法人|社団法人|財団法人|特定非営利活動法人|NPO法人|学校法人|医療法人|社会福祉法人|税理士法人|弁護士法人|"
    r"監査法人|司法書士法人|行政書士法人|独立行政法人|国立大学法人|大学|研究所|事務所|"
    r"\b(?:Inc|Corp|Corporation|Co|Ltd|LLC|LLP|GmbH|AG|S\.?A|K\.?K|Limited|Company|Group|Holdings)\b\.?",
    re.IGNORECASE,
)
TITLE_WORDS = re.compile(
    r"代表取締役|取締役|執行役員|代表理事|理事長|理事|会長|社長|副社長|専務|常務|監査役|本部長|事業部長|部長|次長|課長|係長|"
    r"室長|所長|支店長|店長|主任|主査|主幹|リーダー|マネージャー|マネジャー|ディレクター|エンジニア|デザイナー|コンサルタント|"
    r"プロデューサー|スペシャリスト|アナリスト|代表|顧問|弁護士|税理士|会計士|公認会計士|司法書士|行政書士|社労士|医師|教授|准教授|"
    r"講師|研究員|担当|"
    r"\b(?:CEO|CTO|CFO|COO|CMO|CIO|President|Vice President|VP|Director|Manager|Head|Chief|Officer|Founder|Co-founder|"
    r"Partner|Engineer|Designer|Consultant|Lead|Senior|Associate|Specialist|Analyst|Representative|Chairman|Attorney|"
    r"Professor|Researcher|Producer|Supervisor)\b",
    re.IGNORECASE,
)
DEPARTMENT_WORDS = re.compile(
    r"[^\s]*(?:本部|事業部|部|課|室|グループ|チーム|センター|局|支店|営業所|研究所|ユニット|Division|Department|Dept\.?|Group|Team|Unit|Office)",
    re.IGNORECASE,
)
PREFECTURES = (
    "北海道|青森県|岩手県|宮城県|秋田県|山形県|福島県|茨城県|栃木県|群馬県|埼玉県|千葉県|東京都|神奈川県|新潟県|富山県|石川県|"
    "福井県|山梨県|長野県|岐阜県|静岡県|愛知県|三重県|滋賀県|京都府|大阪府|兵庫県|奈良県|和歌山県|鳥取県|島根県|岡山県|広島県|"
    "山口県|徳島県|香川県|愛媛県|高知県|福岡県|佐賀県|長崎県|熊本県|大分県|宮崎県|鹿児島県|沖縄県"
)
ADDRESS = re.compile(
    rf"(?:{PREFECTURES})|[市区町村郡].{{0,12}}\d|丁目|番地|\d+-\d+-\d+|"
    r"\b(?:Tokyo|Osaka|Kyoto|Nagoya|Yokohama|Fukuoka|Sapporo|Kobe|Japan|Street|St\.|Avenue|Ave\.|Road|Suite|Floor|Bldg|Building|"
    r"[A-Z][a-z]+-(?:ku|shi|cho|machi))\b"
)
POSTCODE = re.compile(r"(?:〒|T|干|=|Ŧ)?\s*(\d{3})\s*[-ー−‐]\s*(\d{4})(?!\d)")
EMAIL = re.compile(r"[A-Za-z0-9][A-Za-z0-9._%+\-]*\s?@\s?[A-Za-z0-9\-]+(?:\s?\.\s?[A-Za-z0-9\-]+)+")
URL = re.compile(
    r"(?:https?://|www\.)[^\s,、]+|\b[a-z0-9\-]+(?:\.[a-z0-9\-]+)*\.(?:com|jp|net|org|io|co|biz|info)\b/?[^\s]*", re.I
)
PHONE = re.compile(r"(?:\+\s?81[\s\-()]*|\(?0)\d{1,4}\)?[\s\-ー−‐.()]*\d{1,4}[\s\-ー−‐.()]*\d{3,4}")
PHONE_LABELS = [
    ("fax", re.compile(r"FAX|Fax|ファックス|ファクス|\bF\b\.?", re.I)),
    ("mobile", re.compile(r"携帯|モバイル|Mobile|Mob\.?|Cell|\bM\b\.?", re.I)),
    ("direct", re.compile(r"直通|Direct|\bD\b\.?", re.I)),
    ("main", re.compile(r"代表|Main", re.I)),
    ("phone", re.compile(r"TEL|Tel|Phone|電話|\bT\b\.?|☎", re.I)),
]
KANA = re.compile(r"^[\u3041-\u309f\u30a0-\u30ff\u31f0-\u31ff\s・ー]+$")
ROMAJI = re.compile(r"^[A-Z][a-zA-Z]+(?:\s+[A-Z][a-zA-Z]+){1,2}$")
JAPANESE_NAME = re.compile(
    r"^[\u3400-\u9fff\u3005\u3041-\u30ff々ヶ]{1,5}\s?[\u3400-\u9fff\u3005\u3041-\u30ff々ヶ]{1,6}$"
)
LATIN_NAME = re.compile(
    r"^(?:[A-Z][a-zA-Z'\-]+\.?\s+){1,3}[A-Z][a-zA-Z'\-]+$|^[A-Z][A-Z'\-]+(?:\s+[A-Z][a-zA-Z'\-]+){1,2}$"
)
CJK = re.compile(r"[\u3400-\u9fff]")


@dataclass
class Value:
    value: str
    confidence: float

    @property
    def check(self) -> bool:
        return self.confidence < CHECK_BELOW


FIELDS = (
    "name",
    "reading",
    "company",
    "department",
    "title",
    "email",
    "phone",
    "mobile",
    "fax",
    "postcode",
    "address",
    "website",
)


# (株) and (有) as OCR often gives them back: (株】}, 【株), |株).
ABBREVIATION = re.compile(r"[(\[【〔「『|]\s*([株有])\s*[)\]】〕」』}|]+\s*")


def _clean(text: str) -> str:
    text = ABBREVIATION.sub(r"(\1)", unicodedata.normalize("NFKC", text))
    return re.sub(r"\s+", " ", text).strip(" :|・,、<>")


def _tight(text: str) -> str:
    """No space between two Japanese characters (kept only in a name, between family and given)."""
    return re.sub(r"(?<=[\u3040-\u30ff\u3400-\u9fff々])\s+(?=[\u3040-\u30ff\u3400-\u9fff々])", "", text)


def _digits(text: str) -> str:
    return re.sub(r"\D", "", text)


def _format_phone(raw: str) -> str:
    """The number as printed, with its separators tidied (digits checked by the capture rules)."""
    text = re.sub(r"[ー−‐.]", "-", raw.strip())
    text = re.sub(r"\s*-\s*", "-", text)
    return re.sub(r"\s+", " ", text).strip(" -")


def _phones(line: str) -> list[tuple[str, str]]:
    """The numbers on a line, each with its label kind ('phone' when unlabelled)."""
    found = []
    for match in PHONE.finditer(line):
        number = match.group(0)
        digits = _digits(number)
        if not 9 <= len(digits) <= 13:
            continue
        before = line[max(0, match.start() - 14) : match.start()]
        before = before.split("  ")[-1]
        kind = "phone"
        for label, pattern in PHONE_LABELS:
            if pattern.search(before):
                kind = label
                # The nearest label wins: "TEL 03-… FAX 03-…" gives each its own.
                break
        if digits.startswith(("070", "080", "090")) and kind == "phone":
            kind = "mobile"
        found.append((kind, _format_phone(number)))
    return found


def extract(lines: list[Line]) -> dict[str, Value]:
    """The fields of a card from its lines; only fields found are in the result."""
    fields: dict[str, Value] = {}
    rest: list[Line] = []
    tight: dict[int, str] = {}

    def put(name: str, value: str, confidence: float) -> None:
        value = _clean(value)
        if name not in ("name", "reading"):
            value = _tight(value)
        if value and (name not in fields or fields[name].confidence < confidence):
            fields[name] = Value(value, round(confidence, 2))

    for line in lines:
        text = _clean(line.text)
        used = False
        if "@" in text:
            # OCR leaves spaces around the dots of an address (ai. nakamura@…).
            text = re.sub(r"(?<=[A-Za-z0-9])\s*([.\-_])\s*(?=[A-Za-z0-9])", r"\1", text)
        email = EMAIL.search(text)
        if email:
            address = re.sub(r"\s", "", email.group(0)).strip(".")
            # The dot before co.jp read as an l or 1 (…-reallco.jp): Japanese domains end so.
            if not re.search(r"\.(?:co|ne|or|ac|go)\.jp$", address):
                address = re.sub(r"(?<=[a-z0-9])[l1IL](co|ne|or|ac|go)\.jp$", r".\1.jp", address)
            put("email", address.lower() if address.isascii() else address, line.confidence)
            text = (text[: email.start()] + text[email.end() :]).strip()
            text = re.sub(r"(?i)e-?mail\s*:?|mail\s*:?|メール\s*:?", "", text).strip()
            used = True
        for kind, number in _phones(text):
            slot = {"direct": "phone", "main": "phone"}.get(kind, kind)
            if slot not in fields:
                put(slot, number, line.confidence)
            elif slot == "phone" and "mobile" not in fields and number.startswith(("070", "080", "090")):
                put("mobile", number, line.confidence)
            used = True
        postcode = POSTCODE.search(text)
        if postcode and not used and (text.lstrip().startswith(("〒", "T", "干")) or ADDRESS.search(text)):
            put("postcode", f"{postcode.group(1)}-{postcode.group(2)}", line.confidence)
            after = _clean(text[postcode.end() :])
            if after:
                put("address", after, line.confidence)
            continue
        if used:
            continue
        url = URL.search(text)
        if url and "@" not in text and not CJK.search(url.group(0)):
            site = url.group(0).rstrip(".,")
            if not site.lower().startswith("http"):
                site = "https://" + site
            put("website", site, line.confidence)
            continue
        # "Manager, Tokyo Branch": a title naming a city is no address (an address has numbers).
        titled = TITLE_WORDS.search(text) and not re.search(r"\d", text)
        if ADDRESS.search(_tight(text)) and not COMPANY_MARKS.search(text) and len(text) > 6 and not titled:
            if "address" in fields and fields["address"].value not in text:
                fields["address"] = Value(fields["address"].value + " " + text, fields["address"].confidence)
            else:
                put("address", text, line.confidence)
            continue
        rest.append(Line(text, line.confidence, line.size, line.box, line.vertical))
        # Classified without the gaps Tesseract leaves in Japanese (有限 会社); the name keeps its own.
        tight[id(rest[-1])] = _tight(text)

    names: list[Line] = []
    sizes = sorted(line.size for line in lines) or [0]
    for line in rest:
        text = tight[id(line)]
        if (
            (COMPANY_MARKS.search(text) or LONE_KABU.search(text))
            and "company" not in fields
            and not TITLE_WORDS.fullmatch(text)
        ):
            put("company", _company(text), line.confidence)
            continue
        if "," in text and TITLE_WORDS.search(text) and not CJK.search(text):
            # "Director, Sales Department"
            for part in text.split(","):
                part = part.strip()
                if TITLE_WORDS.search(part) and "title" not in fields:
                    put("title", part, line.confidence)
                elif part:
                    put("department", part, line.confidence)
            continue
        title = TITLE_WORDS.search(text)
        department = DEPARTMENT_WORDS.search(text)
        # "代表取締役 山田 太郎" in large letters: the title, then the name.
        named = _title_then_name(line, sizes) if title else None
        if named:
            put("title", named[0], line.confidence)
            names.append(Line(named[1], line.confidence, line.size, line.box, line.vertical))
            continue
        if title and not _looks_like_name(text):
            # "営業部 シニアエンジニア" or "技術部課長": department and title, split where the card
            # leaves a space, else after a department word (部, 課, 室...); "営業部長" is a title.
            parts = line.text.split()
            split = next((i for i, part in enumerate(parts) if TITLE_WORDS.search(_tight(part))), 0)
            head, tail = _tight(" ".join(parts[:split])), " ".join(parts[split:])
            if not (split and DEPARTMENT_WORDS.search(head)):
                head, tail = text[: title.start()], text[title.start() :]
            if head and ORG_END.search(head.strip()) or (head and DEPARTMENT_WORDS.search(head) and " " in line.text):
                # What is left may still start with a department (開発本部 第一開発部取締役).
                rest = _tight(tail)
                inner = TITLE_WORDS.search(rest)
                if inner and inner.start() and ORG_END.search(rest[: inner.start()]):
                    head, tail = f"{head} {rest[: inner.start()]}", rest[inner.start() :]
                if "department" not in fields:
                    put("department", head, line.confidence)
                put("title", tail, line.confidence)
            elif "title" not in fields:
                put("title", text, line.confidence)
            elif "department" not in fields:
                put("department", text, line.confidence)
            continue
        if department and not _looks_like_name(text) and "department" not in fields and len(text) <= 40:
            put("department", text, line.confidence)
            continue
        names.append(line)
    _name_and_reading(names, fields)
    _domain_from_website(fields)
    return fields


def _domain_from_website(fields: dict[str, Value]) -> None:
    """The e-mail's domain as the web address spells it when the two differ by one misread letter
    where the dot of .co.jp belongs (hikari-realLco.jp beside www.hikari-real.co.jp)."""
    if "email" not in fields or "website" not in fields:
        return
    user, _at, domain = fields["email"].value.rpartition("@")
    host = re.sub(r"^(?:https?://)?(?:www\.)?", "", fields["website"].value.lower()).split("/")[0]
    # Only where the web address has the usual .co.jp (or .ne.jp…) and the e-mail lost its dot:
    # the other way round the web address may be the one misread.
    regular = re.compile(r"\.(?:co|ne|or|ac|go)\.jp$")
    if not (regular.search(host) and not regular.search(domain)):
        return
    if user and domain != host and _one_edit(domain.replace(".", ""), host.replace(".", "")):
        fields["email"] = Value(f"{user}@{host}", fields["email"].confidence)


def _one_edit(a: str, b: str) -> bool:
    """Whether a and b differ by at most one letter changed, added or left out."""
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        return sum(x != y for x, y in zip(a, b, strict=True)) <= 1
    short, long = sorted((a, b), key=len)
    return any(long[:i] + long[i + 1 :] == short for i in range(len(long)))


ORG_END = re.compile(r"(?:本部|事業部|部|課|室|グループ|チーム|センター|局|支店|営業所)$")


def _title_then_name(line: Line, sizes: list[float]) -> tuple[str, str] | None:
    """(title, name) for a large line that starts with a title and ends with a name."""
    if line.size < 1.3 * sizes[len(sizes) // 2]:
        return None
    parts = line.text.split()
    for cut in (1, 2):
        head, tail = " ".join(parts[:cut]), " ".join(parts[cut:])
        if tail and TITLE_WORDS.fullmatch(_tight(head)) and _looks_like_name(tail):
            return _tight(head), tail
    return None


def _looks_like_name(text: str) -> bool:
    if TITLE_WORDS.search(text) or ORG_END.search(text) or COMPANY_MARKS.search(text):
        return False
    return bool(JAPANESE_NAME.match(text) or LATIN_NAME.match(text))


# ㈱ read as a plain 株 (the vertical model does so) at either end of a line: 富士ネットワークス株.
LONE_KABU = re.compile(
    r"^株(?![式主価])(?=[\u3040-\u30ff\u3400-\u9fff]{2})|(?<=[\u3040-\u30ff\u3400-\u9fff]{2})(?<!新)株$"
)


def _company(text: str) -> str:
    """The Japanese company name when the line also carries its English one (株式会社… Foo Co., Ltd.)."""
    text = LONE_KABU.sub("(株)", text)
    # A logo beside (株) is read as a letter or two: "oO(株)東西…"; no space around the mark.
    text = re.sub(r"^[^\u3040-\u9fff(]{1,3}(?=\([株有]\))", "", text)
    text = re.sub(r"\s*(\([株有]\))\s*", r"\1", text)
    match = re.match(r"^(.*[\u3040-\u9fff][^A-Za-z]*?)\s*([A-Za-z][A-Za-z .,&'\-]+)$", text)
    if (
        match
        and COMPANY_MARKS.search(match.group(1))
        and (" " in match.group(2) or COMPANY_MARKS.search(match.group(2)))
    ):
        return match.group(1).strip()
    return text


def _latin_in_cjk(text: str) -> bool:
    return bool(CJK.search(text)) and bool(re.search(r"[A-Za-z0-9]", text))


def _name_spacing(name: str) -> str:
    """One space between family and given name in Japanese (山田 太郎), as the capture row splits it;
    a name read letter by letter (山 田 太 郎) is given none rather than a wrong one."""
    name = re.sub(r"\s+", " ", name).strip()
    if not CJK.search(name):
        return name
    parts = name.split(" ")
    return name if len(parts) == 2 else "".join(parts)


def _name_and_reading(lines: list[Line], fields: dict[str, Value]) -> None:
    """The name is the largest text left; a kana or romaji line next to it is its reading."""
    candidates = [line for line in lines if len(re.sub(r"\W", "", line.text)) >= 2]
    if not candidates:
        return
    kana = [line for line in candidates if KANA.match(line.text)]

    def score(line: Line) -> float:
        shaped = 1.3 if _looks_like_name(line.text) else 1.0
        penalty = 0.6 if line in kana else 1.0
        # Stray Latin letters or digits in Japanese text, or marks: a misread logo or line, not a name.
        if _latin_in_cjk(line.text) or re.search(r"[0-9@/|\[\]{}<>=_]", line.text):
            penalty *= 0.6
        return line.size * shaped * penalty * (0.5 + line.confidence / 2)

    best = max(candidates, key=score)
    name = _name_spacing(best.text)
    confidence = best.confidence if _looks_like_name(name) else best.confidence * 0.7
    fields["name"] = Value(name, round(confidence, 2))

    # The reading: a kana line, or a romaji line for a name in kanji, closest to the name.
    def distance(line: Line) -> float:
        return (
            abs((line.box[1] + line.box[3]) / 2 - (best.box[1] + best.box[3]) / 2) + abs(line.box[0] - best.box[0]) / 4
        )

    readings = [line for line in kana if line is not best]
    if CJK.search(name):
        readings += [line for line in candidates if line is not best and ROMAJI.match(line.text)]
    if readings:
        reading = min(readings, key=distance)
        if distance(reading) < max(best.box[3] - best.box[1], 40) * 4:
            fields["reading"] = Value(_clean(reading.text), round(reading.confidence, 2))
