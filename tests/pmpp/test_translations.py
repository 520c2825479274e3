"""The Arabic catalogue is complete and its compiled form matches it."""

import shutil

import polib
from django.conf import settings
from django.core.management import call_command

CATALOGUE = settings.BASE_DIR / "locale/ar/LC_MESSAGES/django"


def test_every_message_has_an_arabic_translation():
    po = polib.pofile(f"{CATALOGUE}.po")
    untranslated = [entry.msgid for entry in po.untranslated_entries()]
    fuzzy = [entry.msgid for entry in po.fuzzy_entries()]
    assert untranslated == [], "run `make messages` and translate locale/ar"
    assert fuzzy == []


def test_the_compiled_catalogue_is_up_to_date():
    def compiled(entries):
        return {entry.msgid: (entry.msgstr, dict(entry.msgstr_plural)) for entry in entries if entry.msgid}

    po = compiled(entry for entry in polib.pofile(f"{CATALOGUE}.po") if entry.translated())
    mo = compiled(polib.mofile(f"{CATALOGUE}.mo"))
    assert mo == po, "run `make messages` to compile locale/ar"


def test_the_catalogue_holds_every_message_of_the_code(tmp_path, settings, monkeypatch):
    """A label added without `make messages` would stay French on Arabic pages: extract the
    messages of the code afresh, in a copy of it, and find each one in the committed catalogue."""
    code = tmp_path / "code"
    kept = shutil.ignore_patterns(".*", "node_modules", "staticfiles", "tests", "locale", "media", "__pycache__")
    shutil.copytree(settings.BASE_DIR, code, ignore=kept)
    (code / "locale").mkdir()
    monkeypatch.chdir(code)
    settings.LOCALE_PATHS = [code / "locale"]
    call_command("makemessages", locale=["ar"], verbosity=0)
    extracted = {(entry.msgctxt, entry.msgid) for entry in polib.pofile(str(code / "locale/ar/LC_MESSAGES/django.po"))}
    committed = {(entry.msgctxt, entry.msgid) for entry in polib.pofile(f"{CATALOGUE}.po") if not entry.obsolete}
    assert sorted(extracted - committed, key=str) == [], "run `make messages` and translate locale/ar"
