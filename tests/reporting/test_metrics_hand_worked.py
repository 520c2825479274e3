"""The grievance statistics of a quarter worked out by hand (reporting/metrics.py, SPEC §6, PMPP §6.3).

Thirteen requests received in the second quarter of 2024 (1 April – 30 June, local dates in
Africa/Casablanca, both ends inclusive), plus two just outside it. Each is built at chosen
instants through the replay service (state machine, permissions, closure-date rule), except
the back-dated letter, recorded through the live intake. Every figure of `Statistics.as_dict()`
is then asserted for the quarter as a whole and by programme, channel, web / non-web and
month, against values worked out by hand in the comments — never by calling the code under test.

Morocco's clock in 2024: UTC+1, except during Ramadan, UTC+0 from 10 March 03:00 to
14 April 02:00 local time. So 14 April 2024 lasted 23 hours: an instant is written below in
local time with its UTC equivalent, and elapsed hours are counted in UTC.

Situation date (`as_of`): Monday 8 July 2024, 09:00 local. « Overdue » = open and
`due_on` < 8 July 2024. Every deadline policy of the reference data counts calendar days
(10 days, 60 for the Médiateur du Royaume), so no figure in working days exists: those are None.

The cast (tests/conftest.py): Salma, agent on Tayssir and DAAM (qualifies, analyses, routes,
notifies commitments, drafts and sends answers, records appeals); Youssef, case handler on
Tayssir (commitments); Nadia, head of beneficiary services (approves answers, reviews
appeals); Karim, closing officer. Leila, the E&S focal point, reads the figures.

Summary (d = delay in days, h = exact hours; « within » = local closure date ≤ due_on):

    id  programme  channel      month  kind / state                       due_on   closure retenue     d   h     within
    A   Tayssir    web-portal   June   à qualifier (30 June 23:30)        —        —                   —   —     —
    B   DAAM       call-centre  May    information request, answered      —        6 May 15:30          4   101.5 —
    C   Tayssir    web-portal   April  founded, closed day 10 at 17:00    12 Apr   12 Apr 17:00        10   248   yes
    D   Tayssir    call-centre  May    unfounded, closed day 11 at 08:00  12 May   13 May 08:00        11   263   no
    E   Tayssir    web-portal   May    founded, broken → renewed → done   16 May   20 May 16:00        14   342   no
    F   Tayssir    call-centre  June   founded, commitment broken, open   8 Jul    —                   —   —     —
    G   DAAM       mediateur    April  founded, Médiateur (60 days)       2 Jun    20 May 12:00        47   1128  yes
    H   Tayssir    postal       June   back-dated letter, open            30 Jun   —                   —   —     —
    I   Tayssir    web-portal   April  founded, appeal upheld             25 Apr   23 Apr 15:00         8   198   yes
    J   DAAM       call-centre  June   unfounded → appeal reversed        20 Jun   14 Jun 16:00         4   103   yes
    K   Tayssir    call-centre  April  unfounded, across the clock change 22 Apr   15 Apr 10:00         3   71    yes
    M   Tayssir    web-portal   June   unfounded, appeal pending          13 Jun   7 Jun 10:00          4   97    yes
    L   Tayssir    web-portal   June   duplicate of F                     —        —                   —   —     —
    X1  Tayssir    web-portal   —      1 July 00:30 local: not in the quarter
    X2  Tayssir    web-portal   —      31 March 23:30 local: not in the quarter
"""

from datetime import date, datetime

import pytest
from django.db import connection

from grievances.deadlines import MOROCCO
from grievances.models import Grievance
from grievances.services import workflow as wf
from grievances.services.intake import grievance_register
from grievances.services.replay import NOTIFY_COMMITMENT, Step, Story, grievances_replay
from pmpp.models import Channel, ComplaintCategory, NotComplaintKind, Programme, UnfoundedReason, Unit
from reporting.statistics import COUNTS, FIGURES, Filters, Period, grievance_statistics, grievance_statistics_by

pytestmark = pytest.mark.django_db

QUARTER = Period.quarter(2024, 2)  # 1 April – 30 June 2024
AS_OF = datetime(2024, 7, 8, 9, 0, tzinfo=MOROCCO)  # = 08:00 UTC; situation date 8 July 2024
APRIL, MAY, JUNE = date(2024, 4, 1), date(2024, 5, 1), date(2024, 6, 1)
GROUPS = [None, "programme", "channel", "channel_group", "month"]


def local(month: int, day: int, hour: int = 0, minute: int = 0, *, year: int = 2024) -> datetime:
    """An instant on Morocco's wall clock (zoneinfo applies the Ramadan offset)."""
    return datetime(year, month, day, hour, minute, tzinfo=MOROCCO)


def figures(**given) -> dict:
    """The 32 figures of `Statistics.as_dict()`: counts 0 and rates, means and medians None
    unless given. No arithmetic here: every value given is a literal worked out by hand."""
    unknown = set(given) - set(FIGURES)
    assert not unknown, unknown
    return {key: 0 if key in COUNTS else None for key in FIGURES} | given


def assert_figures(stats, expected: dict) -> None:
    # Exact integers; the floats (means, medians, rates) to 12 significant digits, since the
    # code divides integer sums (microseconds for hours) where the comments divide hours.
    assert stats.as_dict() == {
        key: pytest.approx(value, rel=1e-12) if isinstance(value, float) else value for key, value in expected.items()
    }


class Cast:
    """The personas and the reference rows the stories need."""

    def __init__(self, *, salma, youssef, nadia, karim):
        self.agent, self.handler, self.head, self.closer = salma, youssef, nadia, karim
        self.tayssir = Programme.objects.get(code="tayssir")
        self.daam = Programme.objects.get(code="daam")
        self.web = Channel.objects.get(code="web-portal")
        self.phone = Channel.objects.get(code="call-centre")
        self.postal = Channel.objects.get(code="postal")
        self.mediateur = Channel.objects.get(code="mediateur")
        self.categories = {
            self.tayssir.pk: ComplaintCategory.objects.get(programme=self.tayssir, code="paiement-non-recu"),
            self.daam.pk: ComplaintCategory.objects.get(programme=self.daam, code="paiement"),
        }
        self.reason = UnfoundedReason.objects.get(code="changement-non-declare")
        self.information = NotComplaintKind.objects.get(code="demande-information")
        self.unit = Unit.objects.get(code="cnra-paiements")
        self._cnie = 200000

    def story(self, programme, channel, received_at: datetime, steps=(), *, cnie: str = "", **extra) -> Story:
        self._cnie += 1
        return Story(
            programme=programme,
            channel=channel,
            received_at=received_at,
            description="La bourse du trimestre n'a pas été versée.",
            created_by=self.agent,
            steps=tuple(steps),
            category=self.categories[programme.pk],
            cnie=cnie or f"AB{self._cnie}",
            phone="0612345678",
            name="Fatima Zahra Benali",
            identity_verified=True,
            **extra,
        )

    # --- steps --------------------------------------------------------------------------------

    def qualify(self, at: datetime, programme) -> Step:
        category = self.categories[programme.pk]
        data = {"category": category, "subject": "Paiement", "nature": "individual", "identity_verified": True}
        return Step("qualify", self.agent, at, data)

    def analyse(self, at: datetime, outcome: str) -> Step:
        reason = self.reason if outcome == "unfounded" else None
        return Step(
            "analyse", self.agent, at, {"conclusion": "Vérifié.", "outcome": outcome, "unfounded_reason": reason}
        )

    def route(self, at: datetime) -> Step:
        return Step("route_to_unit", self.agent, at, {"unit": self.unit, "assignee": self.handler})

    def give(self, at: datetime, promised_on: date) -> Step:
        return Step("give_commitment", self.handler, at, {"promised_on": promised_on})

    def notify(self, at: datetime) -> Step:
        return Step(NOTIFY_COMMITMENT, self.agent, at)

    def break_(self, at: datetime) -> Step:
        return Step("break_commitment", self.handler, at, {"reason": "Virement rejeté par la banque."})

    def renew(self, at: datetime, promised_on: date) -> Step:
        return Step("renew_commitment", self.handler, at, {"promised_on": promised_on, "reason": "Nouveau virement."})

    def honour(self, at: datetime) -> Step:
        return Step("honour_commitment", self.handler, at)

    def answer(self, drafted: datetime, approved: datetime, sent: datetime, closed: datetime) -> list[Step]:
        draft = {"text": "Réponse.", "explanation": "Motif expliqué.", "exception": "", "exception_reason": ""}
        return [
            Step("draft_answer", self.agent, drafted, draft),
            Step("approve_answer", self.head, approved, {"note": ""}),
            Step("send_answer", self.agent, sent),
            Step("close", self.closer, closed, {"synthesis": "Traitement vérifié."}),
        ]

    def appeal(self, at: datetime, due_on: date) -> Step:
        return Step("appeal", self.agent, at, {"reason": "Le réclamant conteste la réponse.", "due_on": due_on})

    def review(self, at: datetime, outcome: str) -> Step:
        reason = self.reason if outcome == "unfounded" else None
        data = {"conclusion": "Réexamen.", "outcome": outcome, "unfounded_reason": reason}
        return Step("review_appeal", self.head, at, data)


@pytest.fixture
def cast(salma, youssef, nadia, karim):
    return Cast(salma=salma, youssef=youssef, nadia=nadia, karim=karim)


@pytest.fixture
def quarter(cast) -> dict[str, Grievance]:
    """The requests of the quarter, by their letter in the module's table."""
    c = cast
    tay, daa = c.tayssir, c.daam
    stories = {
        # A — a request submitted on the web on Sunday 30 June 2024 at 23:30 local (22:30 UTC),
        # never qualified: « à qualifier », in the quarter (its local date is 30 June), June.
        "A": c.story(tay, c.web, local(6, 30, 23, 30)),
        # X1 — 1 July 2024 00:30 local = 30 June 23:30 UTC: its local date is 1 July, so it is
        # not in the quarter (a count by UTC date would wrongly take it).
        "X1": c.story(tay, c.web, local(7, 1, 0, 30)),
        # X2 — 31 March 2024 23:30 local, in Ramadan time (UTC+0) = 23:30 UTC: 31 March, not in
        # the quarter (a fixed UTC+1 would wrongly read 1 April 00:30).
        "X2": c.story(tay, c.web, local(3, 31, 23, 30)),
        # B — information request, DAAM, by phone: received Thursday 2 May 10:00 local (09:00 UTC),
        # reclassified as a request and answered Monday 6 May 15:30 local (14:30 UTC).
        # Delay: 6 May − 2 May = 4 days; 4 × 24 h + 5 h 30 = 101.5 h. A non-complaint: none of
        # the complaint figures, its own answer delay.
        "B": c.story(
            daa,
            c.phone,
            local(5, 2, 10),
            [
                Step(
                    "reclassify_as_request",
                    c.agent,
                    local(5, 6, 15, 30),
                    {"not_complaint_kind": c.information, "answer_text": "Information communiquée."},
                )
            ],
        ),
        # C — founded, Tayssir, web: received Tuesday 2 April 09:00 local (Ramadan, UTC+0:
        # 09:00 UTC); due_on = 2 April + 10 = 12 April. No commitment: the closure date
        # (§6.3.2) is the validation of the closure, 12 April 17:00 local (17:00 UTC), day 10
        # late in the afternoon: 12 April ≤ 12 April, within the deadline.
        # Delay: 12 − 2 = 10 days; 10 × 24 + 8 = 248 h (both in UTC+0).
        "C": c.story(
            tay,
            c.web,
            local(4, 2, 9),
            [
                c.qualify(local(4, 2, 11), tay),
                c.analyse(local(4, 3, 10), "founded"),
                *c.answer(local(4, 10, 10), local(4, 11, 9), local(4, 12, 10), local(4, 12, 17)),
            ],
        ),
        # D — unfounded, Tayssir, by phone: received Thursday 2 May 09:00 local (08:00 UTC);
        # due_on = 12 May. Closure validated Monday 13 May 08:00 local (07:00 UTC), day 11 early
        # in the morning: 13 May > 12 May, late.
        # Delay: 13 − 2 = 11 days; 11 × 24 − 1 = 263 h (08:00 UTC → 07:00 UTC eleven days later).
        "D": c.story(
            tay,
            c.phone,
            local(5, 2, 9),
            [
                c.qualify(local(5, 2, 9, 30), tay),
                c.analyse(local(5, 3, 10), "unfounded"),
                *c.answer(local(5, 10, 10), local(5, 10, 15), local(5, 11, 10), local(5, 13, 8)),
            ],
        ),
        # E — founded, Tayssir, web, a commitment broken then renewed and honoured: received
        # Monday 6 May 10:00 local (09:00 UTC); due_on = 16 May. Commitment given 7 May and
        # notified 7 May 11:00, broken 11 May, renewed and notified 11 May 11:00, carried out
        # 20 May 16:00 local (15:00 UTC), closure validated 22 May. Penalty principle (§6.3.2):
        # the closure date is the realisation, 20 May 16:00 — not the notification of the
        # renewed commitment (11 May, which would have been within). 20 May > 16 May: late.
        # Delay: 20 − 6 = 14 days; 14 × 24 + 6 = 342 h.
        "E": c.story(
            tay,
            c.web,
            local(5, 6, 10),
            [
                c.qualify(local(5, 6, 11), tay),
                c.analyse(local(5, 6, 12), "founded"),
                c.route(local(5, 6, 14)),
                c.give(local(5, 7, 10), date(2024, 5, 10)),
                c.notify(local(5, 7, 11)),
                c.break_(local(5, 11, 9)),
                c.renew(local(5, 11, 10), date(2024, 5, 20)),
                c.notify(local(5, 11, 11)),
                c.honour(local(5, 20, 16)),
                *c.answer(local(5, 21, 9), local(5, 21, 10), local(5, 21, 11), local(5, 22, 9)),
            ],
        ),
        # F — founded, Tayssir, by phone, a commitment broken and left so (our choice: not
        # renewed, still open): received Friday 28 June 10:00 local; due_on = 8 July. Open on
        # 8 July, and not overdue: a deadline falling on the situation date has not passed
        # (8 July < 8 July is false). Founded: the latest outcome, even while open.
        "F": c.story(
            tay,
            c.phone,
            local(6, 28, 10),
            [
                c.qualify(local(6, 28, 11), tay),
                c.analyse(local(6, 28, 12), "founded"),
                c.route(local(6, 28, 13)),
                c.give(local(6, 29, 10), date(2024, 7, 2)),
                c.notify(local(6, 29, 11)),
                c.break_(local(7, 3, 9)),
            ],
            cnie="CD424242",
        ),
        # G — founded, DAAM, transmitted by the Médiateur du Royaume (60 days, pmpp.reference_data):
        # received Wednesday 3 April 11:00 local (Ramadan, UTC+0: 11:00 UTC); due_on = 3 April
        # + 60 days = 2 June (27 days to 30 April, 31 in May → 58 on 31 May, 60 on 2 June).
        # Closure validated 20 May 12:00 local (UTC+1: 11:00 UTC): 20 May ≤ 2 June, within
        # (late under the 10-day rule, which does not apply).
        # Delay: 27 + 20 = 47 days; hours: 11:00 UTC → 11:00 UTC 47 days later = 47 × 24 =
        # 1128 h exactly, although the wall clock reads 11:00 → 12:00.
        "G": c.story(
            daa,
            c.mediateur,
            local(4, 3, 11),
            [
                c.qualify(local(4, 4, 10), daa),
                c.analyse(local(4, 10, 10), "founded"),
                *c.answer(local(5, 15, 10), local(5, 16, 10), local(5, 17, 10), local(5, 20, 12)),
            ],
            external_reference="MDR-2024-0413",
        ),
        # I — founded, Tayssir, web, a commitment honoured at the first attempt, then an appeal
        # upheld: received Monday 15 April 09:00 local (after the clock change, UTC+1: 08:00
        # UTC); due_on = 25 April. The commitment was notified 23 April 15:00 local (14:00 UTC):
        # honoured at the first attempt, that notification is the closure date (§6.3.2), though
        # the closure was validated on 29 April. 23 April ≤ 25 April: within.
        # Delay: 23 − 15 = 8 days; 8 × 24 + 6 = 198 h.
        # Appeal on Monday 6 May 10:00, its own deadline 6 May + 10 = 16 May; reviewed 14 May
        # 15:00, outcome founded again: upheld, within (14 ≤ 16); appeal delay 14 − 6 = 8 days.
        # Then answered and closed again on 16 May: the appeal's closure, not the first one.
        "I": c.story(
            tay,
            c.web,
            local(4, 15, 9),
            [
                c.qualify(local(4, 15, 10), tay),
                c.analyse(local(4, 15, 11), "founded"),
                c.route(local(4, 15, 12)),
                c.give(local(4, 22, 10), date(2024, 4, 26)),
                c.notify(local(4, 23, 15)),
                c.honour(local(4, 26, 10)),
                *c.answer(local(4, 26, 11), local(4, 26, 12), local(4, 26, 14), local(4, 29, 10)),
                c.appeal(local(5, 6, 10), date(2024, 5, 16)),
                c.review(local(5, 14, 15), "founded"),
                *c.answer(local(5, 15, 9), local(5, 15, 10), local(5, 15, 11), local(5, 16, 10)),
            ],
        ),
        # J — unfounded, DAAM, by phone, then an appeal reversed: received Monday 10 June 09:00
        # local (08:00 UTC); due_on = 20 June; closure validated 14 June 16:00 local (15:00
        # UTC): within. Delay: 14 − 10 = 4 days; 4 × 24 + 7 = 103 h.
        # Appeal 17 June 10:00, due 17 + 10 = 27 June; reviewed 1 July 11:00, founded: reversed,
        # and late (1 July > 27 June); appeal delay: 13 days to 30 June + 1 = 14 days. The
        # latest outcome is now founded; the case is back at « analysed », yet still treated.
        "J": c.story(
            daa,
            c.phone,
            local(6, 10, 9),
            [
                c.qualify(local(6, 10, 10), daa),
                c.analyse(local(6, 11, 10), "unfounded"),
                *c.answer(local(6, 12, 10), local(6, 12, 11), local(6, 13, 10), local(6, 14, 16)),
                c.appeal(local(6, 17, 10), date(2024, 6, 27)),
                c.review(local(7, 1, 11), "founded"),
            ],
        ),
        # K — unfounded, Tayssir, by phone, across the end of Ramadan time: received Friday
        # 12 April 10:00 local (UTC+0: 10:00 UTC); due_on = 22 April; closure validated Monday
        # 15 April 10:00 local (UTC+1: 09:00 UTC): within.
        # Delay: 15 − 12 = 3 days; hours: 24 (12→13) + 24 (13→14) + 23 (14 April, clocks
        # forward at 02:00) = 71 h, not the 72 the wall clock suggests.
        "K": c.story(
            tay,
            c.phone,
            local(4, 12, 10),
            [
                c.qualify(local(4, 12, 11), tay),
                c.analyse(local(4, 12, 12), "unfounded"),
                *c.answer(local(4, 13, 10), local(4, 13, 11), local(4, 14, 10), local(4, 15, 10)),
            ],
        ),
        # M — unfounded, Tayssir, web, appeal pending: received Monday 3 June 09:00 local (08:00
        # UTC); due_on = 13 June; closure validated 7 June 10:00 local (09:00 UTC): within.
        # Delay: 7 − 3 = 4 days; 4 × 24 + 1 = 97 h. Appeal 20 June 10:00, due 30 June, not
        # reviewed on 8 July: pending and overdue (30 June < 8 July).
        "M": c.story(
            tay,
            c.web,
            local(6, 3, 9),
            [
                c.qualify(local(6, 3, 10), tay),
                c.analyse(local(6, 4, 10), "unfounded"),
                *c.answer(local(6, 5, 10), local(6, 5, 11), local(6, 6, 10), local(6, 7, 10)),
                c.appeal(local(6, 20, 10), date(2024, 6, 30)),
            ],
        ),
    }
    assert grievances_replay(stories.values()) == len(stories)
    by_letter = {
        letter: Grievance.objects.get(received_at=story.received_at, complainant_cnie=story.cnie)
        for letter, story in stories.items()
    }
    # L — F's complainant writes again on the web, Saturday 29 June 12:00 local, about the same
    # open case: linked as its duplicate. Counted apart, never among the received.
    duplicate = c.story(
        tay,
        c.web,
        local(6, 29, 12),
        [Step("mark_duplicate", c.agent, local(6, 29, 12, 30), {"original": by_letter["F"]})],
        cnie="CD424242",
    )
    grievances_replay([duplicate])
    by_letter["L"] = Grievance.objects.get(status=Grievance.Status.DUPLICATE)
    # H — a letter registered by the CAN on Thursday 20 June 2024 09:00 local (08:00 UTC),
    # typed into the tool only now, with its CAN date as reception date (§6.3.1), and qualified
    # now: counted in June, due_on = 20 June + 10 = 30 June. Open, no outcome (awaiting
    # conclusion), overdue on 8 July (30 June < 8 July).
    letter = grievance_register(
        actor=c.agent,
        programme=tay,
        channel=c.postal,
        description="Courrier : la bourse n'a pas été versée.",
        received_at=local(6, 20, 9),
        cnie="EF777777",
        phone="0612345678",
        name="Aicha Tazi",
        category=c.categories[tay.pk],
    ).grievance
    by_letter["H"] = wf.grievance_qualify(
        grievance=letter,
        actor=c.agent,
        category=c.categories[tay.pk],
        subject="Paiement",
        nature="individual",
        identity_verified=True,
    )
    return by_letter


def test_the_stories_hold_the_dates_worked_out_by_hand(quarter):
    """The data the figures rest on: reception, deadline and closure dates as in the table."""
    g = {letter: Grievance.objects.get(pk=grievance.pk) for letter, grievance in quarter.items()}
    assert g["A"].status == "received"
    assert (g["B"].request_kind, g["B"].status) == ("request", "closed")
    assert g["H"].created_at > AS_OF  # recorded long after its reception date
    assert g["L"].duplicate_of == g["F"]
    assert g["F"].status == "commitment_broken"
    assert g["J"].status == "analysed"  # back to the review's answer, still treated
    expected = {
        # letter: (due_on, effective_closed_at, closure_validated_at)
        "C": (date(2024, 4, 12), local(4, 12, 17), local(4, 12, 17)),
        "D": (date(2024, 5, 12), local(5, 13, 8), local(5, 13, 8)),
        "E": (date(2024, 5, 16), local(5, 20, 16), local(5, 22, 9)),
        "F": (date(2024, 7, 8), None, None),
        "G": (date(2024, 6, 2), local(5, 20, 12), local(5, 20, 12)),
        "H": (date(2024, 6, 30), None, None),
        # The appeals left the first instance's due date and closure dates alone.
        "I": (date(2024, 4, 25), local(4, 23, 15), local(4, 29, 10)),
        "J": (date(2024, 6, 20), local(6, 14, 16), local(6, 14, 16)),
        "K": (date(2024, 4, 22), local(4, 15, 10), local(4, 15, 10)),
        "M": (date(2024, 6, 13), local(6, 7, 10), local(6, 7, 10)),
    }
    for letter, dates in expected.items():
        assert (g[letter].due_on, g[letter].effective_closed_at, g[letter].closure_validated_at) == dates, letter
    appeals = {
        # letter: (appealed_at, appeal_due_on, appeal_reviewed_at, appeal_decision, appeal_closed_at, outcome)
        "I": (local(5, 6, 10), date(2024, 5, 16), local(5, 14, 15), "upheld", local(5, 16, 10), "founded"),
        "J": (local(6, 17, 10), date(2024, 6, 27), local(7, 1, 11), "reversed", None, "founded"),
        "M": (local(6, 20, 10), date(2024, 6, 30), None, None, None, "unfounded"),
    }
    for letter, values in appeals.items():
        row = g[letter]
        actual = (
            row.appealed_at,
            row.appeal_due_on,
            row.appeal_reviewed_at,
            row.appeal_decision,
            row.appeal_closed_at,
            row.outcome,
        )
        assert actual == values, letter
    # K's delay crosses the end of Ramadan time: 71 hours, not 72.
    assert g["K"].treatment_delay().total_hours == 71
    assert g["K"].treatment_delay().days == 3


# --- the quarter as a whole -----------------------------------------------------------------------
#
# Received (not duplicates, local date in 1 April – 30 June): A B C D E F G H I J K M = 12
# (X1, X2 outside; L a duplicate). To qualify: A = 1. Not complaints: B = 1.
# Complaints: C D E F G H I J K M = 10; 10 + 1 + 1 = 12. Duplicates: L = 1.
# Latest outcome: founded C E F G I J = 6 (J reversed on appeal); unfounded D K M = 3;
# awaiting H = 1; 6 + 3 + 1 = 10.
# Treated (closure validated): C D E G I J K M = 8; open F H = 2; 8 + 2 = 10.
# Overdue: H (30 June < 8 July) = 1; F (8 July) is not.
# Within the deadline: C G I J K M = 6 (D and E late). Rates: 8 / 10 = 80 %; 6 / 8 = 75 %.
# Days: C 10, D 11, E 14, G 47, I 8, J 4, K 3, M 4: sum 101, mean 101 / 8 = 12.625;
#   sorted 3 4 4 8 | 10 11 14 47: median (8 + 10) / 2 = 9.
# Hours: 248 263 342 1128 198 103 71 97: sum 2450, mean 2450 / 8 = 306.25;
#   sorted 71 97 103 198 | 248 263 342 1128: median (198 + 248) / 2 = 223.
# Requests: B alone, 4 days, 101.5 h.
# Appeals: I J M = 3; pending M, upheld I, reversed J (1 + 1 + 1 = 3); overdue M (30 June);
# reviewed within I (J late); appeal delays I 8, J 14: mean 11, median (8 + 14) / 2 = 11.

WHOLE = figures(
    received=12, complaints=10, not_complaints=1, to_qualify=1, duplicates=1,
    founded=6, unfounded=3, awaiting_conclusion=1,
    treated=8, treated_rate=80.0, open=2, overdue=1, treated_within_deadline=6, treated_within_deadline_rate=75.0,
    average_delay_days=12.625, median_delay_days=9.0, average_delay_hours=306.25, median_delay_hours=223.0,
    not_complaint_average_delay_days=4.0, not_complaint_median_delay_days=4.0,
    not_complaint_average_delay_hours=101.5, not_complaint_median_delay_hours=101.5,
    appeals=3, appeals_pending=1, appeals_upheld=1, appeals_reversed=1, appeals_overdue=1,
    appeals_reviewed_within_deadline=1, appeal_average_delay_days=11.0, appeal_median_delay_days=11.0,
)  # fmt: skip


def test_every_figure_of_the_quarter(quarter, leila):
    stats = grievance_statistics(user=leila, period=QUARTER, as_of=AS_OF)
    assert list(stats) == [None]
    assert_figures(stats[None], WHOLE)


# --- by programme ---------------------------------------------------------------------------------
#
# Tayssir: A C D E F H I K M (+ L, duplicate). Received 9, to qualify A, no request,
#   complaints C D E F H I K M = 8. Founded C E F I = 4, unfounded D K M = 3, awaiting H = 1.
#   Treated C D E I K M = 6 (75 %), open F H = 2, overdue H = 1, within C I K M = 4 (4 / 6 = 66.67 %).
#   Days 10 11 14 8 3 4: sum 50, mean 50 / 6 = 8.333…; sorted 3 4 8 | 10 11 14: median 9.
#   Hours 248 263 342 198 71 97: sum 1219, mean 1219 / 6 = 203.1666…; sorted 71 97 198 | 248 263 342:
#   median (198 + 248) / 2 = 223. Appeals I M = 2: pending M, upheld I, overdue M, within I; delay I 8.
# DAAM: B G J. Received 3, request B, complaints G J = 2, both founded (J after reversal), both
#   treated within (100 %, 100 %). Days 47, 4: mean 51 / 2 = 25.5, median 25.5. Hours 1128, 103:
#   mean 1231 / 2 = 615.5, median 615.5. Request B: 4 days, 101.5 h. Appeals J = 1: reversed, late,
#   delay 14.
# Sums: received 9 + 3 = 12, complaints 8 + 2 = 10, treated 6 + 2 = 8, within 4 + 2 = 6, appeals 2 + 1 = 3.

TAYSSIR = figures(
    received=9, complaints=8, to_qualify=1, duplicates=1,
    founded=4, unfounded=3, awaiting_conclusion=1,
    treated=6, treated_rate=75.0, open=2, overdue=1, treated_within_deadline=4,
    treated_within_deadline_rate=400 / 6,  # 66.666… %
    average_delay_days=50 / 6, median_delay_days=9.0, average_delay_hours=1219 / 6, median_delay_hours=223.0,
    appeals=2, appeals_pending=1, appeals_upheld=1, appeals_overdue=1, appeals_reviewed_within_deadline=1,
    appeal_average_delay_days=8.0, appeal_median_delay_days=8.0,
)  # fmt: skip
DAAM = figures(
    received=3, complaints=2, not_complaints=1,
    founded=2,
    treated=2, treated_rate=100.0, treated_within_deadline=2, treated_within_deadline_rate=100.0,
    average_delay_days=25.5, median_delay_days=25.5, average_delay_hours=615.5, median_delay_hours=615.5,
    not_complaint_average_delay_days=4.0, not_complaint_median_delay_days=4.0,
    not_complaint_average_delay_hours=101.5, not_complaint_median_delay_hours=101.5,
    appeals=1, appeals_reversed=1, appeal_average_delay_days=14.0, appeal_median_delay_days=14.0,
)  # fmt: skip


def test_every_figure_by_programme(quarter, leila, cast):
    by_programme = grievance_statistics(user=leila, period=QUARTER, group_by="programme", as_of=AS_OF)
    assert set(by_programme) == {cast.tayssir.pk, cast.daam.pk}
    assert_figures(by_programme[cast.tayssir.pk], TAYSSIR)
    assert_figures(by_programme[cast.daam.pk], DAAM)
    # Filtering on a programme gives the figures of its row.
    daam = grievance_statistics(user=leila, period=QUARTER, filters=Filters(programme_ids=(cast.daam.pk,)), as_of=AS_OF)
    assert_figures(daam[None], DAAM)


# --- by channel -----------------------------------------------------------------------------------
#
# web-portal: A C E I M (+ L). Received 5, to qualify A, complaints C E I M = 4; founded C E I = 3,
#   unfounded M = 1; all 4 treated (100 %), within C I M = 3 (75 %). Days 10 14 8 4: sum 36, mean 9,
#   sorted 4 8 | 10 14: median 9. Hours 248 342 198 97: sum 885, mean 221.25, sorted 97 198 | 248 342:
#   median 223. Appeals I M = 2: pending M (overdue), upheld I (within), delay 8.
# call-centre: B D F J K. Received 5, request B, complaints D F J K = 4; founded F J = 2, unfounded
#   D K = 2; treated D J K = 3 (75 %), open F (not overdue), within J K = 2 (2 / 3 = 66.67 %).
#   Days 11 4 3: sum 18, mean 6, median 4. Hours 263 103 71: sum 437, mean 145.666…, median 103.
#   Request B: 4 days, 101.5 h. Appeals J = 1: reversed, late, delay 14.
# postal: H. One complaint, open, overdue, awaiting conclusion; 0 treated: rate 0 %, no
#   within-deadline rate (no treated complaint), no delay.
# mediateur: G. One founded complaint treated within 60 days: 47 days, 1128 h.
# Sums: received 5 + 5 + 1 + 1 = 12, treated 4 + 3 + 0 + 1 = 8, within 3 + 2 + 0 + 1 = 6.

WEB_PORTAL = figures(
    received=5, complaints=4, to_qualify=1, duplicates=1,
    founded=3, unfounded=1,
    treated=4, treated_rate=100.0, treated_within_deadline=3, treated_within_deadline_rate=75.0,
    average_delay_days=9.0, median_delay_days=9.0, average_delay_hours=221.25, median_delay_hours=223.0,
    appeals=2, appeals_pending=1, appeals_upheld=1, appeals_overdue=1, appeals_reviewed_within_deadline=1,
    appeal_average_delay_days=8.0, appeal_median_delay_days=8.0,
)  # fmt: skip
CALL_CENTRE = figures(
    received=5, complaints=4, not_complaints=1,
    founded=2, unfounded=2,
    treated=3, treated_rate=75.0, open=1, treated_within_deadline=2,
    treated_within_deadline_rate=200 / 3,  # 66.666… %
    average_delay_days=6.0, median_delay_days=4.0, average_delay_hours=437 / 3, median_delay_hours=103.0,
    not_complaint_average_delay_days=4.0, not_complaint_median_delay_days=4.0,
    not_complaint_average_delay_hours=101.5, not_complaint_median_delay_hours=101.5,
    appeals=1, appeals_reversed=1, appeal_average_delay_days=14.0, appeal_median_delay_days=14.0,
)  # fmt: skip
POSTAL = figures(received=1, complaints=1, awaiting_conclusion=1, treated_rate=0.0, open=1, overdue=1)
MEDIATEUR = figures(
    received=1, complaints=1, founded=1,
    treated=1, treated_rate=100.0, treated_within_deadline=1, treated_within_deadline_rate=100.0,
    average_delay_days=47.0, median_delay_days=47.0, average_delay_hours=1128.0, median_delay_hours=1128.0,
)  # fmt: skip


def test_every_figure_by_channel(quarter, leila, cast):
    by_channel = grievance_statistics(user=leila, period=QUARTER, group_by="channel", as_of=AS_OF)
    assert set(by_channel) == {cast.web.pk, cast.phone.pk, cast.postal.pk, cast.mediateur.pk}
    assert_figures(by_channel[cast.web.pk], WEB_PORTAL)
    assert_figures(by_channel[cast.phone.pk], CALL_CENTRE)
    assert_figures(by_channel[cast.postal.pk], POSTAL)
    assert_figures(by_channel[cast.mediateur.pk], MEDIATEUR)


# --- web / non-web (`channel_group`) ------------------------------------------------------------
#
# Web (is_web): web-portal only, so the web-portal figures.
# Non-web: call-centre + postal + mediateur = B D F J K H G. Received 7, request B, complaints
#   D F J K H G = 6; founded F J G = 3, unfounded D K = 2, awaiting H = 1; treated D J K G = 4
#   (4 / 6 = 66.67 %), open F H = 2, overdue H = 1, within J K G = 3 (75 %).
#   Days 11 4 3 47: sum 65, mean 16.25, sorted 3 4 | 11 47: median 7.5.
#   Hours 263 103 71 1128: sum 1565, mean 391.25, sorted 71 103 | 263 1128: median 183.
#   Request B; appeal J (reversed, late, 14 days).
# Sums: received 5 + 7 = 12, complaints 4 + 6 = 10, treated 4 + 4 = 8, within 3 + 3 = 6.

NOT_WEB = figures(
    received=7, complaints=6, not_complaints=1,
    founded=3, unfounded=2, awaiting_conclusion=1,
    treated=4, treated_rate=400 / 6, open=2, overdue=1, treated_within_deadline=3, treated_within_deadline_rate=75.0,
    average_delay_days=16.25, median_delay_days=7.5, average_delay_hours=391.25, median_delay_hours=183.0,
    not_complaint_average_delay_days=4.0, not_complaint_median_delay_days=4.0,
    not_complaint_average_delay_hours=101.5, not_complaint_median_delay_hours=101.5,
    appeals=1, appeals_reversed=1, appeal_average_delay_days=14.0, appeal_median_delay_days=14.0,
)  # fmt: skip


def test_every_figure_web_and_not_web(quarter, leila):
    by_group = grievance_statistics(user=leila, period=QUARTER, group_by="channel_group", as_of=AS_OF)
    assert set(by_group) == {True, False}
    assert_figures(by_group[True], WEB_PORTAL)
    assert_figures(by_group[False], NOT_WEB)
    web_only = grievance_statistics(user=leila, period=QUARTER, filters=Filters(web=True), as_of=AS_OF)
    assert_figures(web_only[None], WEB_PORTAL)


# --- by month of reception ----------------------------------------------------------------------
#
# April: C (2nd) G (3rd) K (12th) I (15th). 4 complaints, founded C G I = 3, unfounded K = 1, all
#   treated within (100 %, 100 %). Days 10 47 3 8: sum 68, mean 17, sorted 3 8 | 10 47: median 9.
#   Hours 248 1128 71 198: sum 1645, mean 411.25, sorted 71 198 | 248 1128: median 223.
#   Appeal I: upheld, within, 8 days.
# May: B (2nd) D (2nd) E (6th). Received 3, request B, complaints D E = 2 (founded E, unfounded D),
#   both treated (100 %), both late (0 within, 0 %). Days 11 14: mean 12.5, median 12.5.
#   Hours 263 342: mean 302.5, median 302.5. Request B: 4 days, 101.5 h. No appeal.
# June: M (3rd) J (10th) H (20th) F (28th) A (30th) (+ L, 29th). Received 5, to qualify A,
#   complaints F H J M = 4; founded F J = 2, unfounded M = 1, awaiting H = 1; treated J M = 2 (50 %),
#   open F H = 2, overdue H = 1, within J M = 2 (100 %). Days 4 4: mean 4, median 4. Hours 103 97:
#   mean 100, median 100. Appeals J M = 2: pending M (overdue), reversed J (late, 14 days).
# Sums: received 4 + 3 + 5 = 12, treated 4 + 2 + 2 = 8, within 4 + 0 + 2 = 6, appeals 1 + 0 + 2 = 3.

BY_MONTH = {
    APRIL: figures(
        received=4, complaints=4,
        founded=3, unfounded=1,
        treated=4, treated_rate=100.0, treated_within_deadline=4, treated_within_deadline_rate=100.0,
        average_delay_days=17.0, median_delay_days=9.0, average_delay_hours=411.25, median_delay_hours=223.0,
        appeals=1, appeals_upheld=1, appeals_reviewed_within_deadline=1,
        appeal_average_delay_days=8.0, appeal_median_delay_days=8.0,
    ),
    MAY: figures(
        received=3, complaints=2, not_complaints=1,
        founded=1, unfounded=1,
        treated=2, treated_rate=100.0, treated_within_deadline=0, treated_within_deadline_rate=0.0,
        average_delay_days=12.5, median_delay_days=12.5, average_delay_hours=302.5, median_delay_hours=302.5,
        not_complaint_average_delay_days=4.0, not_complaint_median_delay_days=4.0,
        not_complaint_average_delay_hours=101.5, not_complaint_median_delay_hours=101.5,
    ),
    JUNE: figures(
        received=5, complaints=4, to_qualify=1, duplicates=1,
        founded=2, unfounded=1, awaiting_conclusion=1,
        treated=2, treated_rate=50.0, open=2, overdue=1, treated_within_deadline=2, treated_within_deadline_rate=100.0,
        average_delay_days=4.0, median_delay_days=4.0, average_delay_hours=100.0, median_delay_hours=100.0,
        appeals=2, appeals_pending=1, appeals_reversed=1, appeals_overdue=1,
        appeal_average_delay_days=14.0, appeal_median_delay_days=14.0,
    ),
}  # fmt: skip


def test_every_figure_by_month(quarter, leila):
    by_month = grievance_statistics(user=leila, period=QUARTER, group_by="month", as_of=AS_OF)
    assert list(by_month) == [APRIL, MAY, JUNE]
    for month, expected in BY_MONTH.items():
        assert_figures(by_month[month], expected)


def test_the_breakdowns_add_up_to_the_quarter(quarter, leila):
    """Every count of every breakdown sums to the quarter's (rates, means, medians do not add)."""
    results = grievance_statistics_by(user=leila, period=QUARTER, group_bys=GROUPS, as_of=AS_OF)
    whole = results[None][None]
    for group in GROUPS[1:]:
        for name in COUNTS:
            assert sum(getattr(stats, name) for stats in results[group].values()) == getattr(whole, name), (
                group,
                name,
            )


def test_overdue_is_judged_on_the_situation_date(quarter, leila):
    # Only « overdue » depends on the situation date (every other figure reads the rows as they
    # are; all the steps of the stories precede these dates). One day earlier, 7 July: H (due
    # 30 June) and M's appeal (due 30 June) are overdue, F (due 8 July) is not yet. One day
    # later, 9 July: F's deadline (8 July) has passed too.
    day_before = grievance_statistics(user=leila, period=QUARTER, as_of=local(7, 7, 9))[None]
    assert (day_before.overdue, day_before.appeals_overdue) == (1, 1)
    day_after = grievance_statistics(user=leila, period=QUARTER, as_of=local(7, 9, 9))[None]
    assert (day_after.overdue, day_after.appeals_overdue) == (2, 1)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the one-pass path is PostgreSQL's")
def test_the_postgresql_one_pass_agrees_with_the_portable_computation_on_the_hand_worked_quarter(quarter, leila):
    """On PostgreSQL `period_statistics` runs `_one_pass`; the portable `_portable` must give
    the same figures on the same rows, breakdown by breakdown (and both the hand-worked ones)."""
    from grievances.deadlines import local_date
    from reporting.statistics import _Context, _one_pass, _portable

    start, end = QUARTER.bounds()
    queryset = (
        Grievance.objects.visible_to(leila)
        .exclude(status=Grievance.Status.SENSITIVE)
        .filter(Filters().q(), received_at__gte=start, received_at__lt=end)
    )
    context = _Context.read(period=QUARTER, today=local_date(AS_OF))
    groups = [*GROUPS, "category", "programme_category", "region", "sex", "not_complaint_kind", "unfounded_reason"]
    one_pass = _one_pass(queryset, group_bys=groups, context=context)
    portable = _portable(queryset, group_bys=groups, context=context)
    for group in groups:
        assert list(one_pass[group]) == list(portable[group]), group
        for key in portable[group]:
            # Equal to the last digit: averages of the same integer sums, medians of the same integers.
            assert one_pass[group][key].as_dict() == portable[group][key].as_dict(), (group, key)
    assert_figures(one_pass[None][None], WHOLE)
