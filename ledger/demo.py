"""Demo give-and-take entries for people made by `contacts.demo` (used by `networking.demo`)."""

import datetime
import random
from decimal import Decimal

from accounts.models import User
from contacts.models import Person

from .models import Direction, LedgerEntry, LedgerKind

GAVE_TEXTS = {
    LedgerKind.INFORMATION: ["補助金の公募情報を送った", "業界レポートを共有", "Shared a list of Osaka venues"],
    LedgerKind.ADVICE: ["資金調達の相談に乗った", "採用面接のコツを伝えた"],
    LedgerKind.HELP: ["セミナーの受付を手伝った", "提案書のレビュー"],
    LedgerKind.GIFT: ["出産祝いを贈った", "お土産を渡した"],
    LedgerKind.OPPORTUNITY: ["案件を紹介した", "登壇の機会をつないだ"],
}
RECEIVED_TEXTS = {
    LedgerKind.INFORMATION: ["展示会の招待券をもらった", "Told me about a grant"],
    LedgerKind.ADVICE: ["税務の相談に乗ってもらった", "価格設定の助言"],
    LedgerKind.HELP: ["引っ越しを手伝ってもらった", "資料作りを手伝ってもらった"],
    LedgerKind.GIFT: ["お歳暮をいただいた"],
    LedgerKind.OPPORTUNITY: ["新規の取引先を紹介してもらった", "Referred a client to me"],
}


def ledger_entries(owner: User, created: list[Person], rng: random.Random, today: datetime.date) -> list[LedgerEntry]:
    """About three entries per person: most ties balanced, some takers, some the user owes, a few loans."""
    entries = []

    def add(person, days_ago, direction, kind, **extra):
        texts = GAVE_TEXTS if direction == Direction.GAVE else RECEIVED_TEXTS
        entries.append(
            LedgerEntry(
                owner=owner,
                person_id=person.pk,
                date=today - datetime.timedelta(days=days_ago),
                direction=direction,
                kind=kind,
                weight=extra.pop("weight", rng.choice([1, 2, 2, 3])),
                description=rng.choice(texts.get(kind, ["", "お礼の品"])),
                **extra,
            )
        )

    simple = list(GAVE_TEXTS)
    for person in created:
        roll = rng.random()
        if roll < 0.10:  # only takes
            for _ in range(rng.randint(3, 5)):
                add(person, rng.randint(5, 300), Direction.GAVE, rng.choice(simple))
        elif roll < 0.20:  # I owe them
            for _ in range(rng.randint(2, 3)):
                add(person, rng.randint(35, 300), Direction.RECEIVED, rng.choice(simple), weight=3)
            add(person, rng.randint(5, 300), Direction.GAVE, LedgerKind.INFORMATION, weight=1)
        elif roll < 0.24:  # a loan, either way, perhaps partly returned
            amount = Decimal(rng.choice([30_000, 100_000, 500_000, 1_000_000]))
            returned = rng.choice([None, amount / 4, amount / 2, amount])
            add(
                person,
                rng.randint(10, 700),
                rng.choice([Direction.GAVE, Direction.RECEIVED]),
                LedgerKind.MONEY,
                amount=amount,
                currency="JPY",
                returned_amount=returned,
                returned_on=today - datetime.timedelta(days=rng.randint(0, 9)) if returned else None,
            )
            add(person, rng.randint(5, 700), Direction.GAVE, rng.choice(simple))
            add(person, rng.randint(5, 700), Direction.RECEIVED, rng.choice(simple))
        else:
            for _ in range(rng.choice([1, 2, 2, 3, 3, 3, 4, 4])):
                add(person, rng.randint(1, 1000), rng.choice(list(Direction)), rng.choice(simple))
        if person.introduced_by_id:
            introducer = Person(pk=person.introduced_by_id)
            add(
                introducer,
                max(0, (today - person.first_met_on).days) if person.first_met_on else 30,
                Direction.RECEIVED,
                LedgerKind.INTRODUCTION,
                introduced_person_id=person.pk,
            )
    return entries


def seed_ledger(*, owner: User, people: list[Person], rng: random.Random, today: datetime.date) -> int:
    """Write about three entries per person of `people`. Returns how many."""
    entries = ledger_entries(owner, people, rng, today)
    LedgerEntry.objects.bulk_create(entries, batch_size=5000)
    return len(entries)
