"""Profile one API intake in-process: where its time goes, and what its statements are.

    DATABASE_URL=postgres://… python bench/profile_intake.py [--intakes 300] [--sql] [--parts] [--profile]

Writes real grievances (about 2 × `--intakes` + 20 warm-up, more with `--sql`) into the
database it runs on, as the integration account of the API benchmarks (`bench/server.py`).
Each intake calls the WSGI application as gunicorn does (every middleware, DRF, the intake
service, the database, and the request signals that hand the connection back to the pool),
without the network. Prints the wall and CPU time of one intake; with `--sql` each statement with its
mean time seen from here; with `--parts` the CPU and wall time spent in each part of the
request (each part's own time, the parts it calls excluded); with `--profile` cProfile's
table (`--cpu`: of CPU time).
"""

import argparse
import cProfile
import io
import os
import pstats
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

os.environ.setdefault("LOG_LEVEL", "WARNING")  # as bench/server.py runs gunicorn

import bench.run  # noqa: E402, F401 (sets Django up)
from bench.server import GRIEVANCES_URL, IntakeBodies, integration_token  # noqa: E402


def intake_caller() -> Callable[[], None]:
    """A function that files one intake through the WSGI application, as gunicorn calls it."""
    from django.core.wsgi import get_wsgi_application

    application = get_wsgi_application()
    token = integration_token()
    bodies = IntakeBodies(seed=time.time_ns())

    def intake() -> None:
        body = bodies.next()
        environ = {
            "REQUEST_METHOD": "POST",
            "PATH_INFO": GRIEVANCES_URL,
            "SCRIPT_NAME": "",
            "QUERY_STRING": "",
            "SERVER_NAME": "localhost",
            "SERVER_PORT": "80",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "REMOTE_ADDR": "127.0.0.1",
            "HTTP_HOST": "localhost",
            "CONTENT_TYPE": "application/json",
            "CONTENT_LENGTH": str(len(body)),
            "HTTP_AUTHORIZATION": f"Token {token}",
            "HTTP_IDEMPOTENCY_KEY": str(uuid.uuid4()),
            "wsgi.input": io.BytesIO(body),
            "wsgi.url_scheme": "http",
            "wsgi.errors": sys.stderr,
        }
        statuses = []
        response = application(environ, lambda status, headers, exc_info=None: statuses.append(status))
        content = b"".join(response)
        response.close()
        if not statuses[0].startswith("201"):
            raise RuntimeError(f"the intake answered {statuses[0]}: {content[:300]!r}")

    return intake


# What --parts reports: (label, module, owner attribute or None, function name).
PARTS = [
    ("request: middleware, routing, DRF", "rest_framework.views", "APIView", "dispatch"),
    ("token authentication", "api.authentication", "IntegrationTokenAuthentication", "authenticate"),
    ("intake serializer", "rest_framework.serializers", "Serializer", "is_valid"),
    ("api_grievance_register", "api.services", None, "api_grievance_register"),
    ("grievance_register: checks, instance", "grievances.services.intake", None, "grievance_register"),
    ("  open duplicate", "grievances.services.intake", None, "find_open_duplicate"),
    ("  due dates", "grievances.services.intake", None, "due_dates"),
    ("  reference", "grievances.services.intake", None, "next_reference"),
    ("  ORM saves (grievance, key row)", "django.db.models", "Model", "save_base"),
    ("  history row", "simple_history.models", "HistoricalRecords", "create_historical_record"),
    ("  acknowledgement and its task", "grievances.services.intake", None, "notification_queue_acknowledgement"),
    ("COMMIT", "django.db.backends.base.base", "BaseDatabaseWrapper", "commit"),
    ("statements (driver, wait)", "django.db.backends.utils", "CursorWrapper", "_execute"),
]


def measure_parts(intake: Callable[[], None], *, runs: int) -> list[tuple[str, float, float]]:
    """(part, CPU ms, wall ms) per intake, each part's own time (the parts it calls excluded)."""
    import importlib

    totals: dict[str, list[float]] = {}
    stack: list[list[float]] = []

    def wrap(label: str, function):
        def timed(*args, **kwargs):
            cpu, wall = time.process_time(), time.perf_counter()
            stack.append([0.0, 0.0])
            try:
                return function(*args, **kwargs)
            finally:
                inner_cpu, inner_wall = stack.pop()
                cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
                total = totals.setdefault(label, [0.0, 0.0])
                total[0] += cpu - inner_cpu
                total[1] += wall - inner_wall
                if stack:
                    stack[-1][0] += cpu
                    stack[-1][1] += wall

        return timed

    originals = []
    for label, module_name, owner_name, name in PARTS:
        module = importlib.import_module(module_name)
        owner = getattr(module, owner_name) if owner_name else module
        original = owner.__dict__.get(name)  # None: inherited, deleted again afterwards
        timed = wrap(label, getattr(owner, name))
        setattr(owner, name, timed)
        originals.append((owner, name, original))
        if owner_name is None:
            # Modules that imported the function by name call it through their own reference.
            for other in ("api.views", "api.services", "grievances.services.intake"):
                other = importlib.import_module(other)
                if other is not module and other.__dict__.get(name) is original:
                    setattr(other, name, timed)
                    originals.append((other, name, original))
    try:
        cpu, wall = time.process_time(), time.perf_counter()
        for _ in range(runs):
            intake()
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    finally:
        for owner, name, original in reversed(originals):
            if original is None:
                delattr(owner, name)
            else:
                setattr(owner, name, original)
    rows = [(label, totals.get(label, [0.0, 0.0])) for label, *_ in PARTS]
    rest = [cpu - sum(t[0] for _l, t in rows), wall - sum(t[1] for _l, t in rows)]
    rows.append(("rest: WSGI handler, middleware outside DRF", rest))
    return [(label, c * 1000 / runs, w * 1000 / runs) for label, (c, w) in rows]


def statement_times(intake: Callable[[], None], *, runs: int) -> list[tuple[str, float]]:
    """(statement, mean ms seen from here) of each statement of an intake, in order, over
    `runs` intakes; the COMMIT too (it runs the deferred triggers and waits for the WAL flush)."""
    from django.db import connection

    totals: dict[int, list] = {}

    def record(sql: str, started: float, position: list[int]) -> None:
        entry = totals.setdefault(position[0], [sql, 0.0])
        entry[1] += time.perf_counter() - started
        position[0] += 1

    for _ in range(runs):
        position = [0]

        def timed_execute(execute, sql, params, many, context, position=position):
            started = time.perf_counter()
            try:
                return execute(sql, params, many, context)
            finally:
                record(sql, started, position)

        commit = connection._commit

        def timed_commit(commit=commit, position=position):
            started = time.perf_counter()
            try:
                return commit()
            finally:
                record("COMMIT", started, position)

        connection._commit = timed_commit
        try:
            with connection.execute_wrapper(timed_execute):
                intake()
        finally:
            del connection._commit
    return [(sql, total * 1000 / runs) for sql, total in (totals[n] for n in sorted(totals))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--intakes", type=int, default=300, help="Intakes per measurement.")
    parser.add_argument("--sql", action="store_true", help="List the statements of one intake, with their times.")
    parser.add_argument("--parts", action="store_true", help="CPU and wall time of each part of the request.")
    parser.add_argument("--profile", action="store_true", help="cProfile's table.")
    parser.add_argument("--cpu", action="store_true", help="Profile CPU time instead of wall time.")
    parser.add_argument("--sort", default="cumulative", help="cProfile's sort key.")
    parser.add_argument("--top", type=int, default=60, help="Rows of cProfile's table.")
    args = parser.parse_args()

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    intake = intake_caller()
    for _ in range(20):
        intake()
    cpu, wall = time.process_time(), time.perf_counter()
    for _ in range(args.intakes):
        intake()
    cpu, wall = (time.process_time() - cpu) * 1000 / args.intakes, (time.perf_counter() - wall) * 1000 / args.intakes
    print(f"{args.intakes} intakes: {wall:.2f} ms each, {cpu:.2f} ms of CPU in this process\n")
    if args.sql:
        with CaptureQueriesContext(connection) as captured:
            intake()
        print(f"{len(captured.captured_queries)} queries (transaction control included):")
        for n, (sql, ms) in enumerate(statement_times(intake, runs=min(args.intakes, 100)), 1):
            print(f"{n:2d}. {ms:6.2f} ms  {sql[:150]}")
        print()
    if args.parts:
        print(f"{'part':45} {'CPU ms':>7} {'wall ms':>8}")
        for label, cpu_ms, wall_ms in measure_parts(intake, runs=args.intakes):
            print(f"{label:45} {cpu_ms:7.2f} {wall_ms:8.2f}")
        print()
    if args.profile:
        profiler = cProfile.Profile(time.process_time) if args.cpu else cProfile.Profile()
        profiler.enable()
        for _ in range(args.intakes):
            intake()
        profiler.disable()
        pstats.Stats(profiler).sort_stats(args.sort).print_stats(args.top)


if __name__ == "__main__":
    main()
