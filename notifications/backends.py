"""Pluggable senders: one interface, `send(*, to, text, subject="", key="")`, per channel.

SMS: the class named by `PMPP_SMS_BACKEND` (console by default, a file backend writing one
file per message into `PMPP_SMS_FILE_PATH`, or an operator's gateway written against this
interface). E-mail: Django's own `EMAIL_BACKEND` (console, file, SMTP…), used through
an `EmailMessage`. A backend raises on failure; the caller counts the attempt and retries.

`key` is the message's idempotency key: the same outbox message always carries the same key,
also when it is sent again after a worker died between the gateway's acceptance and the
commit that marks it sent. A gateway that honours such a key (an idempotency header or a
client reference, depending on the operator) delivers it once; e-mail carries it as the
Message-ID, by which mail servers and clients drop a repeat.
"""

import re
import sys
import threading
import uuid
from pathlib import Path
from typing import Protocol

from django.conf import settings
from django.core.mail import EmailMessage
from django.utils import timezone
from django.utils.module_loading import import_string

from notifications.models import OutboxMessage, mask_address


class GatewayError(Exception):
    """A gateway's refusal with its reason. `reason` is kept on the message (`last_error`) and
    shown on the file, so it must be a code or a phrase, never the number or the text;
    `permanent` when trying again cannot help (an unknown number): the message fails at once."""

    def __init__(self, reason: str, *, permanent: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.permanent = permanent


class Sender(Protocol):
    def send(self, *, to: str, text: str, subject: str = "", key: str = "") -> None: ...


class ConsoleSmsBackend:
    """Development: prints the SMS with the number masked (the console may end up in logs)."""

    def send(self, *, to: str, text: str, subject: str = "", key: str = "") -> None:
        sys.stdout.write(f"SMS → {mask_address(to)}\n{text}\n{'-' * 40}\n")
        sys.stdout.flush()


class FileSmsBackend:
    """Writes each SMS to its own file in `PMPP_SMS_FILE_PATH`, like Django's file e-mail backend.
    A message sent again with the same key rewrites its file: it is delivered once."""

    def send(self, *, to: str, text: str, subject: str = "", key: str = "") -> None:
        directory = Path(settings.PMPP_SMS_FILE_PATH)
        directory.mkdir(parents=True, exist_ok=True)
        name = f"{key}.txt" if key else f"{timezone.now():%Y%m%d-%H%M%S}-{uuid.uuid4().hex[:8]}.txt"
        (directory / name).write_text(f"To: {to}\n\n{text}\n", encoding="utf-8")


class LocmemSmsBackend:
    """Keeps messages in `LocmemSmsBackend.outbox` (tests, like Django's locmem e-mail backend)."""

    outbox: list[dict[str, str]] = []
    _lock = threading.Lock()

    def send(self, *, to: str, text: str, subject: str = "", key: str = "") -> None:
        with self._lock:
            self.outbox.append({"to": to, "text": text, "key": key})


class FailOnPatternSmsBackend:
    """Test gateway: refuses, permanently, every number matching `PMPP_SMS_FAIL_PATTERN` (a
    regular expression; empty refuses none) and hands the others to `PMPP_SMS_PASS_BACKEND`
    (the file backend by default). For demonstrations and browser journeys that need a
    message sent, then one failed, then resent to a corrected number."""

    def send(self, *, to: str, text: str, subject: str = "", key: str = "") -> None:
        pattern = getattr(settings, "PMPP_SMS_FAIL_PATTERN", "")
        if pattern and re.search(pattern, to):
            raise GatewayError("Numéro refusé par la passerelle", permanent=True)
        backend = getattr(settings, "PMPP_SMS_PASS_BACKEND", "notifications.backends.FileSmsBackend")
        import_string(backend)().send(to=to, text=text, subject=subject, key=key)


class EmailSender:
    """E-mail through Django's configured EMAIL_BACKEND; the key becomes the Message-ID."""

    def send(self, *, to: str, text: str, subject: str = "", key: str = "") -> None:
        domain = settings.DEFAULT_FROM_EMAIL.rpartition("@")[2].strip("> ") or "pmpp"
        headers = {"Message-ID": f"<{key}@{domain}>"} if key else {}
        EmailMessage(subject, text, settings.DEFAULT_FROM_EMAIL, [to], headers=headers).send()


def sender_for(channel: str) -> Sender:
    if channel == OutboxMessage.Channel.SMS:
        return import_string(settings.PMPP_SMS_BACKEND)()
    if channel == OutboxMessage.Channel.EMAIL:
        return EmailSender()
    raise ValueError(f"No sender for channel {channel!r}")
