"""Log redaction: personal data never reaches a log line.

Views and services are written not to log personal data at all; this filter is the net
under them, for a message built from user input or an exception that quotes a value.
"""

import logging
import re

# Moroccan phone numbers (+212 6…, 00212 7…, 06…, 05…) with optional separators.
_PHONE = re.compile(r"(?<!\w)(?:\+|00)?(?:212[\s.-]?|0)[5-7](?:[\s.-]?\d){8}(?!\w)")
# CNIE: one or two letters followed by 3 to 7 digits (e.g. BK123456, A12345).
_CNIE = re.compile(r"(?<![A-Za-z0-9])[A-Za-z]{1,2}\d{3,7}(?![A-Za-z0-9])")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")


def redact(text: str) -> str:
    text = _EMAIL.sub("[email]", text)
    text = _PHONE.sub("[phone]", text)
    return _CNIE.sub("[cnie]", text)


class RedactPersonalDataFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = redact(message)
        if redacted != message:
            record.msg, record.args = redacted, None
        if record.exc_info and record.exc_info[1] is not None:
            # Exception texts often quote the offending value: keep the type, mask the rest.
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
        return True
