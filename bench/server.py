"""What the HTTP benchmarks share: a gunicorn they start and always stop, and an API client.

`bench/throughput.py` (API create) and `bench/load.py` (the mixed load) both serve the app
with a gunicorn started here on 127.0.0.1, on a port opened here and handed over as
`fd://`, with DEBUG off and a random SECRET_KEY. It runs in a session of its own and is
stopped in a `finally`, on failure, Ctrl+C and SIGTERM too.

Nothing here sets Django up: `integration_token` needs it done by the caller (bench/run.py).
"""

import http.client
import json
import os
import random
import secrets
import signal
import socket
import string
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

API_PROGRAMME, API_CHANNEL, API_CATEGORY = "tayssir", "chikaya", "paiement-non-recu"
GRIEVANCES_URL = "/api/v1/grievances/"
# The README's production command for the 2-core reference machine: one process per core,
# each with 4 threads, so that a request waiting on PostgreSQL or a slow one (a login's
# password hash, the dashboard, an export) does not hold a core's only slot. Measured against
# 2 and 4 sync workers and other thread counts by the load test (bench/LOAD.md).
PRODUCTION_WORKERS, PRODUCTION_WORKER_CLASS, PRODUCTION_THREADS = 2, "gthread", 4


def child_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """Production-like settings for the processes measured: DEBUG off (no query log)."""
    return (
        os.environ
        | {
            "DEBUG": "0",
            "SECRET_KEY": os.environ.get("SECRET_KEY") or secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "127.0.0.1",
            "STATIC_MANIFEST": "0",  # static URLs without collectstatic's manifest
            "LOG_LEVEL": "WARNING",
        }
        | dict(extra or {})
    )


@contextmanager
def terminated_on_sigterm() -> Iterator[None]:
    """SIGTERM (a killed `make bench`) unwinds like Ctrl+C, so `finally` blocks stop the children."""

    def interrupt(signum, frame):
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def stop(process: subprocess.Popen, *, grace: float = 10) -> None:
    """SIGTERM to the child's process group (gunicorn: graceful stop), SIGKILL if it lingers."""
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    except ProcessLookupError:
        pass


@dataclass(frozen=True)
class AppServer:
    host: str
    port: int
    process: subprocess.Popen
    description: str  # the gunicorn options, as the results quote them
    label: str  # the same, short: « 2 gthread workers × 4 threads »

    def cpu_seconds(self) -> float:
        """CPU time used so far by the gunicorn workers (user + system): unlike wall time,
        barely changed by other programs sharing the cores."""
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children").read_text().split()
        return sum(process_cpu_seconds(int(pid)) for pid in children)


def process_cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far; 0 for one that has gone (a replaced worker)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError):
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime, stime


@contextmanager
def app_server(
    *,
    workers: int = PRODUCTION_WORKERS,
    worker_class: str = PRODUCTION_WORKER_CLASS,
    threads: int = PRODUCTION_THREADS,
    env: Mapping[str, str] | None = None,
    backlog: int = 128,
    options: tuple[str, ...] = (),
) -> Iterator[AppServer]:
    """gunicorn serving the app on 127.0.0.1, and always stopped afterwards.

    The listening socket is opened here and handed over (`fd://`), so the port is free and
    known before gunicorn starts, with no race for it. `--preload` loads Django once in the
    master before forking, so every worker accepts from the first request on. `env` is
    added to the production-like environment of `child_env`, `options` to gunicorn's own
    (the load test's settings).
    """
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(backlog)
    listener.set_inheritable(True)
    host, port = listener.getsockname()
    thread_options = ["--threads", str(threads)] if worker_class == "gthread" else []
    options = ["--workers", str(workers), "--worker-class", worker_class, *thread_options, *options]
    command = [
        sys.executable, "-m", "gunicorn", "pmpp.wsgi:application",
        "--bind", f"fd://{listener.fileno()}",
        *options,
        "--preload",
        "--log-level", "warning",
    ]  # fmt: skip
    description = " ".join([*options, "--preload"])
    label = f"{workers} {worker_class} workers" + (f" × {threads} threads" if worker_class == "gthread" else "")
    print(f"  starting gunicorn ({description}) on {host}:{port}…", flush=True)
    # A session of its own: the terminal's Ctrl+C reaches the bench only, which stops the
    # server in order below; and killpg reaches the master and its workers together.
    process = subprocess.Popen(  # noqa: S603 — gunicorn from this interpreter's environment
        command, cwd=ROOT, env=child_env(env), pass_fds=(listener.fileno(),), start_new_session=True
    )
    try:
        with terminated_on_sigterm():
            _wait_until_serving(host, port, process)
            yield AppServer(host, port, process, description, label)
    finally:
        stop(process)
        listener.close()
        print("  gunicorn stopped", flush=True)


def _wait_until_serving(host: str, port: int, process: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited with status {process.returncode} before serving")
        connection = http.client.HTTPConnection(host, port, timeout=5)
        try:
            connection.request("GET", "/")  # the sign-in redirect, as soon as a worker runs
            if connection.getresponse().status < 500:
                return
        except OSError:
            time.sleep(0.2)
        finally:
            connection.close()
    raise RuntimeError(f"gunicorn did not answer within {timeout:.0f} s")


def integration_token() -> str:
    """A fresh token for the bench's integration account (created the first time).

    Tokens are stored hashed and shown once, so each run issues a new one; the account is
    the same as `manage.py create_integration_account bench-api --channel chikaya
    --organisation cdg-cnra --programme tayssir` makes.
    """
    from api.models import IntegrationAccount
    from pmpp import roles
    from pmpp.accounts import service_account_ensure
    from pmpp.models import Channel

    user, _created = service_account_ensure(
        username="api-bench-api",
        first_name="API",
        last_name="bench-api",
        role_codes=(roles.INTEGRATION_ACCOUNT,),
        organisation="cdg-cnra",
        programmes=(API_PROGRAMME,),
        reason="Compte des mesures de performance",
    )
    token, token_hash = IntegrationAccount.new_token()
    IntegrationAccount.objects.update_or_create(
        name="bench-api",
        defaults={
            "user": user,
            "channel": Channel.objects.get(code=API_CHANNEL),
            "token_hash": token_hash,
            "is_active": True,
        },
    )
    return token


class IntakeBodies:
    """Valid intake bodies, each a different (made-up) complainant, so none is a duplicate."""

    def __init__(self, seed: int):
        self._random = random.Random(seed)  # noqa: S311 — made-up complainants, no secret
        self._lock = threading.Lock()

    def complainant(self) -> dict[str, str]:
        """A made-up CNIE and mobile number of the valid form."""
        with self._lock:
            letters = "".join(self._random.choices(string.ascii_uppercase, k=2))
            digits = self._random.randrange(10**6)
            phone = self._random.randrange(10**8)
        return {"cnie": f"{letters}{digits:06d}", "phone": f"06{phone:08d}"}

    def next(self) -> bytes:
        return json.dumps(
            {
                "programme": API_PROGRAMME,
                "category": API_CATEGORY,
                "description": "La bourse du deuxième trimestre n'est pas arrivée (mesure de performance).",
                **self.complainant(),
                "name": "Réclamant de mesure",
                "sex": "female",
                "age_group": "36_59",
                "external_reference": f"BENCH-{uuid.uuid4().hex}",  # the channel's own file number
            }
        ).encode()
