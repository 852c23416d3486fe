"""Every catalogue is complete in both Chinese scripts, and its compiled .mo matches the .po."""

from pathlib import Path

import polib
import pytest

ROOT = Path(__file__).resolve().parents[2]
CATALOGUES = sorted(
    path
    for path in ROOT.glob("**/locale/zh_Han*/LC_MESSAGES/django.po")
    if ".venv" not in path.parts
)


def test_there_is_a_catalogue_per_app_and_script():
    apps = {path.relative_to(ROOT).parts[0] for path in CATALOGUES}

    assert apps == {"locale", "summit", "sessions", "registration", "badges"}
    assert len(CATALOGUES) == 10


@pytest.mark.parametrize("po_path", CATALOGUES, ids=lambda p: str(p.relative_to(ROOT)))
def test_catalogue_is_fully_translated(po_path):
    catalogue = polib.pofile(str(po_path))

    untranslated = [entry.msgid for entry in catalogue.untranslated_entries()]
    fuzzy = [entry.msgid for entry in catalogue.fuzzy_entries()]

    assert untranslated == []
    assert fuzzy == []


@pytest.mark.parametrize("po_path", CATALOGUES, ids=lambda p: str(p.relative_to(ROOT)))
def test_compiled_catalogue_matches_its_source(po_path):
    source = polib.pofile(str(po_path))
    compiled = polib.mofile(str(po_path.with_suffix(".mo")))

    expected = {
        (e.msgctxt, e.msgid): e.msgstr or e.msgstr_plural for e in source.translated_entries()
    }
    actual = {(e.msgctxt, e.msgid): e.msgstr or e.msgstr_plural for e in compiled if e.msgid}

    assert actual == expected
