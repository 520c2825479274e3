"""REST API v1. Every view: parse with a serializer → fetch within the caller's visibility →
call one service → serialize. Errors are JSON (api.exceptions)."""

from django.db.models import Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers as drf_serializers
from rest_framework.exceptions import PermissionDenied
from rest_framework.pagination import CursorPagination
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from api import serializers
from api.authentication import IntegrationTokenAuthentication
from api.exceptions import api_exception_handler
from api.services import api_grievance_register
from grievances.models import Commitment, Grievance
from grievances.selectors import grievance_list_for_user
from grievances.services import workflow as wf
from pmpp.db_routers import reporting_reads
from pmpp.languages import active_language
from pmpp.prepared import prepared_statements
from privacy.access import AccessChannel, record_views
from reporting import metrics
from reporting.breakdowns import Labeller
from reporting.statistics import Filters, Period, grievance_statistics
from stakeholders import selectors as registry

_ERRORS = {
    400: OpenApiResponse(description=_("Données invalides : {champ: [messages]}.")),
    401: OpenApiResponse(description=_("Jeton absent ou invalide.")),
    403: OpenApiResponse(description=_("Action non autorisée pour ce compte.")),
}


class ApiView(APIView):
    authentication_classes = [IntegrationTokenAuthentication]
    permission_classes = [IsAuthenticated]

    def get_exception_handler(self):
        return api_exception_handler


class Cursor(CursorPagination):
    """Pages by position, never counting rows (millions of grievances)."""

    page_size = 50
    max_page_size = 200
    page_size_query_param = "page_size"
    ordering = "-id"


def _grievance(user, reference: str) -> Grievance:
    try:
        return grievance_list_for_user(user=user).get(reference=reference)
    except Grievance.DoesNotExist:
        raise Http404(_("Réclamation introuvable.")) from None


def _intake_response(result) -> dict:
    if result.sensitive_case is not None:
        # A GBV/SEA/SH case: its reference and a generic status, nothing else (SPEC §5.5).
        return {"reference": result.sensitive_case.reference, "status": "received", "replayed": result.replayed}
    grievance = result.grievance
    if grievance.status == Grievance.Status.SENSITIVE:
        # Replayed after it was moved to the GBV referent: the replay reveals nothing of it.
        return {"reference": grievance.reference, "status": "received", "replayed": result.replayed}
    # The fields of IntakeResponseSerializer (the documented schema), in its order, written
    # directly: the same JSON without building a serializer on every intake.
    data = {
        "reference": grievance.reference,
        "tracking_code": grievance.tracking_code,
        "status": str(grievance.status),
        "status_label": str(grievance.get_status_display()),
        "due_on": grievance.due_on.isoformat(),
        "acknowledgement_due_on": grievance.acknowledgement_due_on.isoformat(),
        "duplicate_of": grievance.duplicate_of.reference if grievance.duplicate_of_id else None,
    }
    if result.pin:
        data["pin"] = result.pin
    data["replayed"] = result.replayed
    return data


class GrievanceListCreate(ApiView):
    def dispatch(self, request, *args, **kwargs):
        if request.method != "POST":
            return super().dispatch(request, *args, **kwargs)
        # An intake runs the same point statements (token, category, duplicate, inserts) on
        # every call: prepared once per connection, planned once (pmpp.prepared).
        with prepared_statements():
            return super().dispatch(request, *args, **kwargs)

    @extend_schema(
        operation_id="grievances_list",
        parameters=[serializers.GrievanceFilterSerializer],
        responses={200: serializers.GrievanceSerializer(many=True), **_ERRORS},
    )
    def get(self, request):
        params = serializers.GrievanceFilterSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        f = params.validated_data
        grievances = grievance_list_for_user(user=request.user).select_related("region", "duplicate_of")
        q = Q()
        if "programme" in f:
            q &= Q(programme=f["programme"])
        if "channel" in f:
            q &= Q(channel=f["channel"])
        if "status" in f:
            q &= Q(status=f["status"])
        if "received_after" in f:
            q &= Q(received_at__gte=f["received_after"])
        if "received_before" in f:
            q &= Q(received_at__lt=f["received_before"])
        if "updated_since" in f:
            q &= Q(pk__in=Grievance.history.filter(history_date__gte=f["updated_since"]).values("id"))
        paginator = Cursor()
        page = paginator.paginate_queryset(grievances.filter(q), request, view=self)
        return paginator.get_paginated_response(serializers.GrievanceSerializer(page, many=True).data)

    @extend_schema(
        operation_id="grievances_create",
        request=serializers.GrievanceIntakeSerializer,
        parameters=[
            OpenApiParameter(
                "Idempotency-Key",
                OpenApiTypes.STR,
                OpenApiParameter.HEADER,
                description=_("Clé unique par requête : la rejouer renvoie la réclamation d'origine."),
            )
        ],
        responses={
            201: serializers.IntakeResponseSerializer,
            200: serializers.IntakeResponseSerializer,
            **_ERRORS,
            422: OpenApiResponse(description=_("Clé d'idempotence ou référence externe déjà utilisée.")),
        },
    )
    def post(self, request):
        account = getattr(request.user, "integration_account", None)
        key = request.headers.get("Idempotency-Key", "").strip()
        if len(key) > 255:
            return Response({"Idempotency-Key": [_("Clé trop longue (255 caractères au plus).")]}, status=400)
        intake = serializers.GrievanceIntakeSerializer(data=request.data, context={"account": account})
        intake.is_valid(raise_exception=True)
        result = api_grievance_register(account=account, key=key, body=request.data, data=intake.validated_data)
        return Response(_intake_response(result), status=200 if result.replayed else 201)


class GrievanceDetail(ApiView):
    @extend_schema(operation_id="grievances_retrieve", responses={200: serializers.GrievanceDetailSerializer})
    def get(self, request, reference: str):
        grievance = _grievance(request.user, reference)
        record_views(request.user, channel=AccessChannel.API, grievances=[grievance], where="api:grievance")
        return Response(serializers.GrievanceDetailSerializer(grievance).data)


def _comment_kwargs(d: dict) -> dict:
    return {"comment": d["comment"]}


# name → (serializer, service, keyword arguments of the service from the validated data)
STEPS = {
    "qualify": (
        serializers.QualifySerializer,
        wf.grievance_qualify,
        lambda d: {k: d[k] for k in ("category", "subject", "nature", "identity_verified", "comment")},
    ),
    "reclassify_as_request": (
        serializers.ReclassifySerializer,
        wf.grievance_reclassify_as_request,
        lambda d: {k: d[k] for k in ("not_complaint_kind", "answer_text", "comment")},
    ),
    "analyse": (
        serializers.AnalyseSerializer,
        wf.grievance_analyse,
        lambda d: {k: d[k] for k in ("conclusion", "outcome", "unfounded_reason", "comment")},
    ),
    "route_to_unit": (
        serializers.RouteSerializer,
        wf.grievance_route_to_unit,
        lambda d: {"unit": d["unit"], "comment": d["comment"]},
    ),
    "give_commitment": (
        serializers.GiveCommitmentSerializer,
        wf.commitment_give,
        lambda d: {"promised_on": d["promised_on"], "note": d["note"], "beyond_due_reason": d["beyond_due_reason"]},
    ),
    "honour_commitment": (
        serializers.HonourCommitmentSerializer,
        wf.commitment_honour,
        lambda d: {"realised_at": d["realised_at"], "comment": d["comment"]},
    ),
    "break_commitment": (serializers.BreakCommitmentSerializer, wf.commitment_break, lambda d: {"reason": d["reason"]}),
    "renew_commitment": (
        serializers.RenewCommitmentSerializer,
        wf.commitment_renew,
        lambda d: {"promised_on": d["promised_on"], "reason": d["reason"], "beyond_due_reason": d["beyond_due_reason"]},
    ),
    "transmit_to_partner": (serializers.CommentSerializer, wf.grievance_transmit_to_partner, _comment_kwargs),
    "record_partner_outcome": (
        serializers.PartnerOutcomeSerializer,
        wf.grievance_record_partner_outcome,
        lambda d: {k: d[k] for k in ("founded", "data_corrected", "note", "unfounded_reason")},
    ),
    "regularise": (serializers.NoteSerializer, wf.grievance_regularise, lambda d: {"note": d["note"]}),
    "draft_answer": (
        serializers.DraftAnswerSerializer,
        wf.grievance_draft_answer,
        lambda d: (
            {k: d[k] for k in ("text", "explanation", "answer_channel", "exception", "exception_reason")}
            | {"comment": d["comment"]}
        ),
    ),
    "approve_answer": (serializers.NoteSerializer, wf.grievance_approve_answer, lambda d: {"note": d["note"]}),
    "reject_answer": (serializers.NoteSerializer, wf.grievance_reject_answer, lambda d: {"note": d["note"]}),
    "send_answer": (
        serializers.SendAnswerSerializer,
        wf.grievance_send_answer,
        lambda d: {"sent_at": d["sent_at"], "comment": d["comment"]},
    ),
    "close": (
        serializers.CloseSerializer,
        wf.grievance_close,
        # The screens ask the closing officer to confirm (issue 20); a client's POST to this
        # operation is already that deliberate act, with no person in front of a dialog.
        lambda d: {
            "synthesis": d["synthesis"],
            "external_recourse_informed": d["external_recourse_informed"],
            "confirmed": True,
        },
    ),
    "appeal": (
        serializers.AppealSerializer,
        wf.grievance_appeal,
        lambda d: {"reason": d["reason"], "received_at": d["received_at"]},
    ),
    "review_appeal": (
        serializers.ReviewAppealSerializer,
        wf.grievance_review_appeal,
        lambda d: {k: d[k] for k in ("conclusion", "outcome", "unfounded_reason")},
    ),
}


class GrievanceTransition(ApiView):
    """POST /api/v1/grievances/{reference}/transitions/{name}/: one workflow step, by the account's user."""

    step: str = ""

    def post(self, request, reference: str, name: str | None = None):
        name = name or self.step
        if name not in STEPS:
            raise Http404(_("Étape inconnue : « %s ».") % name[:40])
        serializer_class, service, arguments = STEPS[name]
        grievance = _grievance(request.user, reference)
        step = serializer_class(data=request.data, context={"grievance": grievance})
        step.is_valid(raise_exception=True)
        data = step.validated_data
        service(grievance=grievance, actor=request.user, expected_status=data["expected_status"], **arguments(data))
        grievance.refresh_from_db()
        # The answer is the grievance's full detail, complainant included.
        record_views(request.user, channel=AccessChannel.API, grievances=[grievance], where="api:transition")
        return Response(serializers.GrievanceDetailSerializer(grievance).data)


def transition_view(name: str):
    """One documented operation per step, each with its own request body."""
    serializer_class = STEPS[name][0]

    def post(self, request, reference: str):
        return GrievanceTransition.post(self, request, reference)

    view = type(
        f"Transition_{name}",
        (GrievanceTransition,),
        {
            "step": name,
            "post": extend_schema(
                operation_id=f"grievances_transition_{name}",
                request=serializer_class,
                responses={
                    200: serializers.GrievanceDetailSerializer,
                    **_ERRORS,
                    404: OpenApiResponse(description=_("Réclamation introuvable.")),
                    409: OpenApiResponse(description=_("La réclamation a changé entre-temps.")),
                },
            )(post),
        },
    )
    return view.as_view()


class CommitmentList(ApiView):
    @extend_schema(
        operation_id="commitments_list",
        parameters=[serializers.CommitmentFilterSerializer],
        responses={200: serializers.CommitmentSerializer(many=True), **_ERRORS},
    )
    def get(self, request):
        params = serializers.CommitmentFilterSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        visible = grievance_list_for_user(user=request.user)
        if "grievance" in params.validated_data:
            visible = visible.filter(reference=params.validated_data["grievance"])
        commitments = Commitment.objects.filter(grievance__in=visible.values("pk")).select_related(
            "grievance", "renews"
        )
        paginator = Cursor()
        page = paginator.paginate_queryset(commitments, request, view=self)
        return paginator.get_paginated_response(serializers.CommitmentSerializer(page, many=True).data)


class RegistryList(ApiView):
    """Read-only lists of the stakeholder registry, for roles that may read it."""

    permission = ""
    serializer_class = None
    selector = None

    def get(self, request):
        if not request.user.has_perm(self.permission):
            raise PermissionDenied(_("Ce compte n'a pas accès au registre des parties prenantes."))
        paginator = Cursor()
        page = paginator.paginate_queryset(type(self).selector(), request, view=self)
        return paginator.get_paginated_response(self.serializer_class(page, many=True).data)


def _registry_view(name, permission, serializer_class, selector):
    def get(self, request):
        return RegistryList.get(self, request)

    return type(
        name,
        (RegistryList,),
        {
            "permission": permission,
            "serializer_class": serializer_class,
            "selector": staticmethod(selector),
            "get": extend_schema(
                operation_id=f"{name.lower()}_list", responses={200: serializer_class(many=True), **_ERRORS}
            )(get),
        },
    ).as_view()


stakeholder_groups = _registry_view(
    "StakeholderGroups",
    "stakeholders.view_stakeholdergroup",
    serializers.StakeholderGroupSerializer,
    registry.group_list,
)
stakeholders = _registry_view(
    "Stakeholders", "stakeholders.view_stakeholder", serializers.StakeholderSerializer, registry.stakeholder_list
)
engagement_activities = _registry_view(
    "EngagementActivities",
    "stakeholders.view_engagementactivity",
    serializers.EngagementActivitySerializer,
    registry.activity_list,
)


class StatisticsView(ApiView):
    @extend_schema(
        operation_id="statistics",
        parameters=[serializers.StatisticsQuerySerializer],
        responses={
            200: inline_serializer(
                "StatisticsResponse",
                {
                    "period": drf_serializers.CharField(),
                    "start": drf_serializers.DateField(),
                    "end": drf_serializers.DateField(),
                    "as_of": drf_serializers.DateTimeField(
                        help_text=gettext_lazy("L'instant que décrivent les chiffres.")
                    ),
                    "metrics_version": drf_serializers.IntegerField(
                        help_text=gettext_lazy("Version du dictionnaire des indicateurs (docs/metrics.md).")
                    ),
                    "group_by": drf_serializers.CharField(allow_null=True),
                    "results": drf_serializers.ListField(
                        child=drf_serializers.DictField(),
                        help_text=gettext_lazy(
                            "Une ligne par valeur de la ventilation : `key` (code stable), `label` (nom dans la "
                            "langue demandée), puis chaque indicateur du dictionnaire sous sa clé, moyennes, "
                            "médianes et taux arrondis à 2 décimales."
                        ),
                    ),
                },
            ),
            **_ERRORS,
        },
    )
    @reporting_reads()
    def get(self, request):
        params = serializers.StatisticsQuerySerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        q = params.validated_data
        period = getattr(Period, q["period"])(q["year"], q["number"])
        filters = Filters(
            programme_ids=(q["programme"].pk,) if "programme" in q else (),
            channel_ids=(q["channel"].pk,) if "channel" in q else (),
            region_ids=(q["region"].pk,) if "region" in q else (),
        )
        group_by = q.get("group_by")
        as_of = timezone.now()
        by_key = grievance_statistics(user=request.user, period=period, filters=filters, group_by=group_by, as_of=as_of)
        label = Labeller([group_by] if group_by else [])
        language = active_language()
        results = []
        for key, stats in by_key.items():
            named = label(group_by, key) if group_by else None
            figures = {name: metrics.rounded(value) for name, value in stats.as_dict().items()}
            results.append({"key": named.code if named else None, "label": named.text(language) if named else None}
                           | figures)  # fmt: skip
        return Response(
            {
                "period": period.label,
                "start": period.start,
                "end": period.end,
                "as_of": as_of,
                "metrics_version": metrics.VERSION,
                "group_by": group_by,
                "results": results,
            }
        )
