"""The Arabic catalogue is complete and its compiled form matches it."""

import polib
from django.conf import settings

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
