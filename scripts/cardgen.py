"""Made-up business cards with known fields, for `make bench-ocr` and the card test images.

Each card is HTML in one of eleven layouts (horizontal and vertical Japanese,
English left-aligned and centred, bilingual, coloured ground with a logo, small
print, two phones, long company names, the name on the left with the company
opposite, and abbreviated company forms such as ㈱), rendered by headless
Chromium with Noto CJK fonts; the name's size, letter spacing, face and the
space between family and given name vary from card to card, so that a reader
tuned on one seed is not tuned to one drawing. `photo()` turns a render into
something like a phone photo of it on a table.
"""

import io
import random
from dataclasses import asdict, dataclass, field
from html import escape

from PIL import Image, ImageDraw, ImageFilter

FAMILY = [
    ("山田", "やまだ", "Yamada"), ("佐藤", "さとう", "Sato"), ("鈴木", "すずき", "Suzuki"), ("高橋", "たかはし", "Takahashi"),
    ("田中", "たなか", "Tanaka"), ("伊藤", "いとう", "Ito"), ("渡辺", "わたなべ", "Watanabe"), ("中村", "なかむら", "Nakamura"),
    ("小林", "こばやし", "Kobayashi"), ("加藤", "かとう", "Kato"), ("吉田", "よしだ", "Yoshida"), ("松本", "まつもと", "Matsumoto"),
    ("井上", "いのうえ", "Inoue"), ("木村", "きむら", "Kimura"), ("清水", "しみず", "Shimizu"), ("森", "もり", "Mori"),
    ("池田", "いけだ", "Ikeda"), ("橋本", "はしもと", "Hashimoto"), ("石川", "いしかわ", "Ishikawa"), ("前田", "まえだ", "Maeda"),
    ("藤田", "ふじた", "Fujita"), ("岡田", "おかだ", "Okada"), ("長谷川", "はせがわ", "Hasegawa"), ("村上", "むらかみ", "Murakami"),
    ("斎藤", "さいとう", "Saito"), ("山本", "やまもと", "Yamamoto"), ("中島", "なかじま", "Nakajima"), ("阿部", "あべ", "Abe"),
    ("西村", "にしむら", "Nishimura"), ("遠藤", "えんどう", "Endo"), ("青木", "あおき", "Aoki"), ("坂本", "さかもと", "Sakamoto"),
    ("福田", "ふくだ", "Fukuda"), ("三浦", "みうら", "Miura"), ("藤原", "ふじわら", "Fujiwara"), ("岡本", "おかもと", "Okamoto"),
    ("松田", "まつだ", "Matsuda"), ("中川", "なかがわ", "Nakagawa"), ("原", "はら", "Hara"), ("小野", "おの", "Ono"),
    ("竹内", "たけうち", "Takeuchi"), ("金子", "かねこ", "Kaneko"), ("和田", "わだ", "Wada"), ("佐々木", "ささき", "Sasaki"),
]  # fmt: skip
GIVEN = [
    ("太郎", "たろう", "Taro"), ("花子", "はなこ", "Hanako"), ("健一", "けんいち", "Kenichi"), ("美咲", "みさき", "Misaki"),
    ("大輔", "だいすけ", "Daisuke"), ("由美", "ゆみ", "Yumi"), ("翔太", "しょうた", "Shota"), ("直樹", "なおき", "Naoki"),
    ("恵子", "けいこ", "Keiko"), ("拓也", "たくや", "Takuya"), ("裕子", "ゆうこ", "Yuko"), ("誠", "まこと", "Makoto"),
    ("陽子", "ようこ", "Yoko"), ("浩二", "こうじ", "Koji"), ("愛", "あい", "Ai"), ("隆", "たかし", "Takashi"),
    ("智子", "ともこ", "Tomoko"), ("修", "おさむ", "Osamu"), ("彩", "あや", "Aya"), ("亮", "りょう", "Ryo"),
    ("雅人", "まさと", "Masato"), ("真由美", "まゆみ", "Mayumi"), ("和也", "かずや", "Kazuya"), ("大樹", "だいき", "Daiki"),
    ("千尋", "ちひろ", "Chihiro"), ("聡", "さとし", "Satoshi"), ("香織", "かおり", "Kaori"), ("一郎", "いちろう", "Ichiro"),
    ("早紀", "さき", "Saki"), ("康介", "こうすけ", "Kosuke"), ("麻衣", "まい", "Mai"), ("さくら", "さくら", "Sakura"),
]  # fmt: skip
COMPANY_WORDS = [
    ("青空", "Aozora"), ("みらい", "Mirai"), ("日本橋", "Nihonbashi"), ("さくら", "Sakura"), ("東西", "Tozai"),
    ("光洋", "Koyo"), ("大和", "Yamato"), ("富士", "Fuji"), ("北斗", "Hokuto"), ("若葉", "Wakaba"), ("朝日", "Asahi"),
    ("松風", "Matsukaze"), ("新星", "Shinsei"), ("ひかり", "Hikari"), ("東海", "Tokai"), ("瑞穂", "Mizuho"),
    ("アルファ", "Alpha"), ("葵", "Aoi"), ("中央", "Chuo"), ("ノース", "North"),
]  # fmt: skip
COMPANY_KINDS = [
    ("テクノロジー", "Technology"), ("商事", "Trading"), ("デザイン", "Design"), ("コンサルティング", "Consulting"),
    ("ソリューションズ", "Solutions"), ("物産", "Products"), ("建設", "Construction"), ("システム", "Systems"),
    ("工業", "Industries"), ("不動産", "Real Estate"), ("ネットワークス", "Networks"), ("製作所", "Works"),
]  # fmt: skip
LONG_KINDS = [
    ("ヘルスケアイノベーション", "Healthcare Innovation"), ("グローバルマーケティング", "Global Marketing"),
    ("エンジニアリングサービス", "Engineering Services"), ("インターナショナル物流", "International Logistics"),
]  # fmt: skip
FORMS_JA = ["株式会社{}", "{}株式会社", "合同会社{}", "有限会社{}", "一般社団法人{}", "株式会社{}", "{}株式会社"]
# Shortened forms, printed on cards with little room (㈱ reads as (株) once normalised).
FORMS_SHORT = ["㈱{}", "{}㈱", "(株){}", "{}(株)"]
FORMS_EN = ["{} Co., Ltd.", "{} Inc.", "{} LLC", "{} K.K.", "{} GmbH", "{} Corporation"]
TITLES = [
    ("代表取締役", "CEO"), ("部長", "General Manager"), ("課長", "Manager"), ("マネージャー", "Manager"),
    ("主任", "Supervisor"), ("取締役", "Director"), ("シニアエンジニア", "Senior Engineer"), ("営業部長", "Sales Director"),
    ("代表取締役社長", "President"), ("執行役員", "Executive Officer"), ("係長", "Assistant Manager"),
    ("ディレクター", "Creative Director"), ("プロジェクトマネージャー", "Project Manager"), ("主任研究員", "Senior Researcher"),
]  # fmt: skip
DEPARTMENTS = [
    ("営業部", "Sales Department"), ("開発本部 第一開発部", "Development Division"), ("経営企画室", "Corporate Planning"),
    ("マーケティング部", "Marketing Department"), ("人事部", "Human Resources"), ("技術部", "Engineering"),
    ("総務部 総務課", "General Affairs"), ("カスタマーサクセス部", "Customer Success"), ("東京支店 営業課", "Tokyo Branch Sales"),
]  # fmt: skip
ADDRESSES = [
    ("100-0005", "東京都千代田区丸の内1-2-3 丸の内ビル8F", "1-2-3 Marunouchi, Chiyoda-ku, Tokyo"),
    ("530-0001", "大阪府大阪市北区梅田2-4-9", "2-4-9 Umeda, Kita-ku, Osaka"),
    ("150-0002", "東京都渋谷区渋谷3-21-3 渋谷ストリーム5階", "3-21-3 Shibuya, Shibuya-ku, Tokyo"),
    ("460-0008", "愛知県名古屋市中区栄4-1-1", "4-1-1 Sakae, Naka-ku, Nagoya"),
    ("812-0011", "福岡県福岡市博多区博多駅前2-1-1", "2-1-1 Hakataekimae, Hakata-ku, Fukuoka"),
    ("220-0012", "神奈川県横浜市西区みなとみらい2-2-1", "2-2-1 Minatomirai, Nishi-ku, Yokohama"),
]  # fmt: skip
LAYOUTS = [
    "jp_horizontal",
    "jp_vertical",
    "english",
    "bilingual",
    "logo_colour",
    "small_print",
    "two_phones",
    "long_company",
    "name_left",
    "english_centered",
    "short_company",
]
PAGE = """<!doctype html><html><head><meta charset="utf-8"><style>
html,body{margin:0;padding:0;background:#fff}
.card{box-sizing:border-box;width:910px;height:550px;position:relative;overflow:hidden;
  font-family:"Noto Sans CJK JP","Noto Sans",sans-serif;color:#222;background:%(bg)s;padding:44px 52px}
.card.portrait{width:550px;height:910px}
.serif{font-family:"Noto Serif CJK JP",serif}
</style></head><body><div class="card %(cls)s">%(body)s</div></body></html>"""


@dataclass
class Card:
    """The fields printed on a card, as the reader should find them."""

    layout: str
    name: str
    reading: str
    company: str
    title: str
    department: str
    email: str
    phone: str
    mobile: str = ""
    fax: str = ""
    postcode: str = ""
    address: str = ""
    website: str = ""
    extra: dict = field(default_factory=dict)

    def truth(self) -> dict:
        return asdict(self)


def _phone(rng: random.Random, mobile: bool = False) -> str:
    if mobile:
        return f"0{rng.choice('789')}0-{rng.randint(1000, 9999)}-{rng.randint(1000, 9999)}"
    area = rng.choice(["03", "06", "052", "092", "045"])
    middle = rng.randint(1000, 9999) if len(area) == 2 else rng.randint(100, 999)
    return f"{area}-{middle}-{rng.randint(1000, 9999)}"


def make_card(rng: random.Random, layout: str) -> Card:
    family, given = rng.choice(FAMILY), rng.choice(GIVEN)
    word = rng.choice(COMPANY_WORDS)
    kind = rng.choice(LONG_KINDS if layout == "long_company" else COMPANY_KINDS)
    domain = f"{word[1].lower()}-{kind[1].split()[0].lower()}.co.jp"
    title = rng.choice(TITLES)
    department = rng.choice(DEPARTMENTS)
    postcode, address, address_en = rng.choice(ADDRESSES)
    user = (
        f"{given[2].lower()}.{family[2].lower()}" if rng.random() < 0.6 else f"{family[2][0].lower()}{given[2].lower()}"
    )
    if layout in ("english", "english_centered"):
        name, reading = f"{given[2]} {family[2]}", ""
        company = rng.choice(FORMS_EN).format(f"{word[1]} {kind[1]}")
        title_text, department_text, address = title[1], department[1], address_en
    else:
        name, reading = f"{family[0]} {given[0]}", f"{family[1]} {given[1]}"
        short = layout == "short_company" or rng.random() < 0.08
        company = rng.choice(FORMS_SHORT if short else FORMS_JA).format(word[0] + kind[0])
        title_text, department_text = title[0], department[0]
    card = Card(
        layout=layout,
        name=name,
        reading=reading,
        company=company,
        title=title_text,
        department=department_text,
        email=f"{user}@{domain}",
        phone=_phone(rng),
        postcode=postcode,
        address=address,
        website=f"https://www.{domain}/",
    )
    if layout in ("two_phones", "jp_vertical", "bilingual") or rng.random() < 0.3:
        card.mobile = _phone(rng, mobile=True)
    if layout == "two_phones" or rng.random() < 0.3:
        card.fax = card.phone[:-4] + f"{rng.randint(1000, 9999)}"
    if layout == "bilingual":
        card.extra = {"romaji": f"{given[2]} {family[2]}", "company_en": f"{word[1]} {kind[1]} Co., Ltd."}
    return card


def _contacts(card: Card, english: bool = False, size: int = 19) -> str:
    tel, mob, fax = ("Tel", "Mobile", "Fax") if english else ("TEL", "携帯", "FAX")
    rows = [f"〒{card.postcode} {escape(card.address)}" if not english else escape(card.address)]
    phones = f"{tel} {card.phone}"
    if card.fax:
        phones += f"&nbsp;&nbsp; {fax} {card.fax}"
    rows.append(phones)
    if card.mobile:
        rows.append(f"{mob} {card.mobile}")
    rows.append(f"E-mail: {card.email}" if english or card.layout != "small_print" else f"Mail {card.email}")
    rows.append(card.website.removeprefix("https://").rstrip("/"))
    return "".join(f'<div style="font-size:{size}px;line-height:1.55">{r}</div>' for r in rows)


def _printed_name(card: Card, rng: random.Random) -> str:
    """The name as set on the card: a half- or full-width space, or none, between family and given."""
    if card.layout in ("english", "english_centered") or " " not in card.name:
        return escape(card.name)
    family, given = card.name.split(" ", 1)
    return escape(family + rng.choice([" ", "\u3000", "\u3000", ""]) + given)


def card_html(card: Card, rng: random.Random) -> str:
    bg, cls = "#fff", ""
    reading_line = f'<div style="font-size:15px;letter-spacing:3px;color:#555">{escape(card.reading)}</div>'
    # The name's size, spacing and face vary from card to card, as printers' choices do.
    name_size, spacing = rng.randint(36, 56), rng.choice([0, 2, 4, 6, 8, 10])
    face = rng.choice(["", "serif", "", "bold"])
    face_style = "font-weight:700" if face == "bold" else ""
    face_cls = "serif" if face == "serif" else ""
    name = _printed_name(card, rng)
    if card.layout == "jp_vertical":
        # Columns from right to left: company, department and title, the name, then address and numbers;
        # Latin letters and digits lie on their side, as vertical typesetting sets them.
        cls = "portrait"
        small = rng.randint(15, 18)
        body = (
            '<div style="writing-mode:vertical-rl;height:100%">'
            f'<div style="font-size:{rng.randint(19, 23)}px;font-weight:700">{escape(card.company)}</div>'
            f'<div style="font-size:{small + 1}px;margin-right:{rng.randint(14, 30)}px">{escape(card.department)}</div>'
            f'<div style="font-size:{small + 1}px;margin-right:6px">{escape(card.title)}</div>'
            f'<div style="font-size:{rng.randint(40, 54)}px;letter-spacing:{spacing}px;margin-top:{rng.randint(40, 110)}px;'
            f'margin-right:{rng.randint(30, 60)}px;{face_style}" class="{face_cls}">{name}</div>'
            f'<div style="font-size:{small}px;line-height:1.8;margin-top:{rng.randint(40, 120)}px;margin-right:{rng.randint(30, 70)}px">'
            f"〒{card.postcode}<br>{escape(card.address)}<br>"
            f"電話 {card.phone}<br>携帯 {card.mobile}<br>{card.email}</div>"
            "</div>"
        )
    elif card.layout == "name_left":
        accent = rng.choice(["#222", "#1b5fa8", "#2e7d32", "#444"])
        body = (
            f'<div style="position:absolute;right:52px;top:40px;text-align:right;font-size:{rng.randint(18, 24)}px;'
            f'color:{accent};font-weight:700">{escape(card.company)}</div>'
            f'<div style="position:absolute;left:60px;top:{rng.randint(130, 170)}px">'
            f'<div style="font-size:17px">{escape(card.department)}　{escape(card.title)}</div>'
            f'<div style="font-size:{name_size}px;letter-spacing:{spacing}px;{face_style}" class="{face_cls}">{name}</div>'
            f'<div style="font-size:14px;letter-spacing:2px;color:#555">{escape(card.reading)}</div></div>'
            f'<div style="position:absolute;right:52px;bottom:34px;text-align:right">{_contacts(card, size=rng.randint(15, 18))}</div>'
        )
    elif card.layout == "english_centered":
        body = (
            '<div style="text-align:center">'
            f'<div style="font-size:{rng.randint(20, 26)}px;letter-spacing:2px;font-weight:700">{escape(card.company)}</div>'
            f'<div style="margin-top:{rng.randint(50, 80)}px;font-size:{rng.randint(34, 46)}px;{face_style}" class="{face_cls}">{name}</div>'
            f'<div style="font-size:19px;color:#444">{escape(card.title)}</div>'
            f'<div style="font-size:17px;color:#444">{escape(card.department)}</div></div>'
            f'<div style="position:absolute;left:0;right:0;bottom:30px;text-align:center">{_contacts(card, english=True, size=16)}</div>'
        )
    elif card.layout == "short_company":
        accent = rng.choice(["#1b5fa8", "#c2561b", "#2e7d32", "#a3214d", "#333"])
        body = (
            f'<div style="display:flex;align-items:center;gap:14px"><div style="width:44px;height:44px;background:{accent}"></div>'
            f'<div style="font-size:{rng.randint(20, 26)}px;font-weight:700">{escape(card.company)}</div></div>'
            f'<div style="margin-top:{rng.randint(40, 70)}px;font-size:17px">{escape(card.title)}</div>'
            f'<div style="font-size:{name_size}px;letter-spacing:{spacing}px;{face_style}" class="{face_cls}">{name}</div>'
            f'<div style="font-size:14px;color:#555">{escape(card.department)}</div>'
            f'<div style="position:absolute;right:52px;bottom:34px;text-align:right">{_contacts(card, size=16)}</div>'
        )
    elif card.layout == "english":
        body = (
            f'<div style="font-size:26px;font-weight:700">{escape(card.company)}</div>'
            f'<div style="margin-top:70px;font-size:{rng.randint(36, 48)}px;font-weight:600">{name}</div>'
            f'<div style="font-size:21px;color:#444">{escape(card.title)}, {escape(card.department)}</div>'
            f'<div style="position:absolute;left:52px;bottom:40px">{_contacts(card, english=True)}</div>'
        )
    elif card.layout == "bilingual":
        body = (
            f'<div style="font-size:22px">{escape(card.company)} <span style="font-size:16px;color:#555">{card.extra["company_en"]}</span></div>'
            f'<div style="font-size:18px;margin-top:8px">{escape(card.department)} {escape(card.title)}</div>'
            f'<div style="margin-top:46px;font-size:{name_size}px;letter-spacing:{spacing}px" class="{face_cls}">{name}</div>'
            f'<div style="font-size:20px;letter-spacing:2px;color:#444">{card.extra["romaji"]}</div>'
            f'<div style="position:absolute;left:52px;bottom:36px">{_contacts(card, size=18)}</div>'
        )
    elif card.layout == "logo_colour":
        bg = rng.choice(["#eef6ff", "#fff6e8", "#f1f8ee", "#fbeff3"])
        accent = rng.choice(["#1b5fa8", "#c2561b", "#2e7d32", "#a3214d"])
        body = (
            f'<div style="position:absolute;top:0;left:0;right:0;height:16px;background:{accent}"></div>'
            f'<div style="position:absolute;right:52px;top:44px;width:96px;height:96px;border-radius:50%;background:{accent};'
            f'color:#fff;font-size:54px;text-align:center;line-height:96px;font-weight:700">{escape(card.company[-2])}</div>'
            f'<div style="font-size:24px;color:{accent};font-weight:700;margin-top:10px">{escape(card.company)}</div>'
            f'<div style="font-size:18px;margin-top:8px">{escape(card.department)}　{escape(card.title)}</div>'
            f'<div style="margin-top:28px">{reading_line}</div>'
            f'<div style="font-size:{name_size}px;letter-spacing:{spacing}px;{face_style}">{name}</div>'
            f'<div style="position:absolute;left:52px;bottom:36px">{_contacts(card)}</div>'
        )
    elif card.layout == "small_print":
        body = (
            f'<div style="font-size:15px">{escape(card.company)}</div>'
            f'<div style="font-size:13px">{escape(card.department)} {escape(card.title)}</div>'
            f'<div style="margin-top:110px;font-size:{rng.randint(26, 32)}px;letter-spacing:4px">{name}</div>'
            f'<div style="font-size:12px;color:#555">{escape(card.reading)}</div>'
            f'<div style="position:absolute;right:52px;bottom:36px;text-align:right">{_contacts(card, size=13)}</div>'
        )
    else:  # jp_horizontal, two_phones, long_company
        body = (
            f'<div style="font-size:{22 if card.layout != "long_company" else 20}px">{escape(card.company)}</div>'
            f'<div style="font-size:18px;margin-top:6px">{escape(card.department)}</div>'
            f'<div style="font-size:18px">{escape(card.title)}</div>'
            f'<div style="margin-top:30px;text-align:center">{reading_line}'
            f'<div style="font-size:{name_size}px;letter-spacing:{spacing}px;{face_style}" class="{face_cls}">{name}</div></div>'
            f'<div style="position:absolute;left:52px;bottom:34px">{_contacts(card)}</div>'
        )
    return PAGE % {"bg": bg, "cls": cls, "body": body}


def render(cards_html: list[str], scale: float = 1.6) -> list[bytes]:
    """PNG screenshots of each card, from one headless Chromium."""
    from playwright.sync_api import sync_playwright

    shots = []
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path="/usr/bin/chromium", args=["--no-sandbox", "--disable-background-networking"]
        )
        page = browser.new_page(viewport={"width": 1000, "height": 1000}, device_scale_factor=scale)
        for html in cards_html:
            page.set_content(html)
            shots.append(page.locator(".card").screenshot(type="png"))
        browser.close()
    return shots


def photo(png: bytes, rng: random.Random) -> bytes:
    """A phone-photo-like copy: on a table, turned, in perspective, blurred, unevenly lit, JPEG q60."""
    card = Image.open(io.BytesIO(png)).convert("RGB")
    w, h = card.size
    width, height = int(w * 1.45), int(h * 1.6)
    tone = rng.choice([(120, 90, 60), (90, 90, 95), (150, 130, 100), (60, 60, 70)])
    table = Image.new("RGB", (width, height), tone)
    grain = Image.effect_noise((width, height), 28).convert("L")
    table = Image.composite(table, Image.new("RGB", (width, height), tuple(c + 25 for c in tone)), grain)
    angle = rng.uniform(-8, 8)
    turned = card.rotate(angle, expand=True, resample=Image.Resampling.BICUBIC, fillcolor=(0, 0, 0))
    mask = Image.new("L", card.size, 255).rotate(angle, expand=True, resample=Image.Resampling.BICUBIC)
    x = (width - turned.width) // 2 + rng.randint(-30, 30)
    y = (height - turned.height) // 2 + rng.randint(-30, 30)
    table.paste(turned, (x, y), mask)
    # Perspective: pull the corners in a little, as a phone held not quite above.
    d = [rng.uniform(0, 0.06) * width for _ in range(4)]
    coeffs = _perspective_coeffs(
        [(0, 0), (width, 0), (width, height), (0, height)],
        [(d[0], d[1] * 0.5), (width - d[2], 0), (width, height), (0, height - d[3] * 0.5)],
    )
    table = table.transform((width, height), Image.Transform.PERSPECTIVE, coeffs, Image.Resampling.BICUBIC)
    # Uneven light: a soft shade from one side.
    shade = Image.linear_gradient("L")
    if rng.random() < 0.5:
        shade = shade.rotate(90)
    shade = shade.resize((width, height))
    light = Image.new("RGB", (width, height), (0, 0, 0))
    table = Image.composite(table, Image.blend(table, light, 0.35), shade.point(lambda v: 255 - int(v * 0.8)))
    table = table.filter(ImageFilter.GaussianBlur(rng.uniform(0.6, 1.4)))
    out = io.BytesIO()
    table.save(out, "JPEG", quality=60)
    return out.getvalue()


def _perspective_coeffs(target, source):
    import numpy as np

    matrix = []
    for (x, y), (u, v) in zip(target, source, strict=True):
        matrix.append([x, y, 1, 0, 0, 0, -u * x, -u * y])
        matrix.append([0, 0, 0, x, y, 1, -v * x, -v * y])
    a = np.array(matrix, dtype=float)
    b = np.array(source, dtype=float).reshape(8)
    return np.linalg.solve(a, b).tolist()


def draw_note(text: str) -> bytes:
    """A plain picture with no card in it (a test image)."""
    image = Image.new("RGB", (640, 400), (200, 210, 220))
    ImageDraw.Draw(image).ellipse((200, 100, 440, 300), fill=(90, 120, 160))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()
