"""Log redaction: personal data never reaches a log line.

Views and services are written not to log personal data at all; this filter is the net
under them, for a message built from user input or an exception that quotes a value.
"""

import logging
import re

from django.utils.log import AdminEmailHandler
from django.views.debug import SafeExceptionReporterFilter

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
            # Formatters print `exc_text` when it is set, so the redacted text is what they
            # write; `exc_info` stays for the error e-mail, which builds Django's full report
            # from it and redacts that itself (RedactingAdminEmailHandler).
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
        return True


class RedactingAdminEmailHandler(AdminEmailHandler):
    """The server-error e-mail to ADMINS, redacted like every log line.

    Its body is Django's error report: the exception text, the URL with its query string,
    GET and POST data, headers. All of it goes through `redact()` before it is sent, and
    POST values are hidden outright by `PersonalDataExceptionReporterFilter` (a name or an
    address is personal data the patterns cannot recognise).
    """

    def send_mail(self, subject, message, *args, **kwargs):
        if kwargs.get("html_message"):
            kwargs["html_message"] = redact(kwargs["html_message"])
        super().send_mail(redact(subject), redact(message), *args, **kwargs)


class PersonalDataExceptionReporterFilter(SafeExceptionReporterFilter):
    """Error reports (the DEBUG page, the e-mail to ADMINS) show POST field names, never values.

    Every form of the back office and the portal carries a complainant's identity or story.
    """

    def get_post_parameters(self, request):
        if request is None:
            return {}
        return dict.fromkeys(request.POST, self.cleansed_substitute)
