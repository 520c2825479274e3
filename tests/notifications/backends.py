"""SMS gateways that misbehave, written against the real backend interface."""

import time

from notifications.backends import LocmemSmsBackend


class FailingSmsBackend:
    """A gateway that refuses every message and, like many, echoes the number in its error."""

    calls = 0

    def send(self, *, to: str, text: str, subject: str = "", key: str = "") -> None:
        FailingSmsBackend.calls += 1
        raise ConnectionError(f"gateway refused message to {to}: {text[:40]}")


class SlowSmsBackend(LocmemSmsBackend):
    """Takes its time, so that a second worker arrives while the first is still sending."""

    def send(self, *, to: str, text: str, subject: str = "", key: str = "") -> None:
        time.sleep(0.5)
        super().send(to=to, text=text, subject=subject, key=key)
