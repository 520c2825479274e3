"""Throughput benchmarks (issue 8): API create over real HTTP, and workflow transitions.

    DATABASE_URL=postgres://… python bench/throughput.py [--requests 500] [--per-worker 100]

`bench/run.py` calls `api_create` and `transitions`; run alone, this file prints the same
rows. Both write real grievances into the database they run on (the count is in each
result's note): run them on a database whose data may grow.

API create: a gunicorn started by `bench/server.py` serves `pmpp.wsgi` on 127.0.0.1 (a
free port) with DEBUG off, configured as the README's production command: 2 gthread workers
of 4 threads, 8 requests at a time, so 4 concurrent clients never queue for a slot, and the
2 cores are shared by the processes as in production. Client threads POST valid intake bodies
with a fresh `Idempotency-Key` each, as an integration account (token auth). The server
is always stopped, on failure, Ctrl+C or SIGTERM too.

Transitions: qualify then analyse on freshly registered grievances, through
`grievances.services.workflow`, each step its own transaction with its history row, as
the back office does. The workers are child processes (two cores: threads would share one
interpreter lock), each with its own database connection, started together.
"""

import argparse
import http.client
import json
import os
import select
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.run import Result  # noqa: E402 (sets Django up)
from bench.server import (  # noqa: E402
    API_CATEGORY,
    API_PROGRAMME,
    GRIEVANCES_URL,
    IntakeBodies,
    app_server,
    child_env,
    integration_token,
    stop,
    terminated_on_sigterm,
)

TARGET_CREATES_PER_SECOND = 150


def _intake_queries(token: str, bodies: IntakeBodies) -> int:
    """Queries of one intake request, counted in-process (Django's test client)."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    headers = {"Authorization": f"Token {token}", "Idempotency-Key": str(uuid.uuid4())}
    with CaptureQueriesContext(connection) as captured:
        response = Client().post(GRIEVANCES_URL, bodies.next(), content_type="application/json", headers=headers)
    if response.status_code != 201:
        raise RuntimeError(f"the intake answered {response.status_code}: {response.content[:300]!r}")
    return len(captured.captured_queries)


def _post_intakes(
    host: str, port: int, *, token: str, bodies: IntakeBodies, count: int, clients: int, reconnect: bool = False
):
    """`count` intakes shared by `clients` threads, each with its own connection (a new one
    for every request with `reconnect`).

    Returns (latencies in ms, errors, wall seconds).
    """
    remaining = iter(range(count))
    lock = threading.Lock()
    latencies: list[float] = []
    errors: list[str] = []

    def client() -> None:
        connection = http.client.HTTPConnection(host, port, timeout=30)
        try:
            while True:
                with lock:
                    if next(remaining, None) is None:
                        return
                body = bodies.next()
                headers = {
                    "Authorization": f"Token {token}",
                    "Idempotency-Key": str(uuid.uuid4()),
                    "Content-Type": "application/json",
                }
                started = time.perf_counter()
                try:
                    connection.request("POST", GRIEVANCES_URL, body=body, headers=headers)
                    response = connection.getresponse()
                    response.read()
                    status = response.status
                except (OSError, http.client.HTTPException) as error:
                    connection.close()  # the next request opens a new connection
                    status = type(error).__name__
                elapsed = (time.perf_counter() - started) * 1000
                if reconnect:
                    connection.close()  # the next request opens a new one, which any worker may accept
                with lock:
                    latencies.append(elapsed)
                    if status != 201:
                        errors.append(str(status))
        finally:
            connection.close()

    threads = [threading.Thread(target=client, name=f"client-{n}") for n in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies, errors, time.perf_counter() - started


def api_create(*, client_counts: tuple[int, ...] = (1, 4), requests: int = 500, warmup: int = 50) -> list[Result]:
    """Intakes per second over HTTP, for each number of concurrent clients.

    After `warmup` intakes (not measured), `requests` intakes; a result per client count
    with the latencies (p50/p95/max), the rate, the queries per intake and the errors.
    """
    token = integration_token()
    bodies = IntakeBodies(seed=time.time_ns())
    queries = _intake_queries(token, bodies)
    results = []
    with app_server() as server:
        for clients in client_counts:
            print(f"  API create, {clients} client(s): {warmup} warm-up, then {requests} intakes…", flush=True)
            post = {"token": token, "bodies": bodies, "clients": clients}
            # A connection stays with the worker that accepted it: warm-up requests each on a
            # connection of their own reach every worker (2 workers: all but 2⁻⁴⁹ of the time), so
            # none starts cold (its first request: pool, PostgreSQL session, caches: about 1 s here)
            # inside the timed requests.
            _post_intakes(server.host, server.port, count=warmup, reconnect=True, **post)
            cpu = server.cpu_seconds()
            latencies, errors, seconds = _post_intakes(server.host, server.port, count=requests, **post)
            cpu_ms = (server.cpu_seconds() - cpu) * 1000 / len(latencies)
            rate = len(latencies) / seconds
            plural = "s" if clients > 1 else ""
            one_client = clients == 1
            result = Result(
                f"API create, {clients} concurrent client{plural} (HTTP, gunicorn {server.label})",
                f"≥ {TARGET_CREATES_PER_SECOND} /s, 0 errors" if one_client else "0 errors",
                samples=latencies,
                queries=queries,
                per_second=rate,
            )
            result.passed = not errors and (rate >= TARGET_CREATES_PER_SECOND or not one_client)
            result.note = (
                f"{len(latencies)} intakes in {seconds:.1f} s after {warmup} warm-up, "
                f"{len(errors)} errors{' (' + ', '.join(sorted(set(errors))) + ')' if errors else ''}; "
                f"app server CPU {cpu_ms:.1f} ms per intake; "
                f"{warmup + requests} grievances created"
            )
            _print(result)
            results.append(result)
    return results


# --- transitions ---------------------------------------------------------------------------------------------


def _transition_worker(count: int) -> None:
    """A child process: register `count` grievances, say "ready", wait for "go" on stdin,
    then qualify and analyse each (one transaction per step); JSON of the timings to stdout."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from bench.scenarios import ACCOUNTS_BY_USERNAME, create
    from grievances.models import Grievance
    from grievances.services import workflow
    from grievances.services.intake import grievance_register
    from pmpp.models import Channel, ComplaintCategory, Programme

    agent = create(ACCOUNTS_BY_USERNAME["bench.agent"])  # on API_PROGRAMME (Tayssir)
    programme = Programme.objects.get(code=API_PROGRAMME)
    channel = Channel.objects.get(code="walk-in")
    category = ComplaintCategory.objects.get(programme=programme, code=API_CATEGORY)
    bodies = IntakeBodies(seed=time.time_ns() + os.getpid())
    grievances = []
    while len(grievances) < count:
        body = json.loads(bodies.next())
        result = grievance_register(
            actor=agent,
            programme=programme,
            channel=channel,
            description=body["description"],
            cnie=body["cnie"],
            phone=body["phone"],
            name=body["name"],
            category=category,
            notify_complainant=False,
        )
        # A CNIE drawn at random can be that of an open case among a million: linked as its
        # duplicate, it has no qualification to time. Draw another.
        if result.duplicate_of is None:
            grievances.append(result.grievance)

    def qualify(grievance: Grievance) -> Grievance:
        return workflow.grievance_qualify(
            grievance=grievance,
            actor=agent,
            category=category,
            subject="Bourse non reçue",
            nature=Grievance.Nature.INDIVIDUAL,
            identity_verified=True,
            expected_status=Grievance.Status.RECEIVED,
        )

    def analyse(grievance: Grievance) -> Grievance:
        return workflow.grievance_analyse(
            grievance=grievance,
            actor=agent,
            conclusion="Paiement rejeté par la banque ; relance faite.",
            outcome=Grievance.Outcome.FOUNDED,
            expected_status=Grievance.Status.QUALIFIED,
        )

    # One grievance outside the timing, to count the queries of each step.
    with CaptureQueriesContext(connection) as captured:
        qualified = qualify(grievances.pop())
    queries = len(captured.captured_queries)
    analyse(qualified)

    print("ready", flush=True)
    if sys.stdin.readline().strip() != "go":
        return
    latencies = []
    for grievance in grievances:
        for step in (qualify, analyse):
            started = time.perf_counter()
            grievance = step(grievance)
            latencies.append((time.perf_counter() - started) * 1000)
    analysed = Grievance.objects.filter(pk__in=[g.pk for g in grievances], status=Grievance.Status.ANALYSED).count()
    history = Grievance.history.filter(id__in=[g.pk for g in grievances]).count()
    print(json.dumps({"latencies": latencies, "queries": queries, "analysed": analysed, "history": history}))


def transitions(*, worker_counts: tuple[int, ...] = (1, 4), per_worker: int = 100) -> list[Result]:
    """Transitions per second (qualify → analyse) for each number of concurrent workers."""
    results = []
    for workers in worker_counts:
        print(f"  Transitions, {workers} worker(s): registering {per_worker + 1} grievances each…", flush=True)
        children = []
        try:
            with terminated_on_sigterm():
                for _ in range(workers):
                    children.append(
                        subprocess.Popen(  # noqa: S603 — this script, with this interpreter
                            [sys.executable, __file__, "--transition-worker", str(per_worker + 1)],
                            cwd=ROOT,
                            env=child_env(),
                            stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE,
                            text=True,
                            start_new_session=True,
                        )
                    )
                for child in children:
                    if child.stdout.readline().strip() != "ready":
                        raise RuntimeError(f"a transition worker failed (status {child.wait()})")
                print(f"  … {workers} worker(s) ready, {2 * per_worker} transitions each", flush=True)
                started = time.perf_counter()
                for child in children:
                    child.stdin.write("go\n")
                    child.stdin.flush()
                reports = [_report_of(child) for child in children]
                seconds = time.perf_counter() - started
        finally:
            for child in children:
                stop(child)
        latencies = [ms for report in reports for ms in report["latencies"]]
        expected = workers * per_worker
        analysed = sum(report["analysed"] for report in reports)
        history = sum(report["history"] for report in reports)
        plural = "s" if workers > 1 else ""
        result = Result(
            f"Transitions qualify → analyse, {workers} concurrent worker{plural} (service layer)",
            "",
            samples=latencies,
            queries=reports[0]["queries"],
            per_second=len(latencies) / seconds,
        )
        result.note = (
            f"{len(latencies)} transitions in {seconds:.1f} s; {analysed}/{expected} grievances analysed with "
            f"{history} history rows (3 each: register, qualify, analyse); queries: those of one qualify step; "
            f"{workers * (per_worker + 1)} grievances created"
        )
        if analysed != expected or history != 3 * expected:
            result.passed = False
        _print(result)
        results.append(result)
    return results


def _report_of(child: subprocess.Popen, timeout: float = 600) -> dict:
    ready, _, _ = select.select([child.stdout], [], [], timeout)
    if not ready:
        raise RuntimeError(f"a transition worker gave no result within {timeout:.0f} s")
    line = child.stdout.readline()
    if not line:
        raise RuntimeError(f"a transition worker failed (status {child.wait()})")
    return json.loads(line)


def _print(result: Result) -> None:
    print(
        f"{result.name:<55} {result.per_second:7.1f} /s  p50 {result.p(0.5):6.1f} ms  p95 {result.p(0.95):6.1f} ms  "
        f"max {result.p(1):6.1f} ms  queries {result.queries}  {result.note}",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=500, help="Intakes measured per client count.")
    parser.add_argument("--per-worker", type=int, default=100, help="Grievances qualified and analysed per worker.")
    parser.add_argument("--only", choices=["api", "transitions"])
    parser.add_argument("--transition-worker", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.transition_worker:
        _transition_worker(args.transition_worker)
        return
    from django.db import connection

    if connection.vendor != "postgresql":
        sys.exit("The benchmarks run on PostgreSQL: set DATABASE_URL.")
    if args.only != "transitions":
        api_create(requests=args.requests)
    if args.only != "api":
        transitions(per_worker=args.per_worker)


if __name__ == "__main__":
    main()
