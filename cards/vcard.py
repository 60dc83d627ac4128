"""My card as vCard 3.0 text (with readings, as iPhone and Android phones read them)."""

from contacts.forms import split_name, split_reading

from .models import MyCard


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def my_vcard(card: MyCard) -> str:
    """The shared fields of my card as a vCard 3.0 (a QR code has no line-length limit: not folded)."""
    shared = set(card.shared)

    def has(name: str) -> bool:
        return name in shared and bool(getattr(card, name))

    lines = ["BEGIN:VCARD", "VERSION:3.0"]
    if has("name"):
        family, given = split_name(card.name)
        lines += [f"N:{_escape(family)};{_escape(given)};;;", f"FN:{_escape(card.name)}"]
    else:
        lines += ["N:;;;;", "FN:"]
    if has("reading"):
        family_reading, given_reading = split_reading(card.reading)
        lines += [f"X-PHONETIC-LAST-NAME:{_escape(family_reading)}", f"X-PHONETIC-FIRST-NAME:{_escape(given_reading)}"]
        lines += [f"SORT-STRING:{_escape(family_reading)}"]
    if has("company"):
        lines.append(f"ORG:{_escape(card.company)}")
    if has("title"):
        lines.append(f"TITLE:{_escape(card.title)}")
    if has("email"):
        lines.append(f"EMAIL;TYPE=INTERNET:{card.email}")
    if has("phone"):
        lines.append(f"TEL;TYPE=CELL:{card.phone}")
    if has("website"):
        lines.append(f"URL:{card.website}")
    if has("address"):
        lines.append(f"ADR;TYPE=WORK:;;{_escape(card.address)};;;;")
    lines.append("END:VCARD")
    return "\r\n".join(lines) + "\r\n"
