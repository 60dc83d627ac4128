"""One word per concept: templates, the Japanese catalogue and e-mails follow docs/GLOSSARY.md.

The glossary's last column lists the words not to use; any of them in a
template (pages and e-mails) or in a Japanese translation fails here.
"""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from tests.factories import make_person
from tests.test_translations import po_entries

BASE = Path(settings.BASE_DIR)
GLOSSARY = BASE / "docs" / "GLOSSARY.md"
TEMPLATES = BASE / "templates"


def forbidden_terms() -> list[str]:
    terms = []
    for line in GLOSSARY.read_text(encoding="utf-8").splitlines():
        if not line.startswith("| ") or line.startswith(("| concept", "| ---")):
            continue
        for term in line.strip().strip("|").split("|")[-1].split(","):
            term = re.sub(r"\(.*?\)", "", term).strip()
            if term and term != "—":
                terms.append(term)
    return terms


def offenders_in(folder: Path) -> list[str]:
    found = []
    for path in sorted(folder.rglob("*")):
        if path.suffix in (".html", ".txt"):
            text = path.read_text(encoding="utf-8")
            found += [f"{path.relative_to(folder)}: {term}" for term in forbidden_terms() if term in text]
    return found


def test_the_glossary_refuses_the_words_that_were_mixed():
    assert {"接点", "貸し借り", "ギブ＆テイク", "知人"} <= set(forbidden_terms())


def test_no_template_or_email_uses_a_refused_word():
    assert offenders_in(TEMPLATES) == []


def test_no_japanese_message_uses_a_refused_word():
    found = [(msgid, term) for msgid, msgstr in po_entries() for term in forbidden_terms() if term in msgstr]
    assert found == []


def test_a_refused_word_in_a_template_is_caught(tmp_path):
    (tmp_path / "page.html").write_text("<p>接点を記録しました</p>", encoding="utf-8")
    assert "page.html: 接点" in offenders_in(tmp_path)


@pytest.mark.django_db
def test_page_titles_read_page_then_the_app(auth_client, user):
    make_person(owner=user)  # not a new account: the capture picker, not the checklist
    html = auth_client.get(reverse("contacts:capture"), HTTP_ACCEPT_LANGUAGE="ja").content.decode()
    assert "<title>記録 | 人脈ノート</title>" in html
    html = auth_client.get(reverse("contacts:person_list"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "<title>People | Jinmyaku</title>" in html
