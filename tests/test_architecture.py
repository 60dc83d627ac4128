"""The apps keep to their own concerns (ARCHITECTURE.md). `lint-imports` (in `make test`)
checks the Python imports; these check what it cannot see."""

import re
from pathlib import Path

from django.conf import settings

ROOT = Path(settings.BASE_DIR)
# Template libraries that come with Django: any template may load them.
BUILTIN_LIBRARIES = {"i18n", "static", "tz", "l10n", "cache", "humanize"}
# contacts' own libraries (contacts/templatetags/), and those of the app below it (accounts: fixed_url).
CONTACTS_LIBRARIES = {
    path.stem for app in ("contacts", "accounts") for path in (ROOT / app / "templatetags").glob("*.py")
} - {"__init__"}
OTHER_APPS = ("ledger", "jobs", "followups", "insights", "transfer")


def test_contacts_templates_load_no_other_apps_template_tags():
    for template in sorted((ROOT / "templates" / "contacts").glob("*.html")):
        for libraries in re.findall(r"{%\s*load\s+([^%]+?)\s*%}", template.read_text()):
            foreign = set(libraries.split()) - BUILTIN_LIBRARIES - CONTACTS_LIBRARIES
            assert not foreign, f"{template.name} loads {foreign}: compose the other app's panel by URL"


def test_contacts_names_no_other_apps_model():
    """The trash and the rest of contacts learn about other apps' models from what those apps register."""
    apps = "|".join(OTHER_APPS)
    label = re.compile(rf"""["']({apps})\.[A-Za-z_]+["']""")
    for path in sorted((ROOT / "contacts").rglob("*.py")):
        if "migrations" in path.parts:
            continue
        found = label.findall(path.read_text())
        assert not found, f"{path.relative_to(ROOT)} names {found}"


def test_every_app_registers_its_derived_rows_with_the_trash():
    from contacts import trash

    assert {"ledger.LedgerTally", "followups.PendingRecompute", "insights.Suggestion"} <= trash.DERIVED
    assert trash.POINTER_OWNERS == {"ledger.LedgerEntry": "person_id"}
    assert trash.ON_RESTORE  # the ledger rebuilds a restored person's tally
