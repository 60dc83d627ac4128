"""The one rule for phone numbers, shared by the person form, capture and import.

A number is read as Japanese only when it starts with 0 or +81 (or the caller
knows the country, `region`), and as an international number when it starts
with +. Anything else (a US number without +1, a number with letters, words
in a phone column) is kept exactly as written and marked unverified: it is
searchable and matched by its digits, and no digit is ever added to it. An
import keeps such a number; a person typing one is told (`typed_phone`).

Full-width digits, hyphens of every width, parentheses and an extension
(内線12, ext. 12, x12) are accepted: 03(1234)5678 内線12 is 03-1234-5678 内線12.
"""

import re
import unicodedata
from dataclasses import dataclass

import phonenumbers
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# A value longer than this is no phone number; it is cut only for display of a message.
MAX_PHONE_LENGTH = 60
_EXTENSION = re.compile(
    r"[\s,;]*[(\[]?\s*(?:内線|内|ext\.?|extension|x|#)\s*[:.：=]?\s*(\d{1,8})\s*[)\]]?\s*$", re.IGNORECASE
)
_CONTROLS = re.compile(r"[\x00-\x1f\x7f]")
_CONTEXT = re.compile(r";\s*phone-context=\+(\d{1,3})\b", re.IGNORECASE)
_LETTERS = re.compile(r"[^\W\d_]")
_DIGITS = re.compile(r"\d")


@dataclass(frozen=True)
class Phone:
    """A number as it is stored: shown as `display`, matched by `normalized`.

    `normalized` is E.164 (with ;ext=N) for a number that was verified, and
    only the digits written (no +) for one kept as written: that difference is
    how a stored ContactPoint tells whether it was verified.
    """

    display: str
    normalized: str
    mobile: bool
    verified: bool


def _digits(text: str) -> str:
    return "".join(_DIGITS.findall(text))


# Dashes typed for hyphens, the long-vowel mark ー among them (a Japanese keyboard's "-" key).
_DASHES = str.maketrans(dict.fromkeys("ー‐‑‒–—―−ｰ", "-"))


def _clean(raw: str) -> str:
    text = unicodedata.normalize("NFKC", raw or "").translate(_DASHES)
    text = _CONTROLS.sub(" ", text).strip()
    if text[:4].lower() == "tel:":
        text = text[4:].strip()
    return text


def _split_extension(text: str) -> tuple[str, str]:
    match = _EXTENSION.search(text)
    if match and _digits(text[: match.start()]):
        return text[: match.start()].strip(), match.group(1)
    return text, ""


def _phone_context(text: str) -> tuple[str, str | None]:
    """An RFC 3966 local number says its country: 03-1234-5678;phone-context=+81."""
    if ";" not in text:
        return text, None
    match = _CONTEXT.search(text)
    if not match:
        return text, None
    region = phonenumbers.region_code_for_country_code(int(match.group(1)))
    return text[: match.start()].strip(), None if region == "ZZ" else region


def read_phone(raw: str, *, region: str | None = None) -> Phone | None:
    """Read a number as the rule above says; None for blank text. Never raises.

    `region` (an ISO country code) is for a file that says which country its
    numbers are in; even then a number whose national form would gain a digit
    (905-555-1234 as 090-5555-1234) is kept as written.
    """
    text = _clean(raw)
    if not text:
        return None
    written = text
    text, context = _phone_context(text)
    main, extension = _split_extension(text)
    parsed = None
    if not _LETTERS.search(main):
        if main.startswith("+"):
            parsed = _parse(main, None)
        elif main.lstrip("(（[").startswith("0"):
            parsed = _parse(main, "JP")
            if parsed is None and (region or context) not in (None, "JP"):
                parsed = _parse(main, region or context)
        elif region or context:
            parsed = _parse(main, region or context)
    kind = None
    if parsed is not None:
        parsed, kind = parsed
    national = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.NATIONAL) if parsed else ""
    if parsed is not None and not _no_digit_added(main, parsed, national):
        parsed = None
    if parsed is None:
        return Phone(display=written[:254], normalized=_unverified_key(written), mobile=False, verified=False)
    japanese = parsed.country_code == 81
    display = national if japanese else phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
    normalized = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
    if extension:
        display += f" 内線{extension}" if japanese else f" ext. {extension}"
        normalized += f";ext={extension}"
    mobile = kind == phonenumbers.PhoneNumberType.MOBILE
    return Phone(display=display, normalized=normalized, mobile=mobile, verified=True)


def _parse(text: str, region: str | None):
    """The parsed number with its type, or None when it is no valid number.

    number_type is UNKNOWN exactly when is_valid_number is False; asking for the
    type once (not is_valid_number, then the type again) halves the cost for an import.
    """
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return None
    if number.extension:
        return None
    kind = phonenumbers.number_type(number)
    if kind == phonenumbers.PhoneNumberType.UNKNOWN:
        return None
    return number, kind


def _no_digit_added(written: str, number, national_format: str) -> bool:
    """True when the digits shown are the ones written (the trunk 0 of a +81 number aside)."""
    digits = _digits(written)
    national = _digits(national_format)
    if written.startswith("+"):
        # +44 (0)20 7946 0958: the trunk 0 in parentheses was written too.
        return digits in (f"{number.country_code}{national.lstrip('0')}", f"{number.country_code}{national}")
    return digits == national


def _unverified_key(written: str) -> str:
    """What a number kept as written is matched and searched by: its digits, else its folded text."""
    digits = _digits(written)
    return digits or unicodedata.normalize("NFKC", written).lower()[:254]


def is_verified(normalized: str) -> bool:
    """Tell from a stored ContactPoint.normalized whether the number was verified."""
    return normalized.startswith("+")


def typed_phone(raw: str, *, known: frozenset[str] | set[str] = frozenset(), region: str | None = None) -> Phone:
    """A number a person typed into a form: verified, or one of the `known` unverified values
    already stored on the person (so editing a person never forces a fix). Raise ValidationError.
    """
    text = _clean(raw)
    if len(text) > MAX_PHONE_LENGTH:
        raise ValidationError(
            _("A phone number can be at most %(limit)d characters long."), params={"limit": MAX_PHONE_LENGTH}
        )
    phone = read_phone(raw, region=region)
    if phone is None:
        raise ValidationError(_("Enter a phone number."), code="required")
    if phone.verified or phone.display in known:
        return phone
    if not _digits(text):
        raise ValidationError(_("“%(value)s” is not a phone number."), params={"value": raw})
    raise ValidationError(
        _(
            "“%(value)s” could not be checked. Start a Japanese number with 0 (03-1234-5678) "
            "and a foreign one with + and the country code (+1 650 555 1212)."
        ),
        params={"value": raw},
    )


def tel_href(normalized: str, value: str) -> str:
    """A tel: link for a stored number; empty when a number kept as written cannot be dialled."""
    if is_verified(normalized):
        return f"tel:{normalized}"
    if _LETTERS.search(unicodedata.normalize("NFKC", value)) or len(_digits(value)) < 3:
        return ""
    return "tel:" + re.sub(r"[^\d+*#]", "", unicodedata.normalize("NFKC", value))


def search_digits(normalized: str) -> list[str]:
    """How a stored number is found by search: its digits, and for a verified one also its
    national form with a trunk 0 (+81312345678 is found by 0312345678, 81312345678 and
    312345678). No parsing: this runs for every number an import saves."""
    main = normalized.split(";", 1)[0]
    digits = _digits(main)
    if len(digits) < 4:
        return []
    if not is_verified(normalized):
        return [digits]
    for size in (1, 2, 3):
        if int(digits[:size]) in phonenumbers.COUNTRY_CODE_TO_REGION_CODE:
            return [digits, "0" + digits[size:]]
    return [digits]


_PHONE_TERM = re.compile(r"^\+?[\d()\-.]*\d[\d()\-.]*$")


def search_term(term: str) -> str:
    """A query term written like a phone number (03-1234-5678, (650)555) searched by its digits."""
    if _PHONE_TERM.match(term):
        return _digits(term)
    return term
