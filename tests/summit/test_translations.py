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


def app_of(po_path: Path) -> str:
    """The app folder a catalogue belongs to (``locale``: the project's own)."""
    return "/".join(po_path.relative_to(ROOT).parts[:-4]) or "locale"


def test_there_is_a_catalogue_per_app_and_script():
    apps = {app_of(path) for path in CATALOGUES}

    assert apps == {"locale", "summit", "sessions", "registration", "badges", "badges/checkin"}
    assert len(CATALOGUES) == 12


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


@pytest.mark.parametrize("script", ["zh_Hans", "zh_Hant"])
def test_each_text_has_one_translation_across_catalogues(script):
    # Django merges every catalogue into one per language and the first one wins, so a text
    # translated two ways shows only one of them, whatever its own app's catalogue says: the
    # other app then reads a word it never chose (名稱 for a person's name, 單位 and 機構).
    translations: dict[tuple, dict[str, str]] = {}
    for path in ROOT.glob(f"**/locale/{script}/LC_MESSAGES/django.po"):
        if ".venv" in path.parts:
            continue
        for entry in polib.pofile(str(path)).translated_entries():
            text = entry.msgstr or str(entry.msgstr_plural)
            app = app_of(path)
            translations.setdefault((entry.msgctxt, entry.msgid), {})[app] = text

    conflicts = {key: apps for key, apps in translations.items() if len(set(apps.values())) > 1}

    assert conflicts == {}


@pytest.mark.parametrize(
    ("script", "word", "others"),
    [
        ("zh_Hans", "单位", ["機構", "机构", "組織", "组织"]),
        ("zh_Hant", "機構", ["單位", "单位", "組織"]),
    ],
)
def test_organisation_is_one_word_per_script(script, word, others):
    found = []
    for path in ROOT.glob(f"**/locale/{script}/LC_MESSAGES/django.po"):
        if ".venv" in path.parts:
            continue
        for entry in polib.pofile(str(path)).translated_entries():
            text = entry.msgstr or str(entry.msgstr_plural)
            if any(other in text for other in others):
                found.append((entry.msgid, text))
            # Column names and placeholders ("organisation", "%(affiliation)s") stay as they are.
            words = entry.msgid.lower().replace("%(affiliation)s", "")
            mentioned = "organisation" in words or "affiliation" in words
            if mentioned and "organisation" not in text and word not in text:
                found.append((entry.msgid, text))

    assert found == []
