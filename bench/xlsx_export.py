"""One XLSX export of a programme's grievances through the real view, in a process of its own.

Prints: seconds, peak RSS (MB), RSS before the request (MB), file size (bytes). Called by
bench/run.py, which takes the numbers; the process's peak memory is the export's alone.
"""

import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pmpp.settings")
os.environ.setdefault("DEBUG", "0")  # as production; bench/run.py passes its environment
os.environ.setdefault("SECRET_KEY", "bench-" + os.urandom(24).hex())
os.environ.setdefault("STATIC_MANIFEST", "0")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost")

import django

django.setup()

from django.test import Client  # noqa: E402
from django.urls import reverse  # noqa: E402

from pmpp.models import User  # noqa: E402


def rss_mb(field: str = "VmRSS") -> float:
    """Resident memory from /proc: VmRSS now, VmHWM the peak of this program.

    Not ru_maxrss: on Linux it survives exec, so a child started from the large bench
    runner would report the runner's size as its own peak.
    """
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) / 1024
    return 0.0


def main(programme_id: str) -> None:
    client = Client()
    client.force_login(User.objects.get(username="bench.pointfocal"))
    url = reverse("grievances:queue_export", args=["toutes", "xlsx"])
    before = rss_mb()
    started = time.perf_counter()
    response = client.get(url, {"programme": programme_id})
    size = sum(len(chunk) for chunk in response) if response.streaming else len(response.content)
    elapsed = time.perf_counter() - started
    if response.status_code != 200:
        sys.exit(f"export answered {response.status_code}")
    peak = rss_mb("VmHWM")
    print(f"{elapsed:.3f} {peak:.1f} {before:.1f} {size}")


if __name__ == "__main__":
    main(sys.argv[1])
