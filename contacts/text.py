"""Japanese-aware text normalisation for search and 五十音 sorting.

Search ignores the difference between hiragana and katakana, full and half
width, and case, and a recorded kana reading can be found by its romaji:
やまだ, ヤマダ, ﾔﾏﾀﾞ, 山田 and yamada all find 山田 太郎 (やまだ たろう).
"""

import functools
import re
import unicodedata

import jaconv

# Long vowels are written in many ways in romaji (satou, satoo, sato, satō);
# folding them the same way in documents and queries makes them all match.
_LONG_VOWELS = [
    ("ou", "o"),
    ("oo", "o"),
    ("uu", "u"),
    ("aa", "a"),
    ("ii", "i"),
    ("ee", "e"),
]
_MACRONS = str.maketrans(
    {
        "ā": "a",
        "ī": "i",
        "ū": "u",
        "ē": "e",
        "ō": "o",
        "â": "a",
        "î": "i",
        "û": "u",
        "ê": "e",
        "ô": "o",
    }
)
_SPACES = re.compile(r"\s+")
# Sorts after every hiragana and before kanji: puts A–Z names after the kana.
LATIN_AFTER_KANA = "\u30a0"
_KANA = re.compile(r"[\u3041-\u3096\u30fc]+")


def fold(text: str) -> str:
    """Return text in the one form used for searching: NFKC, lower case, hiragana."""
    text = unicodedata.normalize("NFKC", text or "").lower().translate(_MACRONS)
    text = jaconv.kata2hira(text)
    return _fold_romaji(_SPACES.sub(" ", text).strip())


def _fold_romaji(text: str) -> str:
    for long, short in _LONG_VOWELS:
        text = text.replace(long, short)
    return text


@functools.lru_cache(maxsize=4096)
def romaji(reading: str) -> str:
    """Return the folded romaji of the kana in a reading (やまだ たろう -> yamada taro)."""
    hira = jaconv.kata2hira(unicodedata.normalize("NFKC", reading or ""))
    latin = _KANA.sub(lambda m: jaconv.kana2alphabet(m.group(0)), hira)
    # jaconv leaves the long-vowel mark; drop it, the vowel is already there.
    return _fold_romaji(latin.replace("ー", "").lower())


def sort_key(reading: str, name: str) -> str:
    """Return the key that orders people in 五十音順 by reading, else by name.

    Hiragana in code-point order is gojūon order. Names without a reading
    sort by their folded name: Latin names (A–Z) after the kana, as Japanese
    address books do, then names in kanji whose reading is not recorded yet.
    """
    base = reading.strip() or name.strip()
    key = _SPACES.sub("", jaconv.kata2hira(unicodedata.normalize("NFKC", base)).lower())
    if key and key[0].isascii():
        key = LATIN_AFTER_KANA + key
    return key[:200]


def search_terms(query: str) -> list[str]:
    """Split a query into folded terms; every term must match."""
    from .phones import search_term

    return [search_term(term) for term in fold(query).split(" ") if term][:8]
