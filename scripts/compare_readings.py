"""Compare Japanese dictionaries at guessing the kana reading of personal names.

    python scripts/compare_readings.py [tests/fixtures/readings/names.tsv]

Each candidate that is installed reads every family and given name of the
list on its own (as `contacts.readings` does) and is scored on exact
readings. Candidates: SudachiPy with sudachidict_core (Apache-2.0), fugashi
with unidic-lite (MIT; UniDic BSD) and fugashi with ipadic (MIT; IPAdic
licence). The app uses the winner (see contacts/readings.py); the others
need not be installed: to rerun the comparison, install them in a
throw-away virtualenv (`pip install sudachipy sudachidict-core fugashi
unidic-lite ipadic`).
"""

import sys
import time
import unicodedata
from collections.abc import Callable
from pathlib import Path

NAMES = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "readings" / "names.tsv"


def hira(text: str) -> str:
    text = unicodedata.normalize("NFKC", text)
    return "".join(chr(ord(ch) - 0x60) if "ァ" <= ch <= "ヶ" else ch for ch in text)


def sudachi() -> Callable[[str], str]:
    from sudachipy import Dictionary, SplitMode

    tokenizer = Dictionary(dict="core").tokenizer()

    def read(name: str) -> str:
        return hira("".join(m.reading_form() for m in tokenizer.tokenize(name, SplitMode.C)))

    return read


def unidic_lite() -> Callable[[str], str]:
    import fugashi

    tagger = fugashi.Tagger()

    def read(name: str) -> str:
        return hira("".join((word.feature.kana or word.surface) for word in tagger(name)))

    return read


def ipadic() -> Callable[[str], str]:
    import fugashi
    import ipadic as ipadic_dict

    tagger = fugashi.GenericTagger(ipadic_dict.MECAB_ARGS)

    def read(name: str) -> str:
        out = []
        for word in tagger(name):
            features = word.feature
            out.append(features[7] if len(features) > 7 and features[7] != "*" else word.surface)
        return hira("".join(out))

    return read


CANDIDATES = {
    "sudachipy + sudachidict_core": sudachi,
    "fugashi + unidic-lite": unidic_lite,
    "fugashi + ipadic": ipadic,
}


def load(path: Path) -> list[tuple[str, str, str]]:
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            kind, name, reading = line.split("\t")
            rows.append((kind, name, reading))
    return rows


def in_context(read: Callable[[str], str]) -> Callable[[str, str], str]:
    """Read a name beside the other half of a full name, as contacts.readings does.

    A family name is read before 太郎, a given name after 山田; the partner's
    reading is then taken off. Where the split does not fall there, the name
    is read alone.
    """

    def read_part(kind: str, name: str) -> str:
        if kind == "family":
            full = read(name + "太郎")
            return full[: -len("たろう")] if full.endswith("たろう") else read(name)
        full = read("山田" + name)
        return full[len("やまだ") :] if full.startswith("やまだ") else read(name)

    return read_part


def score(rows, guess) -> tuple[int, dict[str, float], list]:
    wrong = [(kind, name, reading, guess(kind, name)) for kind, name, reading in rows]
    wrong = [row for row in wrong if row[2] != row[3]]
    by_kind = {
        kind: 1 - sum(w[0] == kind for w in wrong) / max(1, sum(k == kind for k, _n, _r in rows))
        for kind in ("family", "given")
    }
    return len(rows) - len(wrong), by_kind, wrong


def main() -> int:
    rows = load(Path(sys.argv[1]) if len(sys.argv) > 1 else NAMES)
    print(
        f"{len(rows)} names ({sum(k == 'family' for k, _n, _r in rows)} family, "
        f"{sum(k == 'given' for k, _n, _r in rows)} given)"
    )
    for label, make in CANDIDATES.items():
        try:
            started = time.perf_counter()
            read = make()
            loaded = time.perf_counter() - started
        except Exception as exc:  # noqa: BLE001 - a candidate that is not installed is reported, not fatal
            print(f"{label}: not available ({type(exc).__name__}: {exc})")
            continue
        for mode, guess in (("alone", lambda _kind, name, read=read: read(name)), ("in a full name", in_context(read))):
            started = time.perf_counter()
            right, by_kind, wrong = score(rows, guess)
            took = time.perf_counter() - started
            print(
                f"{label}, {mode}: {right}/{len(rows)} right ({right / len(rows):.1%}; "
                f"family {by_kind['family']:.1%}, given {by_kind['given']:.1%}); "
                f"load {loaded:.2f} s, {took / len(rows) * 1000:.2f} ms a name"
            )
            for kind, name, reading, got in wrong:
                print(f"    {kind:6} {name}: expected {reading}, got {got}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
