"""The SMS counter of answers/sms.py against reference cases (3GPP TS 23.038).

static/js/sms-counter.js counts the same way; the browser test compares the two on a page.
"""

import pytest

from answers.sms import GSM7, UCS2, sms_count

ARABIC_ANSWER = "تمت معالجة شكايتكم رقم TAY-2026-000123، وسيتم الرد عليها في أجل أقصاه 15/03/2026."


@pytest.mark.parametrize(
    ("text", "encoding", "units", "segments"),
    [
        ("", GSM7, 0, 0),
        ("a" * 160, GSM7, 160, 1),  # one SMS holds 160 GSM-7 characters
        ("a" * 161, GSM7, 161, 2),  # then 153 a segment
        ("a" * 306, GSM7, 306, 2),
        ("a" * 307, GSM7, 307, 3),
        ("é" * 160, GSM7, 160, 1),  # « é », « è », « à » are in the default alphabet
        ("€" * 80, GSM7, 160, 1),  # the extension table counts double
        ("€" * 81, GSM7, 162, 2),
        ("[réf] ~ {x}", GSM7, 16, 1),  # 11 characters, 5 of them escaped
        ("ê" * 70, UCS2, 70, 1),  # « ê » is not GSM-7: the whole text goes UCS-2
        ("ê" * 71, UCS2, 71, 2),
        ("ب" * 134, UCS2, 134, 2),  # 67 a segment
        ("ب" * 135, UCS2, 135, 3),
        ("😀", UCS2, 2, 1),  # a character outside the BMP takes two UTF-16 units
    ],
)
def test_reference_cases(text, encoding, units, segments):
    count = sms_count(text)
    assert (count.encoding, count.units, count.segments) == (encoding, units, segments)


def test_a_single_arabic_letter_turns_a_french_text_into_ucs2():
    french = "Votre réclamation TAY-2026-000123 est traitée."
    assert sms_count(french).encoding == GSM7
    assert sms_count(french + " شكرا").encoding == UCS2


def test_an_arabic_answer_counts_in_ucs2_segments_of_67():
    count = sms_count(ARABIC_ANSWER * 2)
    assert count.encoding == UCS2
    assert count.characters == len(ARABIC_ANSWER) * 2
    assert count.segments == -(-count.units // 67)


def test_line_breaks_typed_in_a_browser_count_once():
    assert sms_count("ligne 1\r\nligne 2").units == sms_count("ligne 1\nligne 2").units == 15


def test_the_limit_is_passed_past_the_configured_number_of_segments():
    assert not sms_count("a" * 459).over(3)  # 3 × 153
    assert sms_count("a" * 460).over(3)
