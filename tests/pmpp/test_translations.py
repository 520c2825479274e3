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
    po = {entry.msgid: entry.msgstr for entry in polib.pofile(f"{CATALOGUE}.po") if entry.msgstr}
    mo = {entry.msgid: entry.msgstr for entry in polib.mofile(f"{CATALOGUE}.mo") if entry.msgid}
    assert mo == po, "run `make messages` to compile locale/ar"
