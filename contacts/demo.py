"""Realistic demo data: Japanese and Western people met at many kinds of events.

Used by `manage.py seed_demo` (through `networking.demo`) for the demo account and, at any size, for
benchmarks. Rows are built in memory and written with bulk_create, so 100,000
people take seconds, not minutes. Deterministic for a given seed.
"""

import datetime
import random
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from accounts.models import User

from . import services, text
from .models import (
    ContactPoint,
    ContactPointKind,
    Event,
    EventKind,
    Field,
    Meeting,
    MeetingKind,
    Person,
    Stage,
    Tag,
    Tier,
    Wish,
)

FAMILY = [
    ("佐藤", "さとう"), ("鈴木", "すずき"), ("高橋", "たかはし"), ("田中", "たなか"), ("伊藤", "いとう"),
    ("渡辺", "わたなべ"), ("山本", "やまもと"), ("中村", "なかむら"), ("小林", "こばやし"), ("加藤", "かとう"),
    ("吉田", "よしだ"), ("山田", "やまだ"), ("佐々木", "ささき"), ("山口", "やまぐち"), ("松本", "まつもと"),
    ("井上", "いのうえ"), ("木村", "きむら"), ("林", "はやし"), ("斎藤", "さいとう"), ("清水", "しみず"),
    ("山崎", "やまざき"), ("森", "もり"), ("池田", "いけだ"), ("橋本", "はしもと"), ("阿部", "あべ"),
    ("石川", "いしかわ"), ("前田", "まえだ"), ("藤田", "ふじた"), ("岡田", "おかだ"), ("後藤", "ごとう"),
    ("長谷川", "はせがわ"), ("村上", "むらかみ"), ("近藤", "こんどう"), ("石井", "いしい"), ("遠藤", "えんどう"),
    ("青木", "あおき"), ("坂本", "さかもと"), ("西村", "にしむら"), ("福田", "ふくだ"), ("太田", "おおた"),
]  # fmt: skip
GIVEN = [
    ("太郎", "たろう"), ("花子", "はなこ"), ("健一", "けんいち"), ("美咲", "みさき"), ("大輔", "だいすけ"),
    ("陽子", "ようこ"), ("翔", "しょう"), ("愛", "あい"), ("誠", "まこと"), ("恵", "めぐみ"),
    ("拓也", "たくや"), ("由美", "ゆみ"), ("直樹", "なおき"), ("彩", "あや"), ("亮", "りょう"),
    ("真由美", "まゆみ"), ("浩二", "こうじ"), ("さくら", "さくら"), ("隆", "たかし"), ("結衣", "ゆい"),
    ("和也", "かずや"), ("智子", "ともこ"), ("悠斗", "ゆうと"), ("奈々", "なな"), ("剛", "つよし"),
]  # fmt: skip
WESTERN = [
    ("Smith", "John"), ("Johnson", "Emily"), ("Brown", "Michael"), ("Garcia", "Sofia"), ("Miller", "David"),
    ("Martin", "Claire"), ("Rossi", "Marco"), ("Müller", "Anna"), ("Dubois", "Louis"), ("Kim", "Minji"),
    ("Nguyen", "Linh"), ("Chen", "Wei"), ("Wilson", "Olivia"), ("Taylor", "James"), ("Anderson", "Sarah"),
]  # fmt: skip
COMPANIES = [
    ("株式会社サクラテック", "さくらてっく", "IT"), ("みらい会計事務所", "みらいかいけいじむしょ", "Accounting & tax"),
    ("青空デザイン合同会社", "あおぞらでざいん", "Design"), ("東都法律事務所", "とうとほうりつじむしょ", "Law"),
    ("ひかり信用金庫", "ひかりしんようきんこ", "Finance"), ("株式会社グリーンフーズ", "ぐりーんふーず", "Food & drink"),
    ("港区役所", "みなとくやくしょ", "Local government"), ("株式会社ネクストメディア", "ねくすとめでぃあ", "Media"),
    ("やまと不動産", "やまとふどうさん", "Real estate"), ("さくら整形外科", "さくらせいけいげか", "Medical & care"),
    ("株式会社ものづくり工房", "ものづくりこうぼう", "Manufacturing"), ("Bright Labs Inc.", "", "Startups"),
    ("Northwind Trading", "", "Sales"), ("Acme Marketing KK", "", "Marketing"), ("学びの森スクール", "まなびのもりすくーる", "Education"),
]  # fmt: skip
TITLES = [
    "代表取締役",
    "部長",
    "課長",
    "マネージャー",
    "エンジニア",
    "デザイナー",
    "税理士",
    "弁護士",
    "営業",
    "フリーランス",
    "CEO",
    "Product Manager",
]
DEPARTMENTS = ["営業部", "開発部", "経営企画室", "マーケティング部", "総務部", "", ""]
DOES = [
    "中小企業向けのクラウド会計を導入支援している",
    "飲食店のブランディングとロゴ制作",
    "スタートアップの資金調達をサポート",
    "地域の商店街イベントを企画している",
    "製造業のDX推進コンサルタント",
    "Helps Japanese startups expand to Europe",
    "相続と事業承継に強い税理士",
    "SNS広告の運用代行",
]
WANTS = [
    "新規の販路を探している",
    "エンジニアの採用",
    "地方自治体とつながりたい",
    "共同でセミナーを開きたい",
    "Looking for Japanese partners",
    "若手経営者の勉強会メンバー",
    "デザイナーを紹介してほしい",
    "",
]
EVENT_NAMES = {
    EventKind.MIXER: [
        "異業種交流会 渋谷",
        "経営者交流会 新宿",
        "ビジネス交流会 丸の内",
    ],
    EventKind.CHAMBER: ["商工会議所 新年賀詞交歓会", "商工会議所 青年部例会"],
    EventKind.SEMINAR: ["DX勉強会", "資金調達セミナー", "マーケティング勉強会"],
    EventKind.CARD_EXCHANGE: ["名刺交換会 品川"],
    EventKind.DRINKS: ["食事会 恵比寿", "飲み会 神田"],
    EventKind.COMMUNITY: ["朝活 読書会", "町内会 夏祭り準備"],
    EventKind.SAME_INDUSTRY: ["デザイナー座談会", "税理士会 研修"],
    EventKind.HOBBY: ["ゴルフサークル", "ランニングクラブ"],
    EventKind.ONLINE: ["オンライン交流会", "X スペース"],
}
PLACES = [
    "渋谷",
    "新宿",
    "丸の内",
    "品川",
    "恵比寿",
    "神田",
    "オンライン",
    "横浜",
    "大阪 梅田",
]
MEMOS = [
    "名刺交換。次回ランチの約束",
    "同じ大学出身。話が弾んだ",
    "新規事業の相談に乗ってもらった",
    "Talked about expanding to Osaka",
    "セミナーの登壇者。質問した",
    "",
]


LATER_KINDS = [
    MeetingKind.COFFEE,
    MeetingKind.DRINKS,
    MeetingKind.CALL,
    MeetingKind.MESSAGE,
    MeetingKind.JOINT_WORK,
]
LATER_SUMMARIES = [
    "近況報告",
    "案件の相談",
    "Coffee near the station",
    "共同セミナーの打ち合わせ",
    "",
]


@dataclass
class SeedResult:
    people: int
    events: int
    meetings: int
    # The people made, in the order made, for the apps that seed rows hanging on them (ledger.demo).
    created: list = field(default_factory=list, repr=False)
    ledger_entries: int = 0


def seed_contacts(
    *,
    owner: User,
    people: int,
    rng: random.Random | None = None,
    today: datetime.date | None = None,
) -> SeedResult:
    """Create `people` people for `owner` with events, meetings and introductions."""
    rng = rng or random.Random(42)
    today = today or timezone.localdate()
    with transaction.atomic():
        services.ensure_default_fields(owner=owner)
        fields = {f.name: f for f in Field.objects.filter(owner=owner)}
        field_list = list(fields.values())
        tags = [
            Tag.objects.get_or_create(owner=owner, name=name)[0]
            for name in ("ゴルフ", "同郷", "大学OB", "勉強会仲間", "VIP")
        ]

        n_events = max(3, min(people // 8, 5000))
        events = []
        kinds = list(EVENT_NAMES)
        for i in range(n_events):
            kind = kinds[i % len(kinds)]
            date = today - datetime.timedelta(days=rng.randint(0, 3 * 365))
            events.append(
                Event(
                    owner=owner,
                    name=rng.choice(EVENT_NAMES[kind]),
                    kind=kind,
                    date=date,
                    place=rng.choice(PLACES),
                    goal=rng.choice(["IT系の人脈を広げる", "税理士を探す", "見込み客との出会い", ""]),
                )
            )
        Event.objects.bulk_create(events, batch_size=1000)
        events = list(Event.objects.filter(owner=owner).order_by("pk"))

        rows = []
        person_fields = []
        person_tags = []
        for _ in range(people):
            event = events[rng.randrange(len(events))]
            company, company_reading, field_name = rng.choice(COMPANIES)
            if rng.random() < 0.15:
                family, given = rng.choice(WESTERN)
                family_reading = given_reading = ""
                latin = f"{given} {family}".lower()
            else:
                family, family_reading = rng.choice(FAMILY)
                given, given_reading = rng.choice(GIVEN)
                latin = text.romaji(f"{family_reading} {given_reading}")
            i_want = rng.choices([Wish.YES, Wish.UNKNOWN, Wish.NO], weights=[5, 4, 1])[0]
            they_want = rng.choices([Wish.YES, Wish.UNKNOWN, Wish.NO], weights=[3, 6, 1])[0]
            person = Person(
                owner=owner,
                family_name=family,
                given_name=given,
                family_reading=family_reading,
                given_reading=given_reading,
                company=company,
                company_reading=company_reading,
                department=rng.choice(DEPARTMENTS),
                title=rng.choice(TITLES),
                what_they_do=rng.choice(DOES),
                what_they_want=rng.choice(WANTS),
                stage=rng.choice([Stage.STARTING, Stage.GROWING, Stage.ESTABLISHED, ""]),
                tier=Tier.NETWORK if i_want == Wish.YES and they_want == Wish.YES else Tier.ACQUAINTANCE,
                first_met_on=event.date,
                first_met_event=event,
                i_want_to_meet_again=i_want,
                they_want_to_meet_again=they_want,
                notes=rng.choice(MEMOS),
                last_contact_on=event.date,
            )
            chosen_fields = {fields.get(field_name) or rng.choice(field_list)}
            if rng.random() < 0.3:
                chosen_fields.add(rng.choice(field_list))
            chosen_tags = {rng.choice(tags)} if rng.random() < 0.25 else set()
            person.search_text = services.build_search_text(
                person,
                [f.name for f in chosen_fields],
                [t.name for t in chosen_tags],
                [event.name],
            )
            person.sort_key = text.sort_key(family_reading + given_reading, family + given)
            later = []
            if rng.random() < 0.35:
                for _ in range(rng.randint(1, 4)):
                    date = event.date + datetime.timedelta(days=rng.randint(3, 400))
                    if date <= today:
                        later.append((date, rng.choice(LATER_KINDS), rng.choice(LATER_SUMMARIES)))
                        person.last_contact_on = max(person.last_contact_on, date)
            rows.append((person, latin, chosen_fields, chosen_tags, later))

        Person.objects.bulk_create([row[0] for row in rows], batch_size=2000)
        created = list(Person.objects.filter(owner=owner).order_by("-pk")[:people])[::-1]
        points = []
        for person, (_p, latin, chosen_fields, chosen_tags, _later) in zip(created, rows, strict=True):
            points.append(
                ContactPoint(
                    person=person,
                    kind=ContactPointKind.EMAIL,
                    value=f"{latin.replace(' ', '.')}.{person.pk}@example.jp",
                    normalized=f"{latin.replace(' ', '.')}.{person.pk}@example.jp",
                )
            )
            if rng.random() < 0.6:
                number = f"090{rng.randint(10000000, 99999999)}"
                points.append(
                    ContactPoint(
                        person=person,
                        kind=ContactPointKind.MOBILE,
                        value=f"{number[:3]}-{number[3:7]}-{number[7:]}",
                        normalized=f"+81{number[1:]}",
                    )
                )
            person_fields += [Person.fields.through(person_id=person.pk, field_id=f.pk) for f in chosen_fields]
            person_tags += [Person.tags.through(person_id=person.pk, tag_id=t.pk) for t in chosen_tags]
        ContactPoint.objects.bulk_create(points, batch_size=5000)
        Person.fields.through.objects.bulk_create(person_fields, batch_size=5000)
        Person.tags.through.objects.bulk_create(person_tags, batch_size=5000)

        # Introductions: about one in ten people was introduced by someone met earlier.
        introduced = []
        for i, person in enumerate(created[1:], start=1):
            if rng.random() < 0.1:
                person.introduced_by_id = created[rng.randrange(i)].pk
                introduced.append(person)
        Person.objects.bulk_update(introduced, ["introduced_by"], batch_size=2000)

        # First meetings at the events, and follow-up meetings with about a third.
        meetings = []
        attendees = []
        for person, (_p, _latin, _fields, _tags, later) in zip(created, rows, strict=True):
            meetings.append(
                Meeting(
                    owner=owner,
                    date=person.first_met_on,
                    kind=MeetingKind.FIRST_AT_EVENT,
                    event_id=person.first_met_event_id,
                    summary=person.notes,
                )
            )
            attendees.append(person.pk)
            for date, kind, summary in later:
                meetings.append(Meeting(owner=owner, date=date, kind=kind, summary=summary))
                attendees.append(person.pk)
        Meeting.objects.bulk_create(meetings, batch_size=2000)
        created_meetings = list(
            Meeting.objects.filter(owner=owner).order_by("-pk").values_list("pk", flat=True)[: len(meetings)]
        )[::-1]
        links = [
            Meeting.people.through(meeting_id=meeting_id, person_id=person_id)
            for meeting_id, person_id in zip(created_meetings, attendees, strict=True)
        ]
        Meeting.people.through.objects.bulk_create(links, batch_size=5000)
    return SeedResult(people=len(created), events=len(events), meetings=len(meetings), created=created)
