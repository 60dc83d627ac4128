"""Guess the kana reading of a name typed without one, from a Japanese name dictionary.

SudachiPy with its core dictionary won the comparison in
scripts/compare_readings.py (269 family and given names with known
readings, tests/fixtures/readings/names.tsv): 97.0 % right when a name is
read beside the other half of the full name, against 96.7 % for fugashi
with unidic-lite and less for ipadic; its dictionary is also the smaller
install, and both it and SudachiPy are Apache-2.0.

Names are ambiguous (角田, 新垣, 菅), so a guess is only ever a suggestion:
the person is marked `reading_inferred` until the user accepts or corrects
it, and the guess sorts and searches like a typed reading meanwhile.
"""

import functools
import logging
import re
import threading
import unicodedata

logger = logging.getLogger(__name__)

# Kanji, kana and the iteration mark: what a Japanese name is written in.
_JAPANESE = re.compile(r"^[\u3005\u3041-\u3096\u30a1-\u30fa\u30fc\u4e00-\u9fff\uf900-\ufaff]+$")
_KATAKANA = re.compile(r"[\u30a1-\u30f6]")


def _hiragana(text: str) -> str:
    return _KATAKANA.sub(lambda m: chr(ord(m.group(0)) - 0x60), unicodedata.normalize("NFKC", text))


@functools.cache
def _dictionary():
    """The SudachiPy dictionary, loaded once per process (about 0.3 s); None when unavailable."""
    try:
        from sudachipy import Dictionary
    except ImportError:  # pragma: no cover - the dependency is locked; a broken install only loses guesses
        logger.warning("sudachipy is not installed: readings are not guessed")
        return None
    return Dictionary(dict="core")


# A tokenizer refuses to be used by two threads at once (threaded servers, the
# test client in threads): each thread makes its own from the shared dictionary.
_local = threading.local()


def _tokenizer():
    """This thread's SudachiPy tokenizer; None when SudachiPy is unavailable."""
    if not hasattr(_local, "tokenizer"):
        dictionary = _dictionary()
        _local.tokenizer = dictionary.tokenizer() if dictionary is not None else None
    return _local.tokenizer


def _read(text: str) -> list[tuple[str, str]]:
    from sudachipy import SplitMode

    tokenizer = _tokenizer()
    if tokenizer is None:
        return []
    return [(m.surface(), _hiragana(m.reading_form())) for m in tokenizer.tokenize(text, SplitMode.C)]


def is_japanese_name(text: str) -> bool:
    return bool(text) and bool(_JAPANESE.match(text))


def guess(family_name: str, given_name: str) -> tuple[str, str] | None:
    """Return (family reading, given reading) guessed for a Japanese name, or None.

    The whole name is read at once, so the dictionary picks a person's
    reading from the context (池田 学 → いけだ まなぶ, not がく); the words
    are then split back at the boundary between the two halves. A part that
    is not written in kanji or kana (a Western name) gets no guess.
    """
    family = unicodedata.normalize("NFKC", family_name or "").strip()
    given = unicodedata.normalize("NFKC", given_name or "").strip()
    parts = [part for part in (family, given) if part]
    if not parts or not all(is_japanese_name(part) for part in parts):
        return None
    words = _read(family + given)
    if not words:
        return None
    readings = {"family": "", "given": ""}
    position = 0
    for surface, reading in words:
        start, end = position, position + len(surface)
        position = end
        if start < len(family) < end:
            # A word spans both halves: read each half on its own instead.
            return "".join(r for _s, r in _read(family)) if family else "", (
                "".join(r for _s, r in _read(given)) if given else ""
            )
        readings["family" if end <= len(family) else "given"] += reading
    return readings["family"], readings["given"]
