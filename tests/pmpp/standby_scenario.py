"""The reporting replica on a real streaming hot standby: what each screen reads, observed.

Run by tests/pmpp/test_real_standby.py in its own process, with DATABASE_URL naming a primary
and REPORTING_DATABASE_URL its hot standby (scripts/pg-standby.sh), each URL carrying its own
`application_name`. It prepares the primary (migrate, reference data, 200 generated grievances,
the accounts), waits for the standby to replay it all, then pauses replay and writes a grievance
on the primary: a row that exists only there. Each screen is then asked what it sees, and
every observation is written as JSON to the file named by the first argument; the test asserts
on it. Nothing here asserts: a step that cannot be carried out raises, and the test fails.

    python -m tests.pmpp.standby_scenario OUT.json
"""

import json
import os
import re
import sys
import time
from datetime import timedelta
from pathlib import Path

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pmpp.settings")
django.setup()

import psycopg  # noqa: E402
from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import DatabaseError, connections  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from grievances.models import Grievance  # noqa: E402
from grievances.services.intake import grievance_register  # noqa: E402
from pmpp import roles  # noqa: E402
from pmpp.accounts import service_account_ensure  # noqa: E402
from pmpp.db_routers import reporting_reads  # noqa: E402
from pmpp.models import Channel, Programme, Province, Region  # noqa: E402
from reporting.services import semester_report_start  # noqa: E402

# The application_name each alias connects with (set in the URLs by the test).
REPORTING_APPLICATION = "pmpp-reporting"
PROBE_APPLICATION = "pmpp-standby-probe"
REPLAY_TIMEOUT = 30.0


def probe(alias: str) -> psycopg.Connection:
    """A connection of our own to the server behind `alias`, outside Django's pools, so that
    watching the servers adds nothing to what the application's connections do."""
    db = settings.DATABASES[alias]
    options = db["OPTIONS"]
    return psycopg.connect(
        dbname=db["NAME"],
        user=db["USER"],
        host=options["host"],
        port=options["port"],
        application_name=PROBE_APPLICATION,
        autocommit=True,
    )


def scalar(conn: psycopg.Connection, sql: str, params=()):
    return conn.execute(sql, params).fetchone()[0]


def wait_for_replay(primary: psycopg.Connection, standby: psycopg.Connection) -> float:
    """Seconds until the standby has replayed everything the primary had written when called."""
    target = scalar(primary, "select pg_current_wal_lsn()::text")
    started = time.monotonic()
    while not scalar(standby, "select pg_last_wal_replay_lsn() >= %s::pg_lsn", [target]):
        if time.monotonic() - started > REPLAY_TIMEOUT:
            raise RuntimeError(f"the standby did not replay up to {target} in {REPLAY_TIMEOUT:.0f} s")
        time.sleep(0.02)
    return time.monotonic() - started


def reporting_connections(standby: psycopg.Connection) -> int:
    """Connections the application's `reporting` alias holds open on the standby."""
    return scalar(
        standby,
        "select count(*) from pg_stat_activity where application_name = %s and datname = current_database()",
        [REPORTING_APPLICATION],
    )


def number(text: str) -> int:
    return int(re.sub(r"\D", "", text))


class Screens:
    """The pages under test, each read as a signed-in person of the right role would."""

    def __init__(self, *, ministry, focal, agent, report):
        self.ministry, self.focal, self.agent = Client(), Client(), Client()
        self.ministry.force_login(ministry)
        self.focal.force_login(focal)
        self.agent.force_login(agent)
        self.public = Client()
        self.report = report
        today = timezone.localdate()
        self.last_sixty_days = {
            "period": "custom",
            "start": (today - timedelta(days=60)).isoformat(),
            "end": today.isoformat(),
        }

    @staticmethod
    def _ok(response):
        if response.status_code != 200:
            raise RuntimeError(f"{response.request['PATH_INFO']} answered {response.status_code}")
        return response

    def received(self) -> dict[str, int]:
        """Requests received as each reporting screen counts them: the ministry's dashboard over
        the last sixty days, the public page's current quarter (every programme), and the draft
        semester report's preview (the current semester)."""
        dashboard = self._ok(self.ministry.get(reverse("reporting:dashboard"), self.last_sixty_days))
        public = self._ok(self.public.get(reverse("reporting:public_statistics")))
        report = self._ok(self.focal.get(reverse("reporting:report_detail", args=[self.report.pk])))
        shown = {block["table"].key: block["rows"] for block in report.context["tables"]}
        return {
            "dashboard": dashboard.context["dashboard"].overall.received,
            # The last column is the current quarter; its first figure is « reçues ».
            "public_statistics": sum(row["cells"][-1][0] for row in public.context["programmes"]),
            "report_preview": number(shown["grievances"][0][1][0]),
        }

    def case_worker_sees(self, grievance: Grievance) -> dict[str, bool]:
        """Whether the agent finds `grievance` on the queue « toutes », its file, and by search."""
        queue = self._ok(self.agent.get(reverse("grievances:queue", args=["toutes"]), {"sort": "-received_at"}))
        file = self.agent.get(reverse("grievances:detail", args=[grievance.pk]))
        search = self.agent.post(reverse("grievances:search"), {"q": grievance.reference})
        its_file = reverse("grievances:detail", args=[grievance.pk])
        return {
            "queue": grievance.pk in [row.pk for row in queue.context["page"].rows],
            "file": file.status_code == 200 and grievance.reference in file.content.decode(),
            "search": search.status_code == 303 and search["Location"] == its_file,
        }


def main(out: Path) -> None:
    observed: dict = {"seconds": {}}
    seconds = observed["seconds"]
    primary, standby = probe("default"), probe("reporting")
    # Table names from the models, never from input.
    grievance_rows = f"select count(*) from {Grievance._meta.db_table} where id = %s"  # noqa: S608
    province_rows = f"select count(*) from {Province._meta.db_table} where code = 'zz-replica'"  # noqa: S608
    province_history_rows = province_rows.replace(Province._meta.db_table, Province.history.model._meta.db_table)
    touch_province = f"update {Province._meta.db_table} set name = name where code = 'zz-replica'"  # noqa: S608

    started = time.monotonic()
    call_command("migrate", interactive=False, verbosity=0)
    seconds["migrate"] = time.monotonic() - started
    started = time.monotonic()
    call_command("load_reference", verbosity=0)
    call_command("generate_grievances", count=200, seed=1, force=True, verbosity=0)
    ministry, focal, agent = (
        service_account_ensure(
            username=username,
            first_name=username,
            role_codes=(role,),
            organisation=organisation,
            programmes=(programme,),
            reason="Test du réplica de reporting",
        )[0]
        for username, role, organisation, programme in (
            ("standby.ministere", roles.MINISTRY_VIEWER, "mef-db", None),
            ("standby.pointfocal", roles.ES_FOCAL_POINT, "mef-db", None),
            ("standby.agent", roles.AGENT, "cdg-cnra", "tayssir"),
        )
    )
    today = timezone.localdate()
    report = semester_report_start(actor=focal, year=today.year, semester=1 if today.month <= 6 else 2)
    tayssir, phone = Programme.objects.get(code="tayssir"), Channel.objects.get(code="call-centre")

    def register(cnie: str, phone_number: str, name: str) -> Grievance:
        # Each with its own person: a second request by the same person would count as a duplicate.
        return grievance_register(
            actor=agent,
            programme=tayssir,
            channel=phone,
            description="La bourse du deuxième trimestre n'est pas arrivée.",
            cnie=cnie,
            phone=phone_number,
            name=name,
            notify_complainant=False,
        ).grievance

    known = register("ZZ100001", "0698765431", "Amina Témoin")
    seconds["load"] = time.monotonic() - started
    seconds["catch_up_after_load"] = wait_for_replay(primary, standby)
    observed["servers"] = {
        "primary_in_recovery": scalar(primary, "select pg_is_in_recovery()"),
        "standby_in_recovery": scalar(standby, "select pg_is_in_recovery()"),
        "streaming": scalar(primary, "select count(*) from pg_stat_replication where state = 'streaming'"),
    }

    started = time.monotonic()
    setup_test_environment()  # responses carry their template context
    screens = Screens(ministry=ministry, focal=focal, agent=agent, report=report)
    # Django opens the `reporting` alias's pool on its first read there: until a reporting
    # screen is served, the standby has no connection from the application at all.
    observed["reporting_connections"] = {"at_start": reporting_connections(standby)}
    observed["case_worker_sees_a_known_grievance"] = screens.case_worker_sees(known)
    observed["reporting_connections"]["after_case_work"] = reporting_connections(standby)
    observed["before"] = screens.received()
    observed["reporting_connections"]["after_reporting_screens"] = reporting_connections(standby)
    observed["primary_count_before"] = Grievance.objects.count()

    # Replay paused: from now on the standby shows the database as it is at this instant, and
    # the grievance written next exists on the primary only.
    standby.execute("select pg_wal_replay_pause()")
    while scalar(standby, "select pg_get_wal_replay_pause_state()") != "paused":
        time.sleep(0.01)
    fresh = register("ZZ100002", "0698765432", "Brahim Pause")
    time.sleep(0.5)  # ample time to replay it, were replay not paused
    observed["fresh_grievance"] = {
        "on_primary": scalar(primary, grievance_rows, [fresh.pk]),
        "on_standby": scalar(standby, grievance_rows, [fresh.pk]),
    }
    observed["case_worker_sees_the_fresh_grievance"] = screens.case_worker_sees(fresh)
    observed["while_paused"] = screens.received()
    observed["primary_count_while_paused"] = Grievance.objects.count()

    # A write inside the reporting scope: its reads come from the standby, the row goes to the primary.
    with reporting_reads():
        region = Region.objects.order_by("pk").first()
        province = Province.objects.create(region=region, code="zz-replica", name="Province d'essai", kind="province")
    observed["write_in_scope"] = {
        "region_read_from": region._state.db,
        "province_written_to": province._state.db,
        "on_primary": scalar(primary, province_rows),
        "history_on_primary": scalar(primary, province_history_rows),
        "on_standby": scalar(standby, province_rows),
    }
    # The control: the `reporting` alias itself is the read-only standby, as the router assumes.
    try:
        with connections["reporting"].cursor() as cursor:
            cursor.execute(touch_province)
        observed["write_on_reporting_alias"] = "accepted"
    except DatabaseError as error:
        observed["write_on_reporting_alias"] = str(error).splitlines()[0]
    observed["aliases_in_recovery"] = {
        alias: scalar_via_django(alias, "select pg_is_in_recovery()") for alias in ("default", "reporting")
    }
    seconds["screens_and_pause"] = time.monotonic() - started

    standby.execute("select pg_wal_replay_resume()")
    seconds["catch_up_after_resume"] = wait_for_replay(primary, standby)
    observed["after_resume"] = screens.received()
    observed["fresh_grievance"]["on_standby_after_resume"] = scalar(standby, grievance_rows, [fresh.pk])
    observed["write_in_scope"]["on_standby_after_resume"] = scalar(standby, province_rows)
    connections.close_all()
    out.write_text(json.dumps(observed, indent=2))


def scalar_via_django(alias: str, sql: str):
    with connections[alias].cursor() as cursor:
        cursor.execute(sql)
        return cursor.fetchone()[0]


if __name__ == "__main__":
    main(Path(sys.argv[1]))
