"""The Japanese catalogue is complete, and the compiled .mo matches the .po.

The .mo is committed so a machine without GNU gettext still shows Japanese;
`make messages` regenerates both.
"""

import ast
import re
from pathlib import Path

from django.conf import settings
from django.utils import translation

PO = Path(settings.BASE_DIR) / "locale" / "ja" / "LC_MESSAGES" / "django.po"
ENTRY = re.compile(r'^msgid ((?:".*"\n)+)msgstr ((?:".*"\n)+)', re.MULTILINE)


def po_entries() -> list[tuple[str, str]]:
    def join(chunk: str) -> str:
        return "".join(ast.literal_eval(line) for line in chunk.strip().splitlines())

    text = PO.read_text(encoding="utf-8")
    return [(join(m.group(1)), join(m.group(2))) for m in ENTRY.finditer(text) if join(m.group(1))]


def test_every_message_has_a_japanese_translation():
    entries = po_entries()
    assert len(entries) > 50
    untranslated = [msgid for msgid, msgstr in entries if not msgstr]
    assert untranslated == []
    assert "#, fuzzy" not in PO.read_text(encoding="utf-8")


def test_compiled_catalogue_matches_the_po_file():
    with translation.override("ja"):
        stale = [msgid for msgid, msgstr in po_entries() if translation.gettext(msgid) != msgstr]
    assert stale == [], "Run `make messages` to recompile locale/ja/LC_MESSAGES/django.mo"
