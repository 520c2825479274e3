#!/usr/bin/env python
"""`make screenshots`: the main pages at 1366×768, in French and in Arabic, as PNG files in
screenshots/ (git ignores it) with an index.html to look at them side by side (issue 20).

It makes a demo database of its own (var/screenshots.sqlite3, afresh each run, with the
`make run` demo loaders), serves it with runserver on a free port, and drives Chromium with
Playwright: one sign-in per demo account, the pages that account works on. About a minute
or two. CHROMIUM_PATH names the browser (Debian's /usr/bin/chromium by default).
"""

import html
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
OUT = BASE_DIR / "screenshots"
DATABASE = BASE_DIR / "var" / "screenshots.sqlite3"
LANGUAGES = ("fr", "ar")
VIEWPORT = {"width": 1366, "height": 768}
DEMO_GRIEVANCES = 120


def _environment() -> dict:
    return os.environ | {
        "DEBUG": "1",  # runserver serves the static files
        "DATABASE_URL": f"sqlite:///{DATABASE}",
        "REPORTING_DATABASE_URL": "",
        "STATIC_MANIFEST": "0",
        "DJANGO_SETTINGS_MODULE": "pmpp.settings",
    }


def _manage(*args: str) -> None:
    subprocess.run(  # noqa: S603 — manage.py with this interpreter
        [sys.executable, "manage.py", *args], cwd=BASE_DIR, env=_environment(), check=True, stdout=subprocess.DEVNULL
    )


def _demo_database() -> None:
    DATABASE.parent.mkdir(exist_ok=True)
    for stale in DATABASE.parent.glob(DATABASE.name + "*"):
        stale.unlink()
    print("Demo database…", flush=True)
    _manage("migrate", "--noinput")
    _manage("load_demo", "--grievances", str(DEMO_GRIEVANCES))


def _plan(password: str) -> dict:
    """Demo accounts given `password`, and the pages each one is photographed on.

    Returns {"accounts": {username: [(name, path), ...]}, "public": [...], "tracking": (code, phone)}.
    """
    os.environ.update(_environment())
    sys.path.insert(0, str(BASE_DIR))
    import django

    django.setup()
    from django.urls import reverse
    from django.utils import timezone

    from grievances.models import Grievance
    from grievances.queues import queues_for
    from grievances.workflow import transition_rows
    from pmpp import roles
    from pmpp.models import User
    from reporting.services import semester_report_start
    from stakeholders.models import EngagementActivity

    users = {}
    for user in User.objects.filter(
        username__in=["agent", "traitement", "responsable", "cloture", "pointfocal", "admin"]
    ):
        user.set_password(password)
        user._change_reason = "Mot de passe des captures d'écran"
        user.save()
        users[user.username] = user

    agent = users["agent"]
    visible = Grievance.objects.visible_to(agent).order_by("pk")
    a_file = visible.exclude(status=Grievance.Status.RECEIVED).first() or visible.first()
    pages = {username: [] for username in users}
    pages["agent"] += [
        ("home", reverse("home")),
        *[(f"queue-{queue.slug}", reverse("grievances:queue", args=[queue.slug])) for queue in queues_for(agent)[:3]],
        ("file", reverse("grievances:detail", args=[a_file.pk])),
        ("intake", reverse("grievances:intake")),
        ("search", reverse("grievances:search")),
        ("answer-templates", reverse("answers:list")),
    ]
    # One form per step of the workflow, as the first role that may take it (its permission) on
    # a file in a state it starts from (the browser keeps the pages that open: 200 and a form).
    steps = []
    for row in transition_rows():
        for username in ("agent", "traitement", "responsable", "cloture"):
            if not roles.role_grants(users[username], row["permission"]):
                continue
            grievance = (
                Grievance.objects.visible_to(users[username]).filter(status__in=row["sources"]).order_by("pk").first()
            )
            if grievance is not None:
                steps.append(
                    (username, f"step-{row['name']}", reverse("grievances:step", args=[grievance.pk, row["name"]]))
                )
                break
    pages["responsable"] += [("dashboard", reverse("reporting:dashboard"))]
    today = timezone.localdate()
    report = semester_report_start(actor=users["pointfocal"], year=today.year, semester=1 if today.month <= 6 else 2)
    pages["pointfocal"] += [
        ("reports", reverse("reporting:report_list")),
        ("report", reverse("reporting:report_detail", args=[report.pk])),
        ("report-approve", reverse("reporting:report_approve", args=[report.pk])),
        ("registry", reverse("stakeholders:home")),
        ("registry-stakeholders", reverse("stakeholders:stakeholder_list")),
        ("registry-map", reverse("stakeholders:map")),
    ]
    activity = EngagementActivity.objects.order_by("-start_date").first()
    if activity is not None:
        pages["pointfocal"].append(("consultation", reverse("stakeholders:activity_detail", args=[activity.pk])))
    pages["pointfocal"].append(("consultation-form", reverse("stakeholders:activity_create")))
    pages["admin"] += [("admin", reverse("admin:index"))]
    closed = (
        Grievance.objects.filter(status=Grievance.Status.CLOSED, is_anonymous=False)
        .exclude(complainant_phone="")
        .exclude(tracking_code="")
        .first()
    )
    return {
        "accounts": pages,
        "steps": steps,
        "public": [
            ("public-form", reverse("portal:file")),
            ("tracking", reverse("portal:track")),
            ("public-statistics", reverse("reporting:public_statistics")),
        ],
        "tracking": (closed.tracking_code, closed.complainant_phone) if closed else None,
    }


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _serve(port: int) -> subprocess.Popen:
    server = subprocess.Popen(  # noqa: S603 — manage.py with this interpreter
        [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
        cwd=BASE_DIR,
        env=_environment(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/connexion/", timeout=2)
            return server
        except OSError:
            time.sleep(0.3)
    server.terminate()
    raise SystemExit("The demo server did not start.")


def _shoot(page, base: str, language: str, name: str, path: str, shots: dict, *, needs_form: bool = False) -> bool:
    response = page.goto(base + path)
    if response is None or response.status != 200 or (needs_form and page.locator("main form").count() == 0):
        return False
    page.screenshot(path=OUT / language / f"{name}.png", full_page=True)
    shots.setdefault(name, set()).add(language)
    return True


def _sign_in(page, base: str, username: str, password: str) -> None:
    page.goto(base + "/connexion/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    with page.expect_navigation():
        page.locator("#id_password").press("Enter")


def _photograph(base: str, plan: dict, password: str) -> dict:
    from playwright.sync_api import sync_playwright

    executable = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
    shots: dict[str, set] = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=executable if Path(executable).exists() else None, args=["--no-sandbox"]
        )
        for language in LANGUAGES:
            (OUT / language).mkdir(parents=True, exist_ok=True)
            print(f"Pages in {language}…", flush=True)

            def context(language=language):
                ctx = browser.new_context(viewport=VIEWPORT, locale=language)
                ctx.add_cookies([{"name": "django_language", "value": language, "url": base}])
                return ctx

            visitor = context()
            page = visitor.new_page()
            for name, path in plan["public"]:
                _shoot(page, base, language, name, path, shots)
            if plan["tracking"]:
                code, phone = plan["tracking"]
                page.goto(base + "/suivre-ma-reclamation/")
                page.fill("#id_tracking_code", code)
                page.fill("#id_identity", phone)
                with page.expect_navigation():
                    page.locator("#id_identity").press("Enter")
                page.screenshot(path=OUT / language / "tracking-page.png", full_page=True)
                shots.setdefault("tracking-page", set()).add(language)
            visitor.close()
            for username, pages in plan["accounts"].items():
                own_steps = [(name, path) for who, name, path in plan["steps"] if who == username]
                if not pages and not own_steps:
                    continue
                signed_in = context()
                page = signed_in.new_page()
                _sign_in(page, base, username, password)
                for name, path in pages:
                    _shoot(page, base, language, name, path, shots)
                for name, path in own_steps:
                    if language not in shots.get(name, set()):
                        _shoot(page, base, language, name, path, shots, needs_form=True)
                signed_in.close()
        browser.close()
    return shots


def _index(shots: dict) -> None:
    rows = []
    for name in sorted(shots):
        cells = "".join(
            f'<td><a href="{language}/{html.escape(name)}.png"><img src="{language}/{html.escape(name)}.png" '
            f'alt="{html.escape(name)} ({language})" loading="lazy"></a></td>'
            if language in shots[name]
            else "<td>—</td>"
            for language in LANGUAGES
        )
        rows.append(f"<tr><th scope=row>{html.escape(name)}</th>{cells}</tr>")
    (OUT / "index.html").write_text(
        "<!doctype html><html lang=fr><meta charset=utf-8><title>PMPP — captures d'écran</title>"
        "<style>body{font-family:system-ui,sans-serif;margin:1rem}td,th{vertical-align:top;padding:.5rem;"
        "text-align:start}img{width:600px;border:1px solid #ccc}</style>"
        f"<h1>PMPP — captures d'écran (1366×768)</h1><p>{len(shots)} pages, "
        f"{time.strftime('%Y-%m-%d %H:%M')}.</p><table><thead><tr><th>Page</th><th>Français</th><th>العربية</th>"
        f"</tr></thead><tbody>{''.join(rows)}</tbody></table></html>",
        encoding="utf-8",
    )


def main() -> None:
    started = time.monotonic()
    shutil.rmtree(OUT, ignore_errors=True)
    _demo_database()
    password = secrets.token_urlsafe(16)
    plan = _plan(password)
    port = _free_port()
    server = _serve(port)
    try:
        shots = _photograph(f"http://127.0.0.1:{port}", plan, password)
    finally:
        server.terminate()
        server.wait(timeout=10)
    _index(shots)
    count = sum(len(languages) for languages in shots.values())
    print(f"{count} screenshots in {OUT}/ ({time.monotonic() - started:.0f} s): open {OUT / 'index.html'}")


if __name__ == "__main__":
    main()
