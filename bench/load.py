"""A bounded mixed load over gunicorn (issue 19): `make loadtest`; results in bench/LOAD.md.

    DATABASE_URL=postgres://… python bench/load.py [--clients 30] [--duration 120] [--think 1]
        [--workers 2] [--worker-class gthread|sync] [--threads 4] [--keep-alive 2] [--pool-max 10]

Starts gunicorn as `bench/server.py` does (127.0.0.1, a free port, DEBUG off, stopped on
exit, Ctrl+C and SIGTERM), then runs for `--duration` seconds a third each of:

- API intake clients: POST /api/v1/grievances/ as the integration account `bench-api`, a
  made-up complainant, a fresh `Idempotency-Key` and external reference each time;
- portal filing clients: the public form, shown then sent with its CSRF token, then the
  receipt; a new visitor each time;
- signed-in agents (`load.agent.NN`, programme Tayssir), who sign in through the login page
  and then cycle: a queue, sometimes its « Suivant » page, a file from it, a search (POST,
  then its 303), and sometimes the qualification of a received grievance;

plus `--readers` ministry staff (`load.ministere`) reloading the dashboard, beyond
`--clients`. Every client is a thread with its own connection and cookies, pausing `--think`
seconds on average between requests (0: as fast as answers come). A few requests are sent
twice on purpose (`--replay-rate`): the same key or the same form must give the first
reference back.

Afterwards the database is checked (bench/reconcile.py): every reference a client was given
exists once, the grievances created match what was acknowledged, no external reference is
doubled, every qualification a client was told of is in the history. The results go to
`--output` (bench/LOAD.md); the section « Configurations tried » of that file, written by
hand, is kept from one run to the next.

It writes: grievances (5 to 10 a second at 30 clients and `--think 1`), sessions,
history rows, and the agents' qualifications. Use a database whose data may grow, and
nothing else writing grievances meanwhile: they would be counted as never acknowledged.
"""

import argparse
import os
import random
import secrets
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.load_clients import (  # noqa: E402
    API_INTAKE,
    KINDS,
    QUEUE,
    QUEUE_NEXT,
    AgentClient,
    ApiClient,
    PortalClient,
    ReaderClient,
    Recorder,
    Site,
)
from bench.reconcile import Reconciliation, reconcile  # noqa: E402
from bench.run import Result, machine  # noqa: E402 (sets Django up)
from bench.server import (  # noqa: E402
    API_CHANNEL,
    API_PROGRAMME,
    PRODUCTION_THREADS,
    PRODUCTION_WORKER_CLASS,
    PRODUCTION_WORKERS,
    app_server,
    integration_token,
    process_cpu_seconds,
)

KEPT_SECTION = "## Configurations tried"
ACCOUNT_REASON = "Compte du test de charge"


# --- before the run: accounts, URLs, search terms ---------------------------------------------------------------


def _signing_in_account(username: str, role: str, organisation: str, programme: str | None, password: str):
    """A bench account (pmpp.accounts) given a password, so that it signs in through the login page."""
    from pmpp.accounts import service_account_ensure

    user, _created = service_account_ensure(
        username=username,
        first_name=username,
        role_codes=(role,),
        organisation=organisation,
        programmes=(programme,),
        reason=ACCOUNT_REASON,
    )
    user.set_password(password)
    user._change_reason = ACCOUNT_REASON
    user.save(update_fields=["password"])
    return user


def _search_terms(*, seed: int, count: int = 100) -> list[str]:
    """CNIEs, names (as written and surname first) and references of Tayssir grievances,
    spread over the table by starting at random ids (an ORDER BY random() reads it all)."""
    from django.db.models import Max, Min

    from grievances.models import Grievance

    rows = Grievance.objects.filter(programme__code=API_PROGRAMME, is_anonymous=False).exclude(complainant_cnie="")
    bounds = rows.aggregate(low=Min("pk"), high=Max("pk"))
    if bounds["low"] is None:
        raise SystemExit("No Tayssir grievance to search for: generate some first (manage.py generate_grievances).")
    draw = random.Random(seed)  # noqa: S311 — which grievances to look for, no secret
    terms = []
    for _ in range(count):
        row = rows.filter(pk__gte=draw.randint(bounds["low"], bounds["high"])).order_by("pk").first()
        if row is None:
            continue
        name = row.complainant_name
        terms += [row.complainant_cnie, row.complainant_cnie, name, " ".join(reversed(name.split())), row.reference]
    return terms


def prepare(*, host: str, port: int, agents: int, readers: int, options) -> Site:
    from django.urls import reverse

    from pmpp import roles
    from pmpp.models import ComplaintCategory

    password = secrets.token_urlsafe(18)
    agent_names = [f"load.agent.{n:02d}" for n in range(1, agents + 1)]
    reader_names = ["load.ministere"] if readers else []
    for name in agent_names:
        _signing_in_account(name, roles.AGENT, "cdg-cnra", API_PROGRAMME, password)
    for name in reader_names:
        _signing_in_account(name, roles.MINISTRY_VIEWER, "mef-db", None, password)
    portal_choices = list(
        ComplaintCategory.objects.filter(is_active=True, programme__is_active=True).values_list("programme_id", "pk")
    )
    return Site(
        host=host,
        port=port,
        token=integration_token(),
        password=password,
        agents=agent_names,
        readers=reader_names,
        login_url=reverse("login"),
        home_url=reverse("home"),
        portal_url=reverse("portal:file"),
        dashboard_url=reverse("reporting:dashboard"),
        search_url=reverse("grievances:search"),
        queue_url=lambda slug: reverse("grievances:queue", args=[slug]),
        step_url=lambda pk, name: reverse("grievances:step", args=[pk, name]),
        portal_choices=portal_choices,
        search_terms=_search_terms(seed=options.seed),
        replay_rate=options.replay_rate,
        step_rate=options.step_rate,
    )


# --- during the run: the clients, and the machine's load ---------------------------------------------------------


class LoadSampler(threading.Thread):
    """/proc/loadavg and the share of CPU time spent busy (/proc/stat), every `every` seconds."""

    def __init__(self, stop: threading.Event, every: float = 2.0):
        super().__init__(name="load-sampler", daemon=True)
        self.stop, self.every = stop, every
        self.loadavg: list[float] = []
        self.first = self.last = self._cpu()

    @staticmethod
    def _cpu() -> tuple[int, int]:
        fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
        idle = fields[3] + fields[4]  # idle, iowait
        return sum(fields) - idle, sum(fields)

    def run(self) -> None:
        while not self.stop.wait(self.every):
            self.loadavg.append(float(Path("/proc/loadavg").read_text().split()[0]))
            self.last = self._cpu()

    def busy(self) -> float:
        """Share of the machine's CPU time spent busy over the run (1.0: every core, all the time)."""
        busy, total = (last - first for first, last in zip(self.first, self.last, strict=True))
        return busy / total if total else 0.0


def run_clients(site: Site, *, options) -> tuple[Recorder, float]:
    """Run every client until the deadline; (what they recorded, wall seconds)."""
    stop = threading.Event()
    now = time.perf_counter()
    deadline = now + options.duration
    recorder = Recorder(started=now, warmup_ends=now + options.warmup)
    per_group = options.clients // 3
    plan = [
        *((ApiClient, f"api-{n}") for n in range(per_group)),
        *((PortalClient, f"portal-{n}") for n in range(per_group)),
        *((AgentClient, name) for name in site.agents),
        *((ReaderClient, name) for name in site.readers),
    ]
    clients = [
        kind(
            name,
            site,
            recorder,
            deadline=deadline,
            stop=stop,
            think=options.think,
            seed=options.seed + n,
            ramp_up=options.warmup / 2,
        )
        for n, (kind, name) in enumerate(plan)
    ]
    threads = [threading.Thread(target=client.run, name=client.name, daemon=True) for client in clients]
    for thread in threads:
        thread.start()
    try:
        while any(thread.is_alive() for thread in threads):
            for thread in threads:
                thread.join(timeout=0.5)
    finally:
        stop.set()  # on Ctrl+C: every client ends at its next request
    return recorder, time.perf_counter() - now


# --- after the run: the database's side, and the results --------------------------------------------------------


def check(recorder: Recorder, *, first_new_id: int) -> tuple[Reconciliation, list[str]]:
    """Compare what the clients were told with the database: filings, then qualifications."""
    from django.db.models import Count

    from grievances.models import Grievance
    from portal.filing import WEB_CHANNEL_CODE

    new = Grievance.objects.filter(pk__gte=first_new_id)
    channels = {API_CHANNEL: "api", WEB_CHANNEL_CODE: "portal"}
    created = {}
    for row in new.values("channel__code").annotate(n=Count("pk")).order_by():
        channel = channels.get(row["channel__code"], row["channel__code"])
        created[channel] = created.get(channel, 0) + row["n"]
    references = {filing.reference for filing in recorder.filings}
    stored = dict(
        Grievance.objects.filter(reference__in=references).values_list("reference").annotate(n=Count("pk")).order_by()
    )
    external = dict(
        new.exclude(external_reference="").values_list("external_reference").annotate(n=Count("pk")).order_by()
    )
    verdict = reconcile(recorder.filings, stored=stored, created=created, external_references=external)

    told = recorder.qualified
    pks = {pk for _agent, pk in told}
    in_history = set(
        Grievance.history.filter(
            id__in=pks, status=Grievance.Status.QUALIFIED, history_user__username__startswith="load.agent."
        ).values_list("id", flat=True)
    )
    twice = len(told) - len(pks)
    steps = [
        f"qualifications: {len(told):,} told « Étape enregistrée », {len(in_history):,} in the history"
        f"{f', **{twice} grievances told twice**' if twice else ''}; {recorder.stale_steps:,} found already "
        "moved by another agent (answered with the file, not an error)"
    ]
    if in_history != pks or twice:
        steps.append("**FAILED**: a qualification a client was told of is not in the history, or was told twice")
    return verdict, steps


def p(samples: list[float], q: float) -> float:
    """The q-quantile, as bench/run.py reads it (0 for no sample)."""
    return Result("", "", samples=samples).p(q) if samples else 0.0


def _table(recorder: Recorder, measured_seconds: float) -> list[str]:
    """A row per kind of request: all of them and their errors, then the times after the warm-up."""
    lines = ["| Request | requests | errors | p50 | p95 | max | per second |", "|---|---:|---:|---:|---:|---:|---:|"]
    for kind in KINDS:
        if not recorder.counts[kind]:
            continue
        samples, errors = recorder.samples[kind], recorder.errors.get(kind, {})
        shown = (
            f"**{sum(errors.values())}** ({', '.join(f'{n} × {what}' for what, n in sorted(errors.items()))})"
            if errors
            else "0"
        )
        lines.append(
            f"| {kind} | {recorder.counts[kind]:,} | {shown} | {p(samples, 0.5):,.0f} ms | {p(samples, 0.95):,.0f} ms"
            f" | {p(samples, 1):,.0f} ms | {len(samples) / measured_seconds:,.1f} |"
        )
    return lines


def _queue_table(recorder: Recorder) -> list[str]:
    lines = ["| Queue | pages | p50 | p95 | max |", "|---|---:|---:|---:|---:|"]
    for queue, samples in sorted(recorder.by_queue.items()):
        lines.append(
            f"| {queue} | {len(samples):,} | {p(samples, 0.5):,.0f} ms | {p(samples, 0.95):,.0f} ms "
            f"| {p(samples, 1):,.0f} ms |"
        )
    return lines


def write(path: Path, *, lines: list[str]) -> None:
    """The results, then the hand-written « Configurations tried » of the previous file, if any."""
    kept = ""
    if path.exists():
        previous = path.read_text()
        if KEPT_SECTION in previous:
            kept = previous[previous.index(KEPT_SECTION) :]
    path.write_text("\n".join(lines).rstrip() + "\n" + ("\n" + kept if kept else ""))
    print(f"Written to {path}")


def _backend_cpu() -> dict[int, float]:
    """CPU seconds so far of each PostgreSQL backend serving this database but this process's
    (the server's pooled connections), read from /proc: the cluster is local. pid → s."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
            "AND backend_type = 'client backend' AND pid <> pg_backend_pid()"
        )
        return {pid: process_cpu_seconds(pid) for (pid,) in cursor.fetchall()}


def _temporary_files() -> tuple[int, int]:
    """Temporary files PostgreSQL has written for this database so far, and their bytes: a sort
    or hash that outgrew work_mem spills to one."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT temp_files, temp_bytes FROM pg_stat_database WHERE datname = current_database()")
        return cursor.fetchone()


def _grievance_count() -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM grievances_grievance")
        return cursor.fetchone()[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=30, help="API, portal and agent clients, a third each.")
    parser.add_argument("--readers", type=int, default=1, choices=[0, 1], help="Ministry dashboard reader, extra.")
    parser.add_argument("--duration", type=float, default=120, help="Seconds of load.")
    parser.add_argument("--warmup", type=float, default=10, help="First seconds not in the times (errors count).")
    parser.add_argument("--think", type=float, default=1.0, help="Mean pause between a client's requests, s.")
    parser.add_argument("--replay-rate", type=float, default=0.05, help="Share of filings sent twice on purpose.")
    parser.add_argument("--step-rate", type=float, default=0.3, help="Share of agent rounds with a qualification.")
    parser.add_argument("--workers", type=int, default=PRODUCTION_WORKERS)
    parser.add_argument("--worker-class", choices=["sync", "gthread"], default=PRODUCTION_WORKER_CLASS)
    parser.add_argument("--threads", type=int, default=PRODUCTION_THREADS, help="Threads per gthread worker.")
    parser.add_argument(
        "--keep-alive", type=int, help="gunicorn's --keep-alive, s (gthread; 0: none, as behind nginx)."
    )
    parser.add_argument("--pool-max", type=int, help="DB_POOL_MAX_SIZE of the server (default: its own, 10).")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--output", type=Path, default=ROOT / "bench" / "LOAD.md")
    options = parser.parse_args()

    from django.db import connection
    from django.db.models import Max
    from django.utils import timezone

    from grievances.models import Grievance

    if connection.vendor != "postgresql":
        sys.exit("The load test runs on PostgreSQL: set DATABASE_URL (make loadtest does it).")
    before = _grievance_count()
    first_new_id = (Grievance.objects.aggregate(last=Max("pk"))["last"] or 0) + 1
    info = machine()
    server_env = {"DB_POOL_MAX_SIZE": str(options.pool_max)} if options.pool_max else {}
    server_options = {
        "workers": options.workers,
        "worker_class": options.worker_class,
        "threads": options.threads,
        "options": ("--keep-alive", str(options.keep_alive)) if options.keep_alive is not None else (),
    }
    with app_server(**server_options, env=server_env, backlog=256) as server:
        agents = options.clients - 2 * (options.clients // 3)
        site = prepare(host=server.host, port=server.port, agents=agents, readers=options.readers, options=options)
        database_cpu = _backend_cpu()
        spills = _temporary_files()
        connection.close()  # the clients' account set-up is done; the run's database work is the server's
        sampler = LoadSampler(threading.Event())
        sampler.start()
        cpu = server.cpu_seconds()
        own_cpu = sum(os.times()[:2])
        print(f"  {options.clients} clients + {options.readers} reader for {options.duration:.0f} s…", flush=True)
        try:
            recorder, seconds = run_clients(site, options=options)
        finally:
            sampler.stop.set()
        server_cpu = server.cpu_seconds() - cpu
        own_cpu = sum(os.times()[:2]) - own_cpu
        # Backends still open at the end; one the pool closed during the run is not counted.
        database_cpu = sum(spent - database_cpu.get(pid, 0.0) for pid, spent in _backend_cpu().items())
    verdict, steps = check(recorder, first_new_id=first_new_id)
    measured = seconds - options.warmup
    total = sum(recorder.counts.values())
    errors = sum(sum(c.values()) for c in recorder.errors.values())
    queue_p95 = p(recorder.samples[QUEUE] + recorder.samples[QUEUE_NEXT], 0.95)
    average = sum(sampler.loadavg) / len(sampler.loadavg) if sampler.loadavg else 0.0
    pool = options.pool_max or int(os.environ.get("DB_POOL_MAX_SIZE", "10"))
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_size_pretty(pg_database_size(current_database())), current_database()")
        size, database = cursor.fetchone()
        cursor.execute("SHOW work_mem")
        work_mem = cursor.fetchone()[0]
    files, spilled = (now - before for now, before in zip(_temporary_files(), spills, strict=True))
    summary = [
        f"{total:,} requests in {seconds:.0f} s ({total / seconds:,.1f} per second), {errors:,} errors; "
        f"p95 of queue pages {queue_p95:,.0f} ms, of API intakes "
        f"{p(recorder.samples[API_INTAKE], 0.95):,.0f} ms",
        f"load average (1 min) during the run: mean {average:.1f}, max {max(sampler.loadavg, default=0):.1f} "
        f"(sampled every 2 s); CPU busy {sampler.busy():.0%} of {os.cpu_count()} cores; "
        f"CPU per request: gunicorn workers {server_cpu * 1000 / max(total, 1):.0f} ms, their PostgreSQL "
        f"backends {database_cpu * 1000 / max(total, 1):.0f} ms ({server_cpu:.0f} s and {database_cpu:.0f} s in all); "
        f"load clients {own_cpu:.0f} s CPU; {recorder.reconnections:,} requests sent again on a new connection "
        "(a kept-alive one closed by the server while idle, as browsers do)",
        *verdict.lines(),
        *steps,
    ]
    lines = [
        "# Load test",
        "",
        f"Measured by `make loadtest` (`bench/load.py`) on {timezone.localtime():%Y-%m-%d %H:%M} (Africa/Casablanca).",
        "",
        *(f"- **{key}**: {value}" for key, value in info.items()),
        f"- **Data**: {before:,} grievances before the run, {_grievance_count():,} after; database "
        f"`{database}`, {size}; PostgreSQL work_mem {work_mem}: {files:,} temporary "
        f"files ({spilled / 2**20:,.0f} MB) written during the run (pg_stat_database; statistics "
        "are sent with a delay of up to a second)",
        f"- **Server**: `gunicorn pmpp.wsgi {server.description}` on 127.0.0.1, DEBUG off, "
        f"psycopg pool of at most {pool} connections per worker process (DB_POOL_MAX_SIZE; one per thread "
        "at most in use)",
        f"- **Load**: {options.clients // 3} API intake clients, {options.clients // 3} portal filing clients, "
        f"{agents} signed-in agents (Tayssir){', plus 1 ministry reader on the dashboard' if options.readers else ''}; "
        f"each its own thread and connection, {options.think:g} s mean pause between requests; "
        f"{options.duration:.0f} s, the clients starting at random within the first {options.warmup / 2:g} s, "
        f"the first {options.warmup:.0f} s not in the times but for signing in (their errors are counted); "
        f"{options.replay_rate:.0%} of filings sent twice on purpose; no per-address limit relaxed (none applies: "
        "the login lockout counts failures only, the tracking page is not used)",
        "",
        "## Summary",
        "",
        *(f"- {line}" for line in summary),
        "",
        "## Per request",
        "",
        *_table(recorder, measured),
        "",
        "Errors: any other status than the one named, or no answer (timeout, reset). Times: as the client sees",
        "them, the request alone (redirects are followed as requests of their own).",
        "",
        "## Queue pages, by queue",
        "",
        *_queue_table(recorder),
        "",
    ]
    write(options.output, lines=lines)
    print("\n".join(["", *_table(recorder, measured), "", *summary]))
    if not verdict.ok:
        sys.exit(1)


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:  # Ctrl+C or SIGTERM: gunicorn was stopped on the way out
        sys.exit("Interrupted: no results written.")
