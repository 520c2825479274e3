"""How many SMS a text costs: characters and segments, GSM-7 or UCS-2 (3GPP TS 23.038).

A text made only of the GSM-7 default alphabet is sent 7 bits a character: 160 characters
in one SMS, 153 a segment once it is split (the rest of each segment carries the
concatenation header). The characters of the extension table (€, [, ], {, }, ~, ^, |, \\)
take an escape and count twice. One character outside GSM-7 — any Arabic letter, « œ »,
an emoji — sends the whole text in UCS-2: 70 characters in one SMS, 67 a segment, counted
in UTF-16 code units (an emoji counts two). static/js/sms-counter.js counts the same way;
tests/answers/test_sms_counter.py pins both to the same reference cases.
"""

from dataclasses import dataclass

GSM7_BASIC = (
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENSION = "\f^{}\\[~]|€"

GSM7, UCS2 = "GSM-7", "UCS-2"
# (one SMS, one segment of a longer message)
LIMITS = {GSM7: (160, 153), UCS2: (70, 67)}


@dataclass(frozen=True)
class SmsCount:
    encoding: str
    characters: int  # as the user sees them
    units: int  # as the network counts them: septets in GSM-7, UTF-16 code units in UCS-2
    segments: int

    def over(self, max_segments: int) -> bool:
        return self.segments > max_segments


def _segments(units: int, encoding: str) -> int:
    single, part = LIMITS[encoding]
    if units == 0:
        return 0
    if units <= single:
        return 1
    return -(-units // part)


def sms_count(text: str) -> SmsCount:
    # Browsers submit line breaks as CRLF and count them as LF: count what the user sees.
    text = text.replace("\r\n", "\n")
    septets = 0
    for char in text:
        if char in GSM7_BASIC:
            septets += 1
        elif char in GSM7_EXTENSION:
            septets += 2
        else:
            units = len(text.encode("utf-16-le")) // 2
            return SmsCount(encoding=UCS2, characters=len(text), units=units, segments=_segments(units, UCS2))
    return SmsCount(encoding=GSM7, characters=len(text), units=septets, segments=_segments(septets, GSM7))
