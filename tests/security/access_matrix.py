"""Who may open each URL of the site: the one declarative access-control matrix (issue 9, item 2).

`MATRIX` maps every URL name of the URLconf to the roles (codes of pmpp/roles.py, plus
`ANONYMOUS`) that are let through. Everyone else must be refused: 403, 404, or for an
anonymous visitor a redirect to a sign-in page. `tests/security/test_access_matrix.py`
walks the URLconf and fails on any URL missing here, any row naming a URL that no longer
exists, and any role whose answer differs from its row. A new route therefore fails closed:
nobody may merge it without saying who may open it.

A row may also name the object its URL is built for (`kwargs`, from the `World` below) and
the data it posts (`data`). Every URL is asked with GET, then with POST: a POST answered 405
for everyone is a GET-only page; otherwise the POST must let through the same roles
(`post` when they differ), and a refused POST must change nothing in the database.

The personas all work on Tayssir at CNRA (the partner liaison at MENPS), so that a row
says what a *role* may do on an object of its own programme; other programmes and other
organisations are the business of tests/security/test_idor.py.
"""

from dataclasses import dataclass, field, replace
from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from pmpp import roles

ANONYMOUS = "anonymous"

ES = roles.ES_FOCAL_POINT
AGENT = roles.AGENT
HANDLER = roles.CASE_HANDLER
HEAD = roles.HEAD_OF_BENEFICIARY_SERVICES
CLOSER = roles.CLOSING_OFFICER
PARTNER = roles.PARTNER_LIAISON
GBV = roles.GBV_REFERENT
MINISTRY = roles.MINISTRY_VIEWER
REFADMIN = roles.REFERENCE_ADMIN
PORTAL = roles.PUBLIC_PORTAL
INTEGRATION = roles.INTEGRATION_ACCOUNT

ROLE_CODES = tuple(role.code for role in roles.ROLES)
EVERYONE = frozenset({*ROLE_CODES, ANONYMOUS})
SIGNED_IN = frozenset(ROLE_CODES)
NOBODY = frozenset()

# Who reads the ordinary grievances of Tayssir (the partner only once transmitted to MENPS).
# Ministry staff read figures, never a grievance (issue 17; SECURITY.md).
GRIEVANCE_READERS = frozenset({ES, AGENT, HANDLER, HEAD, CLOSER, PORTAL})
# Who may search people's files: those who read grievances (a search by CNIE is a read).
SEARCHERS = frozenset({ES, AGENT, HANDLER, HEAD, CLOSER, PARTNER})
REGISTRY_READERS = frozenset({ES, HEAD, MINISTRY})
REGISTRY_KEEPERS = frozenset({ES})
REPORT_READERS = frozenset({ES, HEAD, MINISTRY})
IMPORTERS = frozenset({AGENT, HEAD})
# An integration account reads the figures of what it filed through the API's statistics, never
# this screen: its role holds only `register_grievance` (issue 17).
DASHBOARD_READERS = frozenset({ES, AGENT, HANDLER, HEAD, CLOSER, PARTNER, MINISTRY})


@dataclass(frozen=True)
class Access:
    """Roles let through a URL; `kwargs(world)` fills its arguments, `data(world)` its POST body.

    `post`: roles let through a POST when they differ from those of the GET (None: the same).
    `api`: the URL is called with an integration token (the API knows no session).
    """

    roles: frozenset
    kwargs: object = None
    data: object = None
    post: frozenset | None = None
    api: bool = False
    query: dict = field(default_factory=dict)
    args: object = None
    # Logging out ends on the sign-in page: for that URL, it is where success goes.
    login_is_success: bool = False
    # A refused POST may come back as the form with the reason (200): it must change nothing.
    refusal_in_form: bool = False
    # The admin's own POST handling is Django's: its pages are asked with GET only.
    probe_post: bool = True

    @property
    def post_roles(self) -> frozenset:
        return self.roles if self.post is None else self.post


def _pk(name):
    return lambda world: {"pk": getattr(world, name).pk}


def _ref(name):
    return lambda world: {"reference": getattr(world, name).reference}


PDF = b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"


def pdf_upload(name: str = "piece.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, "application/pdf")


# --- the API: one body per workflow step, valid for the object the row names ----------------------------

_API_STEPS = {
    # step: (object of the World in the step's source state, body, roles that may take it)
    "qualify": (
        "received",
        lambda w: {"category": "paiement-non-recu", "nature": "individual", "subject": "Paiement"},
        {AGENT},
    ),
    "reclassify_as_request": (
        "received",
        lambda w: {"not_complaint_kind": w.not_complaint_kind.code, "answer_text": "Information donnée."},
        {AGENT},
    ),
    "analyse": ("qualified", lambda w: {"conclusion": "Rejet bancaire.", "outcome": "founded"}, {AGENT}),
    "route_to_unit": ("analysed", lambda w: {"unit": w.unit.code}, {AGENT}),
    "give_commitment": (
        "routed",
        lambda w: {"promised_on": (timezone.localdate() + timedelta(days=5)).isoformat()},
        {HANDLER},
    ),
    "honour_commitment": ("committed_notified", lambda w: {}, {HANDLER}),
    "break_commitment": ("committed", lambda w: {"reason": "Retard bancaire."}, {HANDLER}),
    "renew_commitment": (
        "commitment_broken",
        lambda w: {"promised_on": (timezone.localdate() + timedelta(days=9)).isoformat(), "reason": "Nouveau délai."},
        {HANDLER},
    ),
    "transmit_to_partner": ("qualified_massar", lambda w: {}, {AGENT}),
    "record_partner_outcome": (
        "at_partner",
        lambda w: {"founded": True, "data_corrected": True, "note": "MASSAR corrigé."},
        {PARTNER},
    ),
    "regularise": ("partner_answered", lambda w: {"note": "Paiement régularisé."}, {AGENT, HANDLER}),
    "draft_answer": ("analysed", lambda w: {"text": "Votre bourse sera versée le 15."}, {AGENT}),
    "approve_answer": ("answer_drafted", lambda w: {}, {HEAD}),
    "reject_answer": ("answer_drafted", lambda w: {"note": "Préciser la date."}, {HEAD}),
    "send_answer": ("answer_approved", lambda w: {}, {AGENT}),
    "close": ("answer_sent", lambda w: {"synthesis": "Bourse versée."}, {CLOSER}),
    "appeal": ("closed", lambda w: {"reason": "Montant incomplet."}, {AGENT, PORTAL}),
    "review_appeal": ("appealed", lambda w: {"conclusion": "Recours examiné.", "outcome": "founded"}, {HEAD}),
}


def _api_step(step: str) -> Access:
    obj, body, allowed = _API_STEPS[step]
    return Access(frozenset(allowed), kwargs=_ref(obj), data=body, post=frozenset(allowed), api=True)


MATRIX: dict[str, Access] = {
    # --- site --------------------------------------------------------------------------------------------
    "home": Access(SIGNED_IN),
    "login": Access(EVERYONE),
    "logout": Access(EVERYONE, login_is_success=True),
    "set_language": Access(EVERYONE, data=lambda w: {"language": "fr", "next": "/"}),
    # The digits of date fields on Arabic pages (issue 20): a browser preference, like the language.
    "set_digits": Access(EVERYONE, data=lambda w: {"digits": "arab", "next": "/"}),
    "favicon.ico": Access(EVERYONE),
    # --- grievances --------------------------------------------------------------------------------------
    "grievances:intake": Access(frozenset({AGENT, HEAD, INTEGRATION})),
    "grievances:receipt": Access(SIGNED_IN),
    "grievances:slip": Access(SIGNED_IN),
    "grievances:search": Access(SEARCHERS),
    # A search's results by its token (issue 18): an unknown token is an expired search, not an error.
    "grievances:search_results": Access(SEARCHERS, kwargs=lambda w: {"token": "jeton-inconnu"}),
    # All the grievances of the person who filed this one (by CNIE, else phone): a search by CNIE.
    "grievances:complainant": Access(SEARCHERS, kwargs=_pk("at_partner")),
    "grievances:assign": Access(
        frozenset({AGENT, HEAD}),
        data=lambda w: {"selection": [w.received.pk], "assignee": w.users[AGENT].pk, "next": "/"},
    ),
    "grievances:queue": Access(
        frozenset({AGENT, HANDLER, HEAD, CLOSER, PARTNER, ES}), kwargs=lambda w: {"slug": "toutes"}
    ),
    "grievances:queue_export": Access(
        frozenset({AGENT, HANDLER, HEAD, CLOSER, PARTNER, ES}),
        kwargs=lambda w: {"slug": "toutes", "fmt": "csv"},
    ),
    "grievances:detail": Access(GRIEVANCE_READERS | {PARTNER}, kwargs=_pk("at_partner")),
    "grievances:step": Access(
        frozenset({PARTNER}),
        kwargs=lambda w: {"pk": w.at_partner.pk, "name": "record_partner_outcome"},
        refusal_in_form=True,
        data=lambda w: {"partner_founded": "yes", "partner_data_corrected": "on", "partner_note": "MASSAR corrigé."},
    ),
    "grievances:notify_commitment": Access(
        frozenset({AGENT}),
        kwargs=lambda w: {"pk": w.committed.pk, "commitment_pk": w.committed.commitments.get().pk},
        data=lambda w: {"action": "phone", "occurred_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M")},
    ),
    "grievances:exchange_add": Access(
        frozenset({AGENT, HEAD}),
        kwargs=_pk("committed"),
        data=lambda w: {
            "kind": "inbound_call",
            "occurred_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
            "summary": "Appel",
        },
    ),
    # The world's messages are pending, not failed: nobody can resend them, and nothing changes.
    "grievances:message_resend": Access(
        frozenset(),
        kwargs=lambda w: {"pk": w.committed.pk, "message_pk": w.committed.outbox_messages.first().pk},
        data=lambda w: {"reason": "Numéro corrigé"},
    ),
    # Internal notes (issue 18): the agency's staff who see the case, not the partner's liaison.
    "grievances:note_add": Access(
        frozenset({ES, AGENT, HANDLER, HEAD, CLOSER}),
        kwargs=_pk("at_partner"),
        data=lambda w: {"body": "Relevé demandé au partenaire."},
    ),
    # Bulk work from a queue (issue 18): who may assign or take a bulk step; a run is its owner's.
    "grievances:bulk_start": Access(
        frozenset({AGENT, HEAD}),
        kwargs=lambda w: {"slug": "toutes"},
        data=lambda w: {"action": "assign", "scope": "selection", "selection": [w.received.pk]},
    ),
    "grievances:bulk_prepare": Access(
        frozenset({HEAD}), kwargs=lambda w: {"token": w.bulk_run.token}, data=lambda w: {"assignee": w.users[AGENT].pk}
    ),
    "grievances:bulk_confirm": Access(frozenset({HEAD}), kwargs=lambda w: {"token": w.bulk_run.token}),
    "grievances:bulk_result": Access(frozenset({HEAD}), kwargs=lambda w: {"token": w.bulk_run.token}),
    # The gateway's delivery receipts: off without a token, never a session's.
    "notifications:delivery_receipt": Access(frozenset()),
    "grievances:sensitive_list": Access(frozenset({GBV})),
    "grievances:sensitive_detail": Access(frozenset({GBV}), kwargs=_pk("sensitive_case")),
    "grievances:attachment_upload": Access(
        frozenset({AGENT, HANDLER, HEAD, CLOSER, PARTNER}),
        kwargs=_pk("at_partner"),
        data=lambda w: {"file": pdf_upload(), "description": "Relevé"},
    ),
    "grievances:attachment_download": Access(GRIEVANCE_READERS - {PORTAL} | {PARTNER}, kwargs=_pk("attachment")),
    # --- answer templates (issue 18): kept by the head of service and the focal point -----------------------
    "answers:list": Access(frozenset({ES, HEAD})),
    "answers:create": Access(
        frozenset({ES, HEAD}),
        refusal_in_form=True,
        data=lambda w: {
            "name": "Matrice",
            "programme": w.answer_template.programme_id,
            "outcome": "",
            "text_fr": "Dossier {reference}.",
            "text_ar": "ملف {reference}.",
        },
    ),
    "answers:detail": Access(frozenset({ES, HEAD}), kwargs=_pk("answer_template")),
    "answers:edit": Access(
        frozenset({ES, HEAD}),
        kwargs=_pk("answer_template"),
        data=lambda w: {
            "name": "Modifié",
            "programme": w.answer_template.programme_id,
            "outcome": "",
            "text_fr": "Dossier {reference}.",
            "text_ar": "ملف {reference}.",
        },
    ),
    "answers:deactivate": Access(
        frozenset({ES, HEAD}), kwargs=_pk("answer_template"), data=lambda w: {"reason": "Obsolète", "confirm": "on"}
    ),
    "answers:reactivate": Access(frozenset({ES, HEAD}), kwargs=_pk("inactive_answer_template")),
    # The drafting step's preview: who drafts answers, on a grievance they see.
    "answers:preview": Access(
        frozenset({AGENT}),
        kwargs=lambda w: {"pk": w.analysed.pk, "template_pk": w.answer_template.pk},
        query={"langue": "ar"},
    ),
    # --- imports -----------------------------------------------------------------------------------------
    "imports:list": Access(IMPORTERS),
    "imports:upload": Access(IMPORTERS),
    # A job is its uploader's (the agent's) and no one else's: the file holds personal data.
    "imports:detail": Access(frozenset({AGENT}), kwargs=_pk("import_job")),
    "imports:progress": Access(frozenset({AGENT}), kwargs=_pk("import_job")),
    "imports:run_import": Access(frozenset({AGENT}), kwargs=_pk("import_job")),
    "imports:report": Access(frozenset({AGENT}), kwargs=_pk("import_job")),
    # --- public portal: no sign-in, open to all ------------------------------------------------------------
    "portal:file": Access(EVERYONE),
    "portal:receipt": Access(EVERYONE),
    "portal:track": Access(EVERYONE),
    "portal:tracked": Access(EVERYONE),
    "portal:rate": Access(EVERYONE),
    "portal:appeal": Access(EVERYONE),
    "reporting:public_statistics": Access(EVERYONE),
    "reporting:metrics": Access(EVERYONE),  # the metric dictionary: the definitions, no figure
    # --- Law 09-08: who read a grievance's personal data ----------------------------------------------------
    "privacy:access_log": Access(frozenset({ES})),
    # --- reports -----------------------------------------------------------------------------------------
    # The dashboard counts what the user may see: every reader of grievances has one.
    "reporting:dashboard": Access(DASHBOARD_READERS),
    "reporting:dashboard_export": Access(DASHBOARD_READERS, kwargs=lambda w: {"fmt": "csv"}),
    "reporting:report_list": Access(REPORT_READERS),
    "reporting:report_start": Access(frozenset({ES})),
    "reporting:report_detail": Access(REPORT_READERS, kwargs=_pk("report")),
    "reporting:report_approve": Access(frozenset({ES}), kwargs=_pk("report"), data=lambda w: {"confirm": "yes"}),
    "reporting:report_new_version": Access(frozenset({ES}), kwargs=_pk("approved_report")),
    "reporting:report_download": Access(REPORT_READERS, kwargs=lambda w: {"pk": w.report.pk, "fmt": "xlsx"}),
    # --- stakeholder registry ----------------------------------------------------------------------------
    "stakeholders:home": Access(REGISTRY_READERS),
    "stakeholders:map": Access(REGISTRY_READERS),
    "stakeholders:mandates_due": Access(REGISTRY_READERS),
    **{
        f"stakeholders:{kind}_{page}": Access(
            REGISTRY_READERS if page in ("list", "export", "detail") else REGISTRY_KEEPERS,
            kwargs=(
                (lambda w, kind=kind: {"pk": w.registry[kind].pk})
                if page in ("detail", "edit")
                else (lambda w: {"fmt": "xlsx"})
                if page == "export"
                else None
            ),
        )
        for kind in ("group", "stakeholder", "representative", "activity", "campaign", "action", "risk", "document")
        for page in ("list", "export", "create", "detail", "edit")
    },
    "stakeholders:mandate_verify": Access(REGISTRY_KEEPERS, kwargs=lambda w: {"pk": w.registry["representative"].pk}),
    "stakeholders:concern_add": Access(REGISTRY_KEEPERS, kwargs=lambda w: {"pk": w.registry["activity"].pk}),
    "stakeholders:concern_edit": Access(REGISTRY_KEEPERS, kwargs=_pk("concern")),
    "stakeholders:minutes_write": Access(REGISTRY_KEEPERS, kwargs=lambda w: {"pk": w.registry["activity"].pk}),
    "stakeholders:minutes_validate": Access(REGISTRY_KEEPERS, kwargs=_pk("minutes"), data=lambda w: {"confirm": "yes"}),
    "stakeholders:minutes_correct": Access(REGISTRY_KEEPERS, kwargs=_pk("validated_minutes")),
    "stakeholders:minutes_attachment_add": Access(
        REGISTRY_KEEPERS, kwargs=_pk("minutes"), data=lambda w: {"file": pdf_upload(), "description": "Feuille"}
    ),
    "stakeholders:minutes_attachment_download": Access(REGISTRY_READERS, kwargs=_pk("minutes_attachment")),
    "stakeholders:budget_line_create": Access(REGISTRY_KEEPERS, kwargs=lambda w: {"pk": w.registry["campaign"].pk}),
    "stakeholders:budget_line_edit": Access(REGISTRY_KEEPERS, kwargs=_pk("budget_line")),
    "stakeholders:action_step": Access(
        REGISTRY_KEEPERS, kwargs=lambda w: {"pk": w.registry["action"].pk, "step": "start"}
    ),
    "stakeholders:progress_note_add": Access(REGISTRY_KEEPERS, kwargs=lambda w: {"pk": w.registry["action"].pk}),
    "stakeholders:risk_status": Access(REGISTRY_KEEPERS, kwargs=lambda w: {"pk": w.registry["risk"].pk}),
    # --- the REST API (token of an integration account held by a user of the role) ----------------------
    # GET lists what the caller may see (every role); POST files a grievance (the intake right).
    "api:grievances": Access(
        SIGNED_IN,
        post=frozenset({AGENT, HEAD, INTEGRATION}),
        api=True,
        data=lambda w: {"programme": "tayssir", "description": "Bourse non reçue.", "category": "paiement-non-recu"},
    ),
    "api:grievance": Access(GRIEVANCE_READERS | {INTEGRATION}, kwargs=_ref("api_filed"), api=True),
    **{f"api:step-{step}": _api_step(step) for step in _API_STEPS},
    "api:transition": Access(NOBODY, kwargs=lambda w: {"reference": w.received.reference, "name": "x"}, api=True),
    "api:commitments": Access(SIGNED_IN, api=True),
    "api:stakeholder-groups": Access(REGISTRY_READERS, api=True),
    "api:stakeholders": Access(REGISTRY_READERS, api=True),
    "api:engagement-activities": Access(REGISTRY_READERS, api=True),
    "api:statistics": Access(SIGNED_IN, api=True, query={"period": "year", "year": "2026", "number": "1"}),
    "api:schema": Access(EVERYONE, api=True),
    "api:docs": Access(EVERYONE, api=True),
}


# --- the admin site: staff only. The reference-data administrator is the one staff role; ----------------
# she keeps the reference tables (no deletion: rows are PROTECTed and audited) and reads users.

_VIEW, _ADD, _CHANGE, _DELETE = "view", "add", "change", "delete"
_REFERENCE_KEEPING = {_VIEW: {REFADMIN}, _ADD: {REFADMIN}, _CHANGE: {REFADMIN}, _DELETE: set()}
_CLOSED = {_VIEW: set(), _ADD: set(), _CHANGE: set(), _DELETE: set()}
ADMIN_MODELS: dict[str, dict] = {
    **{
        f"pmpp.{model}": _REFERENCE_KEEPING
        for model in (
            "organisation",
            "programme",
            "region",
            "province",
            "channel",
            "complaintcategory",
            "unfoundedreason",
            "notcomplaintkind",
            "deadlinepolicy",
            "unit",
            "publicholiday",
        )
    },
    "pmpp.user": {_VIEW: {REFADMIN}, _ADD: set(), _CHANGE: set(), _DELETE: set()},
    "auth.group": _CLOSED,
    "grievances.grievance": _CLOSED,
    "grievances.sensitivecase": _CLOSED,
    **{
        f"stakeholders.{model}": _CLOSED
        for model in (
            "stakeholdergroup",
            "stakeholder",
            "representative",
            "mandateverification",
            "engagementactivity",
            "concern",
            "minutes",
            "campaign",
            "budgetline",
            "discloseddocument",
            "correctiveaction",
            "progressnote",
            "risk",
        )
    },
    "reporting.semesterreport": _CLOSED,
    "api.integrationaccount": _CLOSED,
    "api.intakerequest": _CLOSED,
    "notifications.outboxmessage": _CLOSED,
    "notifications.deadlinealert": _CLOSED,
    "imports.importjob": _CLOSED,
    "django_tasks_database.dbtaskresult": _CLOSED,
    "axes.accessattempt": _CLOSED,
    "axes.accesslog": _CLOSED,
    "axes.accessfailurelog": _CLOSED,
    # Read in its own screen by the E&S focal point (privacy:access_log), not in the admin.
    "privacy.personaldataaccess": _CLOSED,
    # Kept in their own screens (answers:list), through their services.
    "answers.answertemplate": _CLOSED,
}


def _admin_object(label: str):
    def kwargs(world) -> dict:
        from django.apps import apps

        if label == "pmpp.user":
            return {"object_id": str(world.users[AGENT].pk)}
        first = apps.get_model(label).objects.order_by("pk").first()
        return {"object_id": str(first.pk) if first else "0"}

    return kwargs


def _admin_history_row(label: str):
    def args(world) -> list:
        from django.apps import apps

        model = apps.get_model(label)
        row = model.history.order_by("history_id").first()
        return [str(row.id), str(row.history_id)] if row else ["0", "0"]

    return args


def _admin_rows() -> dict[str, Access]:
    rows = {}
    for label, rights in ADMIN_MODELS.items():
        app, model = label.split(".")
        prefix = f"admin:{app}_{model}"
        on_object = _admin_object(label)
        rows |= {
            f"{prefix}_changelist": Access(frozenset(rights[_VIEW] | rights[_CHANGE])),
            f"{prefix}_add": Access(frozenset(rights[_ADD])),
            f"{prefix}_change": Access(frozenset(rights[_VIEW] | rights[_CHANGE]), kwargs=on_object),
            f"{prefix}_history": Access(frozenset(rights[_VIEW] | rights[_CHANGE]), kwargs=on_object),
            f"{prefix}_delete": Access(frozenset(rights[_DELETE]), kwargs=on_object),
            # The object's bare address redirects any staff member to its change page, which decides.
            f"admin/{app}/{model}/<path:object_id>/": Access(frozenset({REFADMIN}), kwargs=on_object),
        }
        if app not in ("auth", "api", "notifications", "imports", "django_tasks_database", "axes", "privacy"):
            rows[f"{prefix}_simple_history"] = Access(
                frozenset(rights[_VIEW] | rights[_CHANGE]), args=_admin_history_row(label)
            )
    return {name: replace(row, probe_post=False) for name, row in rows.items()}


STAFF = frozenset({REFADMIN})
MATRIX |= {
    "admin:index": Access(STAFF, probe_post=False),
    "admin:login": Access(EVERYONE),
    "admin:logout": Access(EVERYONE, login_is_success=True),
    "admin:password_change": Access(STAFF),
    "admin:password_change_done": Access(STAFF),
    # No admin declares autocomplete fields: the view refuses every request (403).
    "admin:autocomplete": Access(NOBODY),
    "admin:jsi18n": Access(STAFF),
    # "View on site" of an object no model declares a page for: refused to all.
    "admin:view_on_site": Access(NOBODY, args=lambda w: ["0", "0"]),
    "admin:app_list": Access(STAFF, kwargs=lambda w: {"app_label": "pmpp"}),
    "admin:auth_user_password_change": Access(NOBODY, kwargs=lambda w: {"id": str(w.users[AGENT].pk)}),
    # Any other address under /admin/: the sign-in page, or 404 to the staff.
    "admin/(?P<url>.*)$": Access(NOBODY),
    **_admin_rows(),
}


# --- the objects the URLs are built for ------------------------------------------------------------------


class World:
    """One user per role and one object of each kind, built once per test module.

    `users[code]` works on Tayssir at CNRA (the partner liaison at MENPS) and holds an
    integration token in `tokens[code]`, so that the API is asked as each role too.
    """

    def __init__(self, *, scopes: dict | None = None, username_prefix: str = "") -> None:
        from django.contrib.auth.models import Group

        from api.models import IntegrationAccount
        from grievances.models import SensitiveCase
        from grievances.services.attachments import attachment_add
        from pmpp.models import Channel, ComplaintCategory, NotComplaintKind, Programme, UnfoundedReason, Unit
        from tests.factories import UserFactory
        from tests.grievances.conftest import Walk

        scopes = scopes or {}
        self.users, self.tokens = {}, {}
        for code in ROLE_CODES:
            default = [("menps", "tayssir")] if code == PARTNER else [("cdg-cnra", "tayssir")]
            user = UserFactory(
                username=f"{username_prefix}{code}", is_staff=code == REFADMIN, scopes=scopes.get(code, default)
            )
            user.groups.add(Group.objects.get(name=roles.ROLES_BY_CODE[code].group_name))
            token, token_hash = IntegrationAccount.new_token()
            IntegrationAccount.objects.create(
                name=f"{username_prefix}{code}",
                user=user,
                channel=Channel.objects.get(code="chikaya"),
                token_hash=token_hash,
            )
            self.users[code], self.tokens[code] = user, token
        tayssir = Programme.objects.get(code=scopes.get("programme", "tayssir"))
        self.unit = Unit.objects.get(code="cnra-paiements")
        self.not_complaint_kind = NotComplaintKind.objects.order_by("pk").first()
        walk = Walk(
            agent=self.users[AGENT],
            handler=self.users[HANDLER],
            head=self.users[HEAD],
            closer=self.users[CLOSER],
            partner=self.users[PARTNER],
            programme=tayssir,
            channel=Channel.objects.get(code="call-centre"),
            category=ComplaintCategory.objects.get(programme=tayssir, code="paiement-non-recu"),
            unit=self.unit,
            reason=UnfoundedReason.objects.get(code="changement-non-declare"),
        )
        for state in (
            "received",
            "qualified",
            "analysed",
            "routed",
            "committed",
            "commitment_broken",
            "at_partner",
            "partner_answered",
            "answer_drafted",
            "answer_approved",
            "answer_sent",
            "closed",
            "appealed",
        ):
            setattr(self, state, walk.in_state(state))
        self.qualified_massar = walk.qualified(category=walk.massar())
        self.committed_notified = walk.committed()
        from grievances.services import workflow as wf

        wf.commitment_record_notification(commitment=self.committed_notified.commitments.get(), actor=walk.agent)
        self.sensitive_grievance = walk.sensitive()
        self.sensitive_case = SensitiveCase.objects.get(source_grievance=self.sensitive_grievance)
        self.attachment = attachment_add(grievance=self.at_partner, actor=walk.agent, uploaded_file=pdf_upload())
        self.api_filed = walk.register(actor=self.users[INTEGRATION])
        self._registry(leila=self.users[ES])
        self._report(leila=self.users[ES])
        self._import(agent=self.users[AGENT])
        self._answer_templates(leila=self.users[ES], programme=tayssir)
        self._bulk_run(head=self.users[HEAD], agent=self.users[AGENT])

    def _bulk_run(self, *, head, agent) -> None:
        from grievances.models import Grievance
        from grievances.services.bulk_work import bulk_run_choose, bulk_run_start

        run = bulk_run_start(
            actor=head,
            queue_slug="toutes",
            action="assign",
            rows=Grievance.objects.visible_to(head),
            selection=[self.received.pk],
        )
        self.bulk_run = bulk_run_choose(run=run, actor=head, assignee=agent)

    def _answer_templates(self, *, leila, programme) -> None:
        from answers.services import answer_template_create, answer_template_set_active

        texts = {"outcome": "", "text_fr": "Dossier {reference}.", "text_ar": "ملف {reference}."}
        self.answer_template = answer_template_create(
            actor=leila, name="Matrice", programme=programme, category=None, **texts
        )
        inactive = answer_template_create(actor=leila, name="Ancien", programme=programme, category=None, **texts)
        self.inactive_answer_template = answer_template_set_active(
            template=inactive, actor=leila, active=False, reason="Remplacé"
        )

    def _registry(self, *, leila) -> None:
        from decimal import Decimal

        from stakeholders import services
        from stakeholders.models import BudgetLine, DisclosedDocument
        from tests.stakeholders import builders

        group = builders.make_group(900)
        representative = builders.make_representative(group=group)
        activity = builders.make_activity()
        campaign = builders.make_campaign()
        self.registry = {
            "group": group,
            "stakeholder": builders.make_stakeholder(),
            "representative": representative,
            "activity": activity,
            "campaign": campaign,
            "action": builders.make_action(),
            "risk": builders.make_risk(900),
            "document": DisclosedDocument.objects.order_by("pk").first(),
        }
        self.budget_line = BudgetLine.objects.create(
            campaign=campaign, position=1, label="Spots radio", planned_amount=Decimal("10"), actual_amount=Decimal(0)
        )
        self.concern = services.concern_add(activity=activity, actor=leila, theme="Paiement", description="Retards")
        validated = services.minutes_write(activity=builders.make_activity("Atelier"), actor=leila, text="Version 1.")
        self.validated_minutes = services.minutes_validate(minutes=validated, actor=leila, confirmed=True)
        self.minutes = services.minutes_write(activity=activity, actor=leila, text="Compte rendu.")
        self.minutes_attachment = services.minutes_attachment_add(
            minutes=self.minutes, actor=leila, uploaded_file=pdf_upload()
        )

    def _report(self, *, leila) -> None:
        from reporting.services import semester_report_approve, semester_report_start

        today = timezone.localdate()
        self.report = semester_report_start(actor=leila, year=today.year, semester=1 if today.month <= 6 else 2)
        earlier = semester_report_start(actor=leila, year=today.year - 1, semester=1)
        self.approved_report = semester_report_approve(report=earlier, actor=leila, confirmed=True)

    def _import(self, *, agent) -> None:
        from imports import services
        from tests.imports.conftest import csv_file, good_row

        job = services.import_job_create(actor=agent, source="chikaya", uploaded_file=csv_file([good_row(1)]))
        self.import_job = services.import_job_validate(job=job, actor=agent)
