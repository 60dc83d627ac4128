"""URLs of one pattern with many ids, reversed once: a list of 50 people links to 50 person pages.

`reverse()` walks the URL resolver every time (about 15 µs); a page that links
to every row pays that for each row. `fixed_url("contacts:person_detail", 7)`
reverses the pattern once per process (with a placeholder id), keeps the text
around the placeholder, and afterwards only joins the id in.
"""

from collections.abc import Callable
from functools import cache

from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse

_PLACEHOLDER = 9_876_543_210


@cache
def _pieces(name: str, arity: int, prefix: str, urlconf) -> tuple[str, ...] | None:
    """The URL's text split at each argument, or None when the pattern cannot be split that way."""
    placeholders = [str(_PLACEHOLDER + i) for i in range(arity)]
    try:
        url = reverse(name, args=placeholders, urlconf=urlconf)
    except NoReverseMatch:  # a pattern stricter than "any digits": reverse each time
        return None
    pieces: list[str] = []
    for placeholder in placeholders:
        before, found, url = url.partition(placeholder)
        if not found or placeholder in url:
            return None
        pieces.append(before)
    pieces.append(url)
    return tuple(pieces)


def fixed_url(name: str, *ids: int) -> str:
    """The same as `reverse(name, args=ids)` for integer ids (`<int:…>` parts), reversed once per process."""
    if not all(type(i) is int and i >= 0 for i in ids):
        return reverse(name, args=ids)
    pieces = _pieces(name, len(ids), get_script_prefix(), get_urlconf())
    if pieces is None:
        return reverse(name, args=ids)
    if not ids:
        return pieces[0]
    parts = [pieces[0]]
    for i, piece in zip(ids, pieces[1:], strict=True):
        parts.append(str(i))
        parts.append(piece)
    return "".join(parts)


def url_maker(name: str) -> Callable[[int], str]:
    """`fixed_url(name, id)` as a function of the id, looked up once: for a loop over many rows."""
    pieces = _pieces(name, 1, get_script_prefix(), get_urlconf())
    if pieces is None:
        return lambda pk: reverse(name, args=[pk])
    before, after = pieces
    return lambda pk: f"{before}{pk}{after}" if type(pk) is int and pk >= 0 else reverse(name, args=[pk])
