"""An SMS provider seen from outside the worker process, for the crash tests.

It lives in a folder (`PMPP_SMS_FILE_PATH`) so that the test, in another process, can read
what it received. Like a provider that honours idempotency keys, it records every request,
accepts each key once, and answers a repeat with success without delivering it again. A
file named `hold-before-accept` or `hold-after-accept` makes it stop at that point (and
touch `<point>.reached`) until the file is removed, so the test can kill the worker there.
"""

import os
import time
from pathlib import Path

from django.conf import settings


class DedupingGateway:
    def send(self, *, to: str, text: str, subject: str = "", key: str) -> None:
        if not key:
            raise ValueError("the gateway requires an idempotency key")
        box = Path(settings.PMPP_SMS_FILE_PATH)
        box.mkdir(parents=True, exist_ok=True)
        with open(box / "requests.log", "a", encoding="utf-8") as log:
            log.write(f"{key}\n")
        self._hold(box, "hold-before-accept")
        try:
            accepted = os.open(box / f"delivered-{key}.txt", os.O_CREAT | os.O_EXCL | os.O_WRONLY)
        except FileExistsError:
            return  # already delivered under this key: success, nothing sent again
        with os.fdopen(accepted, "w", encoding="utf-8") as delivery:
            delivery.write(f"To: {to}\n\n{text}\n")
        self._hold(box, "hold-after-accept")

    @staticmethod
    def _hold(box: Path, point: str) -> None:
        if (box / point).exists():
            (box / f"{point}.reached").touch()
            while (box / point).exists():
                time.sleep(0.05)


def deliveries(box: Path) -> list[Path]:
    return sorted(box.glob("delivered-*.txt"))


def requests(box: Path) -> list[str]:
    log = box / "requests.log"
    return log.read_text(encoding="utf-8").split() if log.exists() else []
