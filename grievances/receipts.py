"""What a complainant is given at intake: the receipt on screen and the printable slip (issue 18).

The receipt names the first instance's due date and the legal delay behind it (§6.2.2: 10 days
from the reception date, 60 for the Médiateur du Royaume; calendar days unless the programme's
policy says working days). The slip (« accusé de réception ») is a PDF drawn by WeasyPrint, in
A5 or A4, in French or Arabic, for walk-in, phone and mail intake.

The PIN of an anonymous complaint is stored only as a hash: it exists in clear only in the
intake's session for the receipt page, which shows it once. So that the slip can be printed
from that moment and not later, the receipt page keeps what the slip needs in the session
for `SLIP_WINDOW` and no longer; a later intake replaces it. Nothing of it is in a URL (the
slip is a POST) or in the file's name (the reference only).
"""

from datetime import date, datetime, timedelta

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import override

from grievances.models import Grievance
from grievances.services.intake import IntakeResult, deadline_policy_for
from pmpp.models import DeadlinePolicy

SLIP_SESSION_KEY = "intake_slip"
# Long enough to print, try another size or printer; short enough that the PIN does not linger.
SLIP_WINDOW = timedelta(minutes=10)
SLIP_SIZES = ("A5", "A4")
SLIP_LANGUAGES = ("fr", "ar")


def legal_delay(*, days: int, working: bool) -> str:
    """The legal delay in a short phrase, in the active language."""
    if working:
        return _("%(days)s jours ouvrés à compter de la réception (PMPP §6.2.2)") % {"days": days}
    return _("%(days)s jours calendaires à compter de la réception (PMPP §6.2.2)") % {"days": days}


def grievance_legal_delay(grievance: Grievance) -> str:
    """The delay of the policy `grievance` was given its due date under (one query)."""
    policies = DeadlinePolicy.objects.filter(programme_id=grievance.programme_id).order_by()
    by_channel = {p.channel_id: p for p in policies}
    policy = by_channel.get(grievance.channel_id) or by_channel.get(None)
    if policy is None:
        return ""
    return legal_delay(days=policy.treatment_days, working=policy.day_kind == DeadlinePolicy.DayKind.WORKING)


def receipt_data(result: IntakeResult) -> dict:
    """The intake's receipt, as the session keeps it until the receipt page shows it (JSON only)."""
    grievance = result.grievance
    data = {
        "reference": result.reference,
        "tracking_code": grievance.tracking_code if grievance else "",
        "pin": result.pin or "",
        "duplicate_of": result.duplicate_of.reference if result.duplicate_of else "",
        "similar_to": result.similar_to.reference if result.similar_to else "",
        "grievance": grievance.pk if grievance else None,
        "sensitive": result.sensitive_case is not None,
    }
    if grievance is not None and result.duplicate_of is None:
        policy = deadline_policy_for(programme=grievance.programme, channel=grievance.channel)
        data |= {
            "programme": grievance.programme.name,
            "programme_ar": grievance.programme.name_ar,
            "received_at": grievance.received_at.isoformat(),
            "due_on": grievance.due_on.isoformat(),
            "treatment_days": policy.treatment_days,
            "working_days": policy.day_kind == DeadlinePolicy.DayKind.WORKING,
            "anonymous": grievance.is_anonymous,
        }
    return data


def due_on(receipt: dict) -> date | None:
    return parse_date(receipt["due_on"]) if receipt.get("due_on") else None


def received_at(receipt: dict) -> datetime | None:
    return parse_datetime(receipt["received_at"]) if receipt.get("received_at") else None


def receipt_legal_delay(receipt: dict) -> str:
    if not receipt.get("treatment_days"):
        return ""
    return legal_delay(days=receipt["treatment_days"], working=receipt.get("working_days", False))


def slip_keep(session, receipt: dict, *, now: datetime) -> bool:
    """Keep what the slip needs for `SLIP_WINDOW`; False when this receipt has no slip
    (a sensitive case, a duplicate linked to an open case)."""
    if receipt.get("sensitive") or not receipt.get("due_on"):
        session.pop(SLIP_SESSION_KEY, None)
        return False
    session[SLIP_SESSION_KEY] = receipt | {"until": (now + SLIP_WINDOW).isoformat()}
    return True


def slip_from_session(session, *, now: datetime) -> dict | None:
    """The slip kept by the receipt page, while its window lasts; dropped once it has passed."""
    slip = session.get(SLIP_SESSION_KEY)
    if not slip:
        return None
    until = parse_datetime(slip.get("until", ""))
    if until is None or until <= now:
        session.pop(SLIP_SESSION_KEY, None)
        return None
    return slip


def slip_pdf(*, slip: dict, size: str, language: str, track_url: str) -> bytes:
    """The acknowledgement slip as PDF bytes, in `size` (A5, A4) and `language` (fr, ar)."""
    if size not in SLIP_SIZES or language not in SLIP_LANGUAGES:
        raise ValueError(f"Bordereau : format ou langue inconnus ({size}, {language})")
    from weasyprint import HTML

    from reporting.pdf import DataOnlyURLFetcher

    with override(language):
        html = render_to_string(
            "grievances/slip_pdf.html",
            {
                "slip": slip,
                "size": size,
                "language": language,
                "rtl": language == "ar",
                "programme": (slip.get("programme_ar") if language == "ar" else "") or slip.get("programme", ""),
                "received_at": timezone.localtime(received_at(slip)),
                "due_on": due_on(slip),
                "legal_delay": receipt_legal_delay(slip),
                "track_url": track_url,
                "printed_at": timezone.localtime(),
            },
        )
    return HTML(string=html, url_fetcher=DataOnlyURLFetcher()).write_pdf()
