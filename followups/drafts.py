"""Message drafts for a follow-up, and the links that open them in a mail, SMS or LINE app.

A draft is a subject and a body per reason and language, with placeholders
filled from the follow-up's own person and meeting only:

- {name}: the person's name; {my_name}: the user's.
- {event} and {date}: the event of the follow-up's meeting (the first meeting
  for a thank-you, the meeting that promised a next step) and its date.
- {memo}: what was written at capture for a thank-you (the meeting's summary,
  only when the meeting was with this person alone), the promised step for a
  next step, the note of the user's own reminder.

A line naming a placeholder that has no value is left out, so a missing
memo never leaves "「」" behind.
"""

import re
import string
import unicodedata
from dataclasses import dataclass
from urllib.parse import quote

from django.utils import formats, translation
from django.utils.translation import gettext as _

from contacts.models import ContactPointKind

from .models import DraftTemplate, Reason

PLACEHOLDERS = ("name", "event", "date", "memo", "my_name")
PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
# Japanese mobile numbers (070/080/090, as E.164): the ones an SMS can reach.
MOBILE_E164 = re.compile(r"^\+81[789]0")

JA_CLOSING = "今後ともどうぞよろしくお願いいたします。"

DEFAULTS: dict[tuple[str, str], tuple[str, str]] = {
    (Reason.THANK_YOU, "ja"): (
        "「{event}」でのお礼（{my_name}）",
        "{name}様\n\n"
        "{date}の「{event}」でご挨拶させていただきました{my_name}です。\n"
        "先日はお忙しいところ、貴重なお時間をいただき誠にありがとうございました。\n"
        "「{memo}」のお話、大変興味深く拝聴いたしました。\n"
        "またお目にかかれる機会を楽しみにしております。\n"
        f"{JA_CLOSING}\n\n"
        "{my_name}",
    ),
    (Reason.THANK_YOU, "en"): (
        "Thank you for {event}",
        "Dear {name},\n\n"
        "Thank you for taking the time to talk with me at {event} on {date}.\n"
        "I especially enjoyed our conversation about {memo}.\n"
        "I hope we can stay in touch and meet again soon.\n\n"
        "Best regards,\n"
        "{my_name}",
    ),
    (Reason.NEXT_STEP, "ja"): (
        "先日のお話の件（{my_name}）",
        "{name}様\n\n"
        "いつもお世話になっております。{my_name}です。\n"
        "{date}にお話しした「{memo}」の件でご連絡いたしました。\n"
        "ご都合のよろしい日時をお知らせいただけますと幸いです。\n"
        f"{JA_CLOSING}\n\n"
        "{my_name}",
    ),
    (Reason.NEXT_STEP, "en"): (
        "Following up on our conversation",
        "Dear {name},\n\n"
        "Following up on what we discussed on {date}: {memo}.\n"
        "Would you have some time in the coming days?\n\n"
        "Best regards,\n"
        "{my_name}",
    ),
    (Reason.GIVE_BACK, "ja"): (
        "先日のお礼（{my_name}）",
        "{name}様\n\n"
        "いつもお世話になっております。{my_name}です。\n"
        "先日は大変お世話になり、ありがとうございました。\n"
        "何か私にお手伝いできることがあれば、お気軽にお声がけください。\n"
        f"{JA_CLOSING}\n\n"
        "{my_name}",
    ),
    (Reason.GIVE_BACK, "en"): (
        "Thank you, and can I help?",
        "Dear {name},\n\n"
        "Thank you again for your help.\n"
        "If there is anything I can do for you, please let me know.\n\n"
        "Best regards,\n"
        "{my_name}",
    ),
    (Reason.BIRTHDAY, "ja"): (
        "お誕生日おめでとうございます",
        "{name}様\n\n"
        "お誕生日おめでとうございます。\n"
        "素敵な一年になりますよう、心よりお祈り申し上げます。\n"
        f"{JA_CLOSING}\n\n"
        "{my_name}",
    ),
    (Reason.BIRTHDAY, "en"): (
        "Happy birthday!",
        "Dear {name},\n\nHappy birthday! Wishing you a wonderful year ahead.\n\nBest wishes,\n{my_name}",
    ),
    (Reason.KEEP_IN_TOUCH, "ja"): (
        "ご無沙汰しております（{my_name}）",
        "{name}様\n\n"
        "ご無沙汰しております。{my_name}です。\n"
        "その後いかがお過ごしでしょうか。\n"
        "近いうちにお茶でもご一緒できれば嬉しいです。\n"
        f"{JA_CLOSING}\n\n"
        "{my_name}",
    ),
    (Reason.KEEP_IN_TOUCH, "en"): (
        "Catching up",
        "Dear {name},\n\n"
        "It has been a while. I hope all is well with you.\n"
        "Would you like to catch up over coffee soon?\n\n"
        "Best regards,\n"
        "{my_name}",
    ),
    (Reason.MANUAL, "ja"): (
        "ご連絡（{my_name}）",
        "{name}様\n\nいつもお世話になっております。{my_name}です。\n{memo}\n" + JA_CLOSING + "\n\n{my_name}",
    ),
    (Reason.MANUAL, "en"): ("Hello from {my_name}", "Dear {name},\n\n{memo}\n\nBest regards,\n{my_name}"),
}
# A key person's check-in reads like keeping in touch.
DEFAULTS[(Reason.KEY_PERSON, "ja")] = DEFAULTS[(Reason.KEEP_IN_TOUCH, "ja")]
DEFAULTS[(Reason.KEY_PERSON, "en")] = DEFAULTS[(Reason.KEEP_IN_TOUCH, "en")]


def unknown_placeholders(text: str) -> list[str]:
    """The `{…}` in `text` that are not placeholders (to refuse them in the settings form)."""
    return sorted({found for found in PLACEHOLDER.findall(text) if found not in PLACEHOLDERS})


def fill(template: str, values: dict[str, str], *, drop_empty_lines: bool) -> str:
    """Put the values in; with `drop_empty_lines`, leave out the lines that name an empty value."""
    lines = []
    for line in template.split("\n"):
        names = PLACEHOLDER.findall(line)
        if drop_empty_lines and any(name in PLACEHOLDERS and not values.get(name) for name in names):
            continue
        lines.append(PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), line))
    text = "\n".join(lines)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


@dataclass
class Draft:
    subject: str
    body: str

    @property
    def first_line(self) -> str:
        """What the logged meeting says: the subject (the draft's first line as shown)."""
        return self.subject or next((line for line in self.body.splitlines() if line.strip()), "")


@dataclass
class Channel:
    kind: str  # email, sms, tel, line, copy
    href: str
    label: str
    meeting_kind: str  # the kind of the meeting logged after "Sent?"


def draft_language(person) -> str:
    """Japanese for a Japanese name, English for a name in Latin letters."""
    return "en" if person.is_western else "ja"


def my_name(user, language: str) -> str:
    family, given = user.last_name.strip(), user.first_name.strip()
    if family or given:
        return " ".join(p for p in ((family, given) if language == "ja" else (given, family)) if p)
    return user.get_username()


def values_for(followup, *, user, language: str) -> dict[str, str]:
    """The placeholders' values, from the follow-up's own person and meeting only."""
    person = followup.person
    meeting = followup.meeting if followup.meeting_id else None
    event, date, memo = "", "", ""
    if meeting is not None and meeting.event_id:
        event = meeting.event.name
    if followup.reason == Reason.THANK_YOU and meeting is not None:
        # A meeting with several people has a summary about all of them: not for one person's message.
        if getattr(followup, "meeting_people", 1) == 1:
            memo = meeting.summary.strip().splitlines()[0] if meeting.summary.strip() else ""
    elif followup.reason in (Reason.NEXT_STEP, Reason.MANUAL):
        memo = followup.note
    with translation.override(language):
        if meeting is not None:
            date = formats.date_format(meeting.date, "MONTH_DAY_FORMAT")
    return {"name": person.display_name, "event": event, "date": date, "memo": memo, "my_name": my_name(user, language)}


def templates_of(owner_id: int) -> dict[tuple[str, str], tuple[str, str]]:
    """The owner's wording per (reason, language) over the defaults (one query)."""
    own = {
        (reason, language): (subject, body)
        for reason, language, subject, body in DraftTemplate.objects.filter(owner_id=owner_id).values_list(
            "reason", "language", "subject", "body"
        )
    }
    merged = DEFAULTS | own
    for language in {language for _reason, language in DEFAULTS}:
        # A key person's check-in uses the keep-in-touch wording (it is not edited on its own).
        merged[(Reason.KEY_PERSON, language)] = merged[(Reason.KEEP_IN_TOUCH, language)]
    return merged


def render(template: tuple[str, str], values: dict[str, str], *, fallback_subject: str = "") -> Draft:
    subject_template, body_template = template
    subject = fill(subject_template, values, drop_empty_lines=True) or fallback_subject
    return Draft(subject=subject, body=fill(body_template, values, drop_empty_lines=True))


def draft_for(followup, *, user, templates: dict) -> Draft:
    language = draft_language(followup.person)
    values = values_for(followup, user=user, language=language)
    template = templates.get((followup.reason, language)) or DEFAULTS[(Reason.MANUAL, language)]
    with translation.override(language):
        fallback = str(Reason(followup.reason).label)
    return render(template, values, fallback_subject=fallback)


def _encode(text: str) -> str:
    """Percent-encode every reserved character (RFC 3986), UTF-8."""
    return quote(text, safe="")


def mailto(address: str, draft: Draft) -> str:
    """RFC 6068: the address as is (its @ kept), subject and body encoded, line breaks as %0D%0A."""
    body = draft.body.replace("\r\n", "\n").replace("\n", "\r\n")
    return f"mailto:{quote(address, safe='@+')}?subject={_encode(draft.subject)}&body={_encode(body)}"


def sms(number: str, draft: Draft) -> str:
    """RFC 5724: sms:<number>?body=<encoded text>."""
    return f"sms:{quote(number, safe='+')}?body={_encode(draft.body)}"


def tel(number: str) -> str:
    return f"tel:{quote(number, safe='+')}"


def line_share(draft: Draft) -> str:
    """LINE's share address: the user picks the chat in LINE."""
    return f"https://line.me/R/share?text={_encode(draft.body)}"


def dial_number(point) -> str:
    """The number to dial: E.164 when known, else the digits (and a leading +) as written."""
    if point.normalized.startswith("+"):
        return point.normalized
    value = unicodedata.normalize("NFKC", point.value).split("内線")[0].split("ext")[0].split("x")[0]
    keep = "".join(ch for ch in value if ch in string.digits or ch == "+")
    return keep[:1] + keep[1:].replace("+", "")


def channels(followup, draft: Draft) -> list[Channel]:
    """The ways to reach the person that their record allows, in the order people use them."""
    points = list(followup.person.contact_points.all())
    emails = [p for p in points if p.kind == ContactPointKind.EMAIL]
    phones = [p for p in points if p.kind in (ContactPointKind.MOBILE, ContactPointKind.PHONE)]
    phones.sort(key=lambda p: p.kind != ContactPointKind.MOBILE)
    found: list[Channel] = []
    if emails:
        found.append(Channel("email", mailto(emails[0].value, draft), _("E-mail"), "email"))
    if followup.person.line.strip():
        found.append(Channel("line", line_share(draft), "LINE", "message"))
    texting = next(
        (p for p in phones if p.kind == ContactPointKind.MOBILE or MOBILE_E164.match(p.normalized or "")), None
    )
    if texting is not None and dial_number(texting):
        found.append(Channel("sms", sms(dial_number(texting), draft), _("SMS"), "message"))
    if phones and dial_number(phones[0]):
        found.append(Channel("tel", tel(dial_number(phones[0])), _("Call"), "call"))
    return found
