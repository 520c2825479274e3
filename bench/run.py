"""Benchmarks of the back office on PostgreSQL at scale (`make bench`); results to bench/RESULTS.md.

    DATABASE_URL=postgres://… python bench/run.py --count 1000000 [--repeat 30] [--only NAME,…]

Tops the database up to `--count` grievances with `generate_grievances` (kept between runs),
refreshes the planner's statistics, then measures each scenario after a warm-up: p50, p95
and max over `--repeat` runs, in-process through Django's test client (middleware,
views, templates, database; no network). The XLSX export runs in a child process of its
own so that its peak memory is measured alone. The plans of the three slowest queries
seen are printed and written with the table.

These are measurements, not tests: nothing here fails the build. The targets come from
issues 6 and 8 and are shown next to each result.
"""

import argparse
import os
import platform
import resource
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pmpp.settings")
# Measured as production serves them: DEBUG off (no debug context, templates as deployed).
# Queries are still recorded, per scenario, for their count and the slowest plans. Static
# URLs without the collectstatic manifest: the pages measured are the same either way.
os.environ.setdefault("DEBUG", "0")
os.environ.setdefault("SECRET_KEY", "bench-" + os.urandom(24).hex())
os.environ.setdefault("STATIC_MANIFEST", "0")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, reset_queries  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from grievances.models import Grievance  # noqa: E402
from pmpp import roles  # noqa: E402
from pmpp.models import Programme, User  # noqa: E402


@dataclass
class Result:
    name: str
    target: str
    unit: str = "ms"
    samples: list[float] = field(default_factory=list)
    queries: int | None = None
    note: str = ""
    passed: bool | None = None
    per_second: float | None = None  # throughput scenarios: requests or transitions per second

    def p(self, q: float) -> float:
        ordered = sorted(self.samples)
        return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


SLOW_QUERIES: list[tuple[float, str, str]] = []  # (ms, scenario, sql)


def measure(name: str, target_ms: float | None, fn, *, repeat: int, warmup: int = 3, target: str = "") -> Result:
    for _ in range(warmup):
        fn()
    result = Result(name, target or (f"< {target_ms:.0f} ms" if target_ms else ""))
    for _ in range(repeat):
        reset_queries()
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            fn()
            result.samples.append((time.perf_counter() - started) * 1000)
        result.queries = len(captured.captured_queries)
        for query in captured.captured_queries:
            SLOW_QUERIES.append((float(query["time"]) * 1000, name, query["sql"]))
    if target_ms is not None:
        result.passed = result.p(0.95) < target_ms
    print(f"{name:<55} p50 {result.p(0.5):8.1f} ms  p95 {result.p(0.95):8.1f} ms  queries {result.queries}", flush=True)
    return result


def ensure_data(count: int) -> None:
    call_command("migrate", verbosity=0)
    have = Grievance.objects.count()
    if have < count:
        print(f"Generating {count - have:,} grievances (have {have:,})…", flush=True)
        call_command("generate_grievances", count=count - have, seed=have + 1, force=True)
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    print(f"{Grievance.objects.count():,} grievances, {Grievance.history.count():,} history rows", flush=True)


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def get(client: Client, url: str, data=None):
    def run():
        response = client.get(url, data or {})
        if response.status_code != 200:
            raise RuntimeError(f"{url} answered {response.status_code}")
        b"".join(response) if response.streaming else response.content

    return run


def post_see_other(client: Client, url: str, data):
    """A POST answered 303 (search): returns where it sends the browser."""

    def run() -> str:
        response = client.post(url, data)
        if response.status_code != 303:
            raise RuntimeError(f"{url} answered {response.status_code}, not 303")
        return response["Location"]

    return run


def search(label: str, client: Client, term: str, *, repeat: int, lands_on_results: bool = True) -> list[Result]:
    """A search as the browser makes it: the POST and its 303, then the results page it lands on.

    Both are timed: the POST (which finds a reference's file, or keeps the term in the session
    under a token) and the GET of the results (the search itself, run again by Back and Forward).
    The results URL is taken after the POSTs are measured: a session keeps its last 20 searches.
    """
    url = reverse("grievances:search")
    results = [
        measure(f"{label}: POST, 303", 150, post_see_other(client, url, {"q": term}), repeat=repeat),
    ]
    if lands_on_results:
        location = post_see_other(client, url, {"q": term})()
        results.append(measure(f"{label}: results page (GET)", 150, get(client, location), repeat=repeat))
    return results


DEEP = 50_000


def deep_cursor(user: User, queue_slug: str, *, depth: int = DEEP) -> tuple[str, int] | None:
    """The « Suivant » cursor a reader holds after paging `depth` rows into a queue, and its depth.

    Found once, with an OFFSET, outside the measurement: the measured request then reads the
    page after it (what page 2,001 of 25 rows was before keyset pagination). A queue shorter
    than `depth` is read at its last page; one that fits on a page has no cursor (None).
    """
    from grievances.queues import DEFAULT_QUEUE_SORT, QUEUES_BY_SLUG, queue_cursor
    from grievances.selectors import grievance_queue_for_user

    rows = (
        grievance_queue_for_user(user=user, queue=QUEUES_BY_SLUG[queue_slug], today=timezone.localdate())
        .order_by("current_due_on", "pk")
        .values("current_due_on", "pk")
    )
    found = list(rows[depth - 1 : depth])
    if not found:
        depth = rows.count() - 25
        if depth < 1:
            return None
        found = list(rows[depth - 1 : depth])
    last = found[0]
    return queue_cursor(sort=DEFAULT_QUEUE_SORT, value=last["current_due_on"], pk=last["pk"]), depth


def queue_scenarios(users: dict[str, User], *, repeat: int) -> list[Result]:
    """Every queue of every bench account (bench/scenarios.py): its first page and a cursor page deep in it."""
    from bench.scenarios import ACCOUNTS

    results = []
    for spec in ACCOUNTS:
        user, client = users[spec.username], client_for(users[spec.username])
        for queue in spec.queues():
            url = reverse("grievances:queue", args=[queue.slug])
            results.append(measure(f"Queue « {queue.label} », first page ({spec.label})", 80,
                                   get(client, url), repeat=repeat))  # fmt: skip
            plan_check(results[-1])
            deep = deep_cursor(user, queue.slug)
            if deep is not None:
                cursor, depth = deep
                results.append(measure(
                    f"Queue « {queue.label} », cursor page at row {depth + 1:,} ({spec.label})", 80,
                    get(client, url, {"cursor": cursor}), repeat=repeat))  # fmt: skip
                plan_check(results[-1])
    return results


PLAN_CHECKS: list[tuple[int, str, str]] = []  # (rows discarded, scenario, indexes read)


def plan_check(result: Result) -> None:
    """Reads the plan of the scenario's page query: which indexes it reads and how many rows it discards.

    The page query is the scenario's slowest statement on the grievances table; a plan that
    walks an index and throws rows away by filter (what made multi-programme queues slow)
    shows here as thousands of rows discarded.
    """
    import re

    statements = [sql for _ms, name, sql in SLOW_QUERIES if name == result.name and "ORDER BY" in sql]
    if not statements:
        return
    sql = max(statements, key=len)
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE) " + sql)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    discarded = sum(int(n) for n in re.findall(r"Rows Removed by Filter: (\d+)", plan))
    indexes = sorted(set(re.findall(r"(?:Scan (?:Backward )?using|Bitmap Index Scan on) (grievance\w+)", plan)))
    PLAN_CHECKS.append((discarded, result.name, ", ".join(indexes)))


def file_sample(size: int = 200, *, generated: int = 1_000_000) -> list[int]:
    """A fixed sample of Tayssir grievance ids spread over the generated data set.

    Every n-th id among the first `generated` rows (those `generate_grievances` made before
    any bench run wrote its own): the same ids on every run, never a grievance the bench
    created, and not the one the previous request just brought into the cache.
    """
    ids = Grievance.objects.order_by("pk").values_list("pk", flat=True)
    first = ids[:1][0]
    last = ids[min(generated, Grievance.objects.count()) - 1]
    step = max(1, (last - first) // size)
    return list(
        Grievance.objects.filter(pk__in=range(first, last + 1, step), programme__code="tayssir")
        .exclude(status=Grievance.Status.SENSITIVE)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def rotating_get(client: Client, urls: list[str]):
    """Each call reads the next URL of the list, round the list."""
    position = iter(range(10**9))

    def run():
        url = urls[next(position) % len(urls)]
        response = client.get(url)
        if response.status_code != 200:
            raise RuntimeError(f"{url} answered {response.status_code}")
        assert response.content

    return run


def last_full_semester(today: date) -> tuple[int, int]:
    return (today.year, 1) if today.month > 6 else (today.year - 1, 2)


def xlsx_export(repeat: int) -> Result:
    """The 'all grievances' queue of one programme (about 100k rows at 1M), in a child process."""
    daam = Programme.objects.get(code="daam")
    rows = Grievance.objects.filter(programme=daam).count()
    result = Result(f"XLSX export, {rows:,} rows (DAAM, queue « toutes »)", "< 20 s, < 150 MB", unit="s")
    peaks = []
    for _ in range(repeat):
        output = subprocess.run(  # noqa: S603 — our own script, run with this interpreter
            [sys.executable, str(Path(__file__).with_name("xlsx_export.py")), str(daam.pk)],
            check=True,
            capture_output=True,
            text=True,
            env=os.environ,
        ).stdout.split()
        seconds, peak_mb, baseline_mb, size = float(output[0]), float(output[1]), float(output[2]), int(output[3])
        result.samples.append(seconds * 1000)
        peaks.append((peak_mb, baseline_mb))
    worst_peak, baseline = max(peaks)
    result.note = (
        f"peak RSS {worst_peak:.0f} MB (process with Django loaded: {baseline:.0f} MB before the request; "
        f"export adds {worst_peak - baseline:.0f} MB); file {size / 1e6:.1f} MB"
    )
    result.passed = result.p(0.95) < 20_000 and worst_peak < 150
    print(f"{result.name:<55} p50 {result.p(0.5) / 1000:.1f} s  p95 {result.p(0.95) / 1000:.1f} s  {result.note}")
    return result


def explain_slowest(limit: int = 3) -> list[tuple[float, str, str, str]]:
    seen, plans = set(), []
    for ms, scenario, sql in sorted(SLOW_QUERIES, reverse=True):
        shape = sql[:300]
        if shape in seen or not sql.lstrip().upper().startswith("SELECT"):
            continue
        seen.add(shape)
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
            plan = "\n".join(row[0] for row in cursor.fetchall())
        plans.append((ms, scenario, sql, plan))
        if len(plans) == limit:
            break
    return plans


def machine() -> dict[str, str]:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if "model name" in line
        ),
        platform.processor(),
    )
    memory_kb = int(
        next(line.split()[1] for line in Path("/proc/meminfo").read_text().splitlines() if line.startswith("MemTotal"))
    )
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        pg = cursor.fetchone()[0]
    import psycopg

    return {
        "Machine": (
            f"{os.cpu_count()} × {cpu}, {memory_kb / 1024 / 1024:.0f} GB RAM, {platform.system()} {platform.release()}"
        ),
        "Python": platform.python_version(),
        "Django": django.get_version(),
        "PostgreSQL": pg,
        "psycopg": psycopg.__version__,
    }


def write_results(
    path: Path, *, count: int, results: list[Result], plans, info: dict[str, str], started: float
) -> None:
    lines = [
        "# Benchmark results",
        "",
        f"Measured by `make bench` (`bench/run.py`) on {timezone.localtime():%Y-%m-%d %H:%M} (Africa/Casablanca), "
        f"in {(time.perf_counter() - started) / 60:.0f} min.",
        "",
        *(f"- **{key}**: {value}" for key, value in info.items()),
        f"- **Data**: {count:,} grievances ({Grievance.history.count():,} history rows), "
        "made by `manage.py generate_grievances --count`.",
        "",
        "| Scenario | p50 | p95 | max | per second | queries | target | met |",
        "|---|---:|---:|---:|---:|---:|---|---|",
    ]
    for r in results:
        scale, unit = (1000, "s") if r.unit == "s" else (1, "ms")
        cells = [f"{r.p(q) / scale:,.1f} {unit}" for q in (0.5, 0.95, 1.0)]
        met = "" if r.passed is None else ("yes" if r.passed else "**no**")
        cells.append(f"{r.per_second:,.1f}" if r.per_second is not None else "")
        lines.append(
            f"| {r.name} | {' | '.join(cells)} | {r.queries if r.queries is not None else ''} | {r.target} | {met} |"
        )
    notes = [r for r in results if r.note]
    if notes:
        lines += ["", *(f"- {r.name}: {r.note}" for r in notes)]
    if PLAN_CHECKS:
        worst = sorted(PLAN_CHECKS, reverse=True)[:5]
        lines += [
            "",
            f"## Queue plans ({len(PLAN_CHECKS)} page queries, `EXPLAIN ANALYZE`)",
            "",
            "Rows read from an index then discarded by a filter, the most first (a plan that walks "
            "the wrong index discards hundreds of thousands):",
            "",
            "| Scenario | rows discarded | grievance indexes read |",
            "|---|---:|---|",
            *(f"| {name} | {discarded:,} | {indexes} |" for discarded, name, indexes in worst),
        ]
    lines += ["", "## Plans of the three slowest queries", ""]
    for ms, scenario, sql, plan in plans:
        lines += [f"### {ms:.0f} ms, in « {scenario} »", "", "```sql", sql, "```", "", "```", plan, "```", ""]
    path.write_text("\n".join(lines) + "\n")
    print(f"Written to {path}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--xlsx-repeat", type=int, default=3)
    parser.add_argument("--output", type=Path, default=ROOT / "bench" / "RESULTS.md")
    parser.add_argument("--only", default="", help="Comma-separated scenario prefixes to run.")
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("The benchmarks run on PostgreSQL: set DATABASE_URL (make bench does it).")
    started = time.perf_counter()
    ensure_data(args.count)
    connection.force_debug_cursor = True

    from bench.scenarios import ACCOUNTS, create

    users = {spec.username: create(spec) for spec in ACCOUNTS}
    focal, ministry, agent = users["bench.pointfocal"], users["bench.ministere"], users["bench.agent"]
    year, semester = last_full_semester(timezone.localdate())
    files = file_sample()
    # The search's sample: a named complainant of the fixed sample (the bench writes none of these).
    sample = Grievance.objects.filter(pk__in=files, is_anonymous=False).order_by("pk").first()

    from bench import throughput
    from reporting.selectors import assemble_semester_report
    from reporting.statistics import Period, grievance_statistics

    only = [prefix.strip() for prefix in args.only.split(",") if prefix.strip()]
    scenarios = [
        ("Semester statistics", lambda: measure(
            f"Semester statistics S{semester} {year} (whole report data)", 1500,
            lambda: assemble_semester_report(user=focal, year=year, semester=semester), repeat=args.repeat)),
        ("Semester figures", lambda: measure(
            f"Semester grievance figures S{semester} {year} (one call)", 1500,
            lambda: grievance_statistics(user=ministry, period=Period.semester(year, semester)), repeat=args.repeat)),
        ("Dashboard", lambda: measure(
            "Dashboard page, ministry staff (current quarter)", 1500,
            get(client_for(ministry), reverse("reporting:dashboard")), repeat=args.repeat)),
        ("Queue", lambda: queue_scenarios(users, repeat=args.repeat)),
        ("Sensitive", lambda: [
            measure(f"Sensitive cases list ({spec.label})", 80,
                    get(client_for(users[spec.username]), reverse("grievances:sensitive_list")), repeat=args.repeat)
            for spec in ACCOUNTS if spec.role == roles.GBV_REFERENT
        ]),
        ("File", lambda: measure(
            f"Grievance file (agent, {len(files)} files in turn)", 80,
            rotating_get(client_for(agent), [reverse("grievances:detail", args=[pk]) for pk in files]),
            repeat=args.repeat)),
        ("Search CNIE", lambda: search(
            "Search by CNIE (agent)", client_for(agent), sample.complainant_cnie, repeat=args.repeat)),
        ("Search name", lambda: search(
            "Search by name (agent)", client_for(agent), sample.complainant_name, repeat=args.repeat)),
        ("Search name reversed", lambda: search(
            "Search by name, surname first (agent)", client_for(agent),
            " ".join(reversed(sample.complainant_name.split())), repeat=args.repeat)),
        ("Search reference", lambda: search(
            "Search by reference, straight to the file (agent)", client_for(agent), sample.reference,
            repeat=args.repeat, lands_on_results=False)),
        ("Complainant", lambda: measure(
            "Complainant's page (agent)", 150,
            get(client_for(agent), reverse("grievances:complainant", args=[sample.pk])), repeat=args.repeat)),
        ("XLSX", lambda: xlsx_export(args.xlsx_repeat)),
        ("API create", lambda: throughput.api_create(requests=10 * args.repeat)),
        ("Transitions", lambda: throughput.transitions(per_worker=5 * args.repeat)),
    ]  # fmt: skip
    results = [run() for name, run in scenarios if not only or any(name.startswith(p) for p in only)]
    results = [r for outcome in results for r in (outcome if isinstance(outcome, list) else [outcome])]
    plans = explain_slowest()
    for ms, scenario, sql, plan in plans:
        print(f"\n--- {ms:.0f} ms in {scenario}\n{sql[:2000]}\n{plan}")
    write_results(
        args.output, count=Grievance.objects.count(), results=results, plans=plans, info=machine(), started=started
    )
    print(f"peak RSS of the runner: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


if __name__ == "__main__":
    main()
