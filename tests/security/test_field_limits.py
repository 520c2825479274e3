"""One limit per free text, whatever the door (security issue 17, finding 4).

The forms, filters, API serializers, import columns and models are found by walking the
code, not listed by hand: a field added without a declared maximum fails here. Every text
field is sent its maximum (accepted) and one character more (refused, the error on that
field); every file field a file one byte over `PMPP_MAX_UPLOAD_BYTES`. Then one request per
door shows that a description one character too long is refused and nothing is saved.

Texts are written in Arabic letters: a maximum counts characters, not the bytes of UTF-8.
"""

import importlib
import inspect
import pkgutil
from datetime import timedelta

import django_filters
import pytest
from django import forms
from django.apps import apps
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.validators import MaxLengthValidator
from django.db import IntegrityError, models, transaction
from django.urls import reverse
from django.utils import timezone
from rest_framework import serializers
from simple_history.models import HistoricalChanges

from api import serializers as api
from grievances import forms as grievance_forms
from grievances.models import Commitment, Grievance, SensitiveCase
from grievances.services.intake import SensitiveDetails, grievance_register
from imports import mapping
from imports.models import ImportJob
from pmpp import limits
from pmpp.models import Programme
from portal import forms as portal_forms
from tests.api.conftest import chikaya, intake  # noqa: F401  (fixtures)
from tests.factories import intake_form_data
from tests.imports.conftest import HEADERS, agent_client, csv_file, good_row, last_job, media, upload  # noqa: F401

pytestmark = pytest.mark.django_db

LETTER = "ب"
_PROJECT_APPS = [config for config in apps.get_app_configs() if "site-packages" not in config.path]
_OURS = {config.name for config in _PROJECT_APPS}
# Modules that are not part of the running code, or that configure it (importing them again would).
_NOT_WALKED = {"migrations", "management", "settings", "wsgi", "asgi"}


def _import_every_module() -> None:
    """Import every module of the project's apps, so that every form and serializer class exists."""
    for config in _PROJECT_APPS:
        for module in pkgutil.walk_packages([config.path], prefix=f"{config.name}."):
            if _NOT_WALKED.isdisjoint(module.name.split(".")):
                importlib.import_module(module.name)


def _ours(cls) -> bool:
    return cls.__module__.split(".")[0] in _OURS


def _subclasses(base: type) -> list[type]:
    found, todo = set(), [base]
    while todo:
        for subclass in todo.pop().__subclasses__():
            if subclass not in found:
                found.add(subclass)
                todo.append(subclass)
    return sorted((c for c in found if _ours(c)), key=_name)


def _name(cls: type) -> str:
    return f"{cls.__module__}.{cls.__qualname__}"


_import_every_module()
FORMS = [
    form
    for form in _subclasses(forms.BaseForm)
    # A ModelForm without a model is a base class: its fields are checked through its subclasses.
    if not (issubclass(form, forms.BaseModelForm) and form._meta.model is None)
    # Nor is a mixin (grievances.forms_guards): its fields are checked in the forms that use it.
    and not form.__name__.endswith("Mixin")
]
FILTERSETS = [filterset for filterset in _subclasses(django_filters.FilterSet) if filterset._meta.model is not None]
# Serializers that only describe a response in the schema: nothing is ever read through them.
RESPONSES_ONLY = {api.IntakeResponseSerializer}
SERIALIZERS = [serializer for serializer in _subclasses(serializers.BaseSerializer) if serializer not in RESPONSES_ONLY]

# Fields that take no free text: a choice, a reference row, a yes/no, a date, a number.
NOT_TEXT_FORM_FIELDS = (
    forms.ChoiceField,  # with TypedChoiceField, MultipleChoiceField and ModelChoiceField
    forms.ModelMultipleChoiceField,
    forms.BooleanField,
    forms.DateField,
    forms.DateTimeField,
    forms.IntegerField,  # with DecimalField and FloatField
)
NOT_TEXT_API_FIELDS = (
    serializers.ChoiceField,
    serializers.RelatedField,  # reference rows by code: `api.serializers.Code` caps their length
    serializers.ManyRelatedField,
    serializers.BooleanField,
    serializers.DateField,
    serializers.DateTimeField,
    serializers.IntegerField,
    serializers.BaseSerializer,  # a nested block: its own class is checked on its own
)
# Texts written by the system, never typed by a user or sent by a client.
SYSTEM_TEXTS = {
    "notifications.OutboxMessage.text": "rendered from the message templates",
    "pmpp.AuditLink.reason": "the reason of a sanctioned rewrite, given by the code that rewrites",
}


def _text(field, length: int) -> str:
    """A value of `length` characters that the field accepts but for its length."""
    if isinstance(field, forms.EmailField | serializers.EmailField):
        return _email(length)
    if isinstance(field, forms.SlugField | serializers.SlugField):
        return "a" * length
    return LETTER * length


def _email(length: int) -> str:
    local, tld = "a" * 64, ".ma"
    room = length - len(local) - 1 - len(tld)
    labels = []
    while room > 0:
        take = min(63, room if room <= 63 else room - 2)  # never leave a label of one dot alone
        labels.append("b" * take)
        room -= take + 1
    address = f"{local}@{'.'.join(labels)}{tld}"
    assert len(address) == length
    return address


def _codes(errors, name: str) -> set[str]:
    return {error.code for error in errors.get(name, [])}


# --- forms and filters --------------------------------------------------------------------------------------


@pytest.fixture
def build(salma, tayssir):
    """Bind a form class (or a filter set's form) to `data`, giving it what its constructor asks for."""
    grievance = Grievance(
        pk=10**9, programme=tayssir, status=Grievance.Status.RECEIVED, due_on=timezone.localdate() + timedelta(days=30)
    )
    needs = {
        "grievance": grievance,
        "user": salma,
        "templates": [],
        "mentionable": [],  # the internal note's colleagues to mention (issue 18)
    }

    def build(door: type, data: dict, files: dict | None = None) -> forms.BaseForm:
        if issubclass(door, django_filters.FilterSet):
            return door(data=data, queryset=door._meta.model._default_manager.none()).form
        kwargs = {}
        for name, parameter in inspect.signature(door.__init__).parameters.items():
            if parameter.kind is parameter.KEYWORD_ONLY and parameter.default is parameter.empty:
                if name not in needs:
                    pytest.fail(f"{_name(door)} needs `{name}`: teach this test how to build it")
                kwargs[name] = needs[name]
        if issubclass(door, forms.BaseModelForm):
            # An instance that exists, so that edit-only fields (the change's reason) are there.
            kwargs["instance"] = door._meta.model(pk=10**9)
        if files is not None:
            kwargs["files"] = files
        return door(data=data, **kwargs)

    return build


def _form_field_problems(build, door: type, name: str, field) -> list[str]:
    if isinstance(field, forms.FileField):
        over = build(door, {}, files={name: SimpleUploadedFile("a.pdf", b"%" * 65)})
        at = build(door, {}, files={name: SimpleUploadedFile("a.pdf", b"%" * 64)})
        problems = []
        if "too_large" not in _codes(over.errors.as_data(), name):
            problems.append(f"{name}: a file over PMPP_MAX_UPLOAD_BYTES is not refused on the field")
        if "too_large" in _codes(at.errors.as_data(), name):
            problems.append(f"{name}: a file of exactly PMPP_MAX_UPLOAD_BYTES is refused")
        return problems
    if isinstance(field, forms.CharField):
        if field.max_length is None:
            return [f"{name}: a text field without max_length"]
        over = build(door, {name: _text(field, field.max_length + 1)})
        at = build(door, {name: _text(field, field.max_length)})
        problems = []
        if "max_length" not in _codes(over.errors.as_data(), name):
            problems.append(f"{name}: {field.max_length + 1} characters are not refused on the field")
        if name in at.errors:
            problems.append(f"{name}: {field.max_length} characters are refused: {at.errors[name]}")
        return problems
    if isinstance(field, NOT_TEXT_FORM_FIELDS):
        return []
    return [f"{name}: a {type(field).__name__} is neither a limited text, a file nor a known non-text field"]


@pytest.mark.parametrize("door", FORMS + FILTERSETS, ids=_name)
def test_every_form_field_refuses_one_character_or_byte_over_its_limit(door, build, settings):
    settings.PMPP_MAX_UPLOAD_BYTES = 64
    fields = build(door, {}).fields

    problems = [problem for name, field in fields.items() for problem in _form_field_problems(build, door, name, field)]

    assert problems == []


# --- API serializers ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("serializer_class", SERIALIZERS, ids=_name)
def test_every_serializer_field_refuses_one_character_over_its_limit(serializer_class, tayssir):
    context = {"grievance": Grievance(programme=tayssir, status=Grievance.Status.RECEIVED)}
    problems = []
    for name, field in serializer_class().fields.items():
        if field.read_only or isinstance(field, NOT_TEXT_API_FIELDS):
            continue
        if not isinstance(field, serializers.CharField):
            problems.append(f"{name}: a {type(field).__name__} is neither a limited text nor a known non-text field")
            continue
        if field.max_length is None:
            problems.append(f"{name}: a text field without max_length")
            continue
        over = serializer_class(data={name: _text(field, field.max_length + 1)}, context=context)
        at = serializer_class(data={name: _text(field, field.max_length)}, context=context)
        if over.is_valid() or "max_length" not in _codes(over.errors, name):
            problems.append(f"{name}: {field.max_length + 1} characters are not refused on the field")
        if not at.is_valid() and name in at.errors:
            problems.append(f"{name}: {field.max_length} characters are refused: {at.errors[name]}")

    assert problems == []


# --- import columns -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("source", list(mapping.COLUMNS))
def test_every_import_column_is_a_limited_text_or_a_coded_value(source):
    columns = set(mapping.COLUMNS[source])
    text, coded = set(mapping.TEXT_LIMITS), set(mapping.CODED_COLUMNS)

    assert columns - text - coded == set()
    assert text & coded == set()


@pytest.mark.parametrize("source", list(mapping.COLUMNS))
def test_every_import_text_column_refuses_one_character_over_its_limit(source):
    index, _missing = mapping.headers_index(source=source, header=HEADERS[source])
    refs = mapping.ReferenceData.load()
    row = dict(zip(HEADERS[source], good_row(1), strict=True))
    problems = []
    for field, limit in mapping.TEXT_LIMITS.items():
        header = mapping.column(source, field)
        try:
            mapping.row_to_intake(source=source, index=index, values=row | {header: LETTER * (limit + 1)}, refs=refs)
        except mapping.RowError as refusal:
            expected = f"Texte trop long dans la colonne « {header} » : {limit} caractères au plus."
            if (refusal.field, refusal.message) != (header, expected):
                problems.append(f"{header}: refused with « {refusal.message} » on {refusal.field}")
        else:
            problems.append(f"{header}: {limit + 1} characters are not refused")
        accepted = mapping.row_to_intake(source=source, index=index, values=row | {header: LETTER * limit}, refs=refs)
        if accepted[field] != LETTER * limit:
            problems.append(f"{header}: {limit} characters are not kept whole")

    assert problems == []


# --- models -------------------------------------------------------------------------------------------------


def _model_texts() -> list[tuple[type[models.Model], models.TextField]]:
    return [
        (model, field)
        for model in apps.get_models()
        if _ours(model) and not issubclass(model, HistoricalChanges)
        for field in model._meta.concrete_fields
        if isinstance(field, models.TextField) and f"{model._meta.label}.{field.name}" not in SYSTEM_TEXTS
    ]


MODEL_TEXTS = _model_texts()


@pytest.mark.parametrize(("model", "field"), MODEL_TEXTS, ids=[f"{m._meta.label}.{f.name}" for m, f in MODEL_TEXTS])
def test_every_model_text_refuses_one_character_over_its_limit_on_full_clean(model, field):
    others = [f.name for f in model._meta.fields if f.name != field.name]
    over, at = model(), model()
    setattr(over, field.attname, LETTER * ((field.max_length or 0) + 1))
    setattr(at, field.attname, LETTER * (field.max_length or 0))

    assert field.max_length is not None
    assert any(isinstance(v, MaxLengthValidator) and v.limit_value == field.max_length for v in field.validators)
    with pytest.raises(ValidationError) as refusal:
        over.clean_fields(exclude=others)
    assert [error.code for error in refusal.value.error_dict[field.name]] == ["max_length"]
    at.clean_fields(exclude=others)


# --- one field, one limit, at every door --------------------------------------------------------------------


def _form(form_class: type, name: str) -> int:
    return form_class.base_fields[name].max_length


def _api(serializer_class: type, name: str) -> int:
    return serializer_class().fields[name].max_length


def _model(model: type[models.Model], name: str) -> int:
    return model._meta.get_field(name).max_length


def _doors() -> dict[str, list[int]]:
    """The same field, as each door names it: the back office, the portal, the API, the import, the model."""
    g, step = Grievance, grievance_forms
    return {
        "description": [
            _form(step.IntakeForm, "description"),
            _form(portal_forms.FilingForm, "description"),
            _api(api.GrievanceIntakeSerializer, "description"),
            mapping.TEXT_LIMITS["description"],
            _model(g, "description"),
        ],
        "nature": [
            _form(step.IntakeForm, "nature"),
            _form(step.FlagSensitiveForm, "nature"),
            _api(api.SensitiveIntakeSerializer, "nature"),
            _model(SensitiveCase, "nature"),
        ],
        "name": [
            _form(step.IntakeForm, "name"),
            _form(portal_forms.FilingForm, "complainant_name"),
            _api(api.GrievanceIntakeSerializer, "name"),
            mapping.TEXT_LIMITS["name"],
            _model(g, "complainant_name"),
        ],
        "cnie": [
            _form(step.IntakeForm, "cnie"),
            _form(portal_forms.FilingForm, "complainant_cnie"),
            _form(portal_forms.TrackingForm, "identity"),
            _api(api.GrievanceIntakeSerializer, "cnie"),
            mapping.TEXT_LIMITS["cnie"],
        ],
        "phone": [
            _form(step.IntakeForm, "phone"),
            _form(portal_forms.FilingForm, "complainant_phone"),
            _api(api.GrievanceIntakeSerializer, "phone"),
            mapping.TEXT_LIMITS["phone"],
        ],
        "email": [
            _form(portal_forms.FilingForm, "complainant_email"),
            _api(api.GrievanceIntakeSerializer, "email"),
            _model(g, "complainant_email"),
        ],
        "external_reference": [
            _form(step.IntakeForm, "external_reference"),
            _api(api.GrievanceIntakeSerializer, "external_reference"),
            mapping.TEXT_LIMITS["external_reference"],
            _model(g, "external_reference"),
        ],
        "duplicate_override_reason": [
            _form(step.IntakeForm, "duplicate_override_reason"),
            _api(api.GrievanceIntakeSerializer, "duplicate_override_reason"),
            _model(g, "duplicate_override_reason"),
        ],
        "subject": [_form(step.QualifyForm, "subject"), _api(api.QualifySerializer, "subject"), _model(g, "subject")],
        "comment": [_form(step.CommentMixin, "comment"), _api(api.CommentSerializer, "comment"), limits.NOTE],
        "analysis_conclusion": [
            _form(step.AnalyseForm, "analysis_conclusion"),
            _form(step.ReviewAppealForm, "analysis_conclusion"),
            _api(api.AnalyseSerializer, "conclusion"),
            _api(api.ReviewAppealSerializer, "conclusion"),
            _model(g, "analysis_conclusion"),
        ],
        "answer_text": [
            _form(step.ReclassifyForm, "answer_text"),
            _form(step.DraftAnswerForm, "answer_text"),
            _api(api.ReclassifySerializer, "answer_text"),
            _api(api.DraftAnswerSerializer, "text"),
            _model(g, "answer_text"),
        ],
        "outcome_explanation": [
            _form(step.DraftAnswerForm, "outcome_explanation"),
            _api(api.DraftAnswerSerializer, "explanation"),
            _model(g, "outcome_explanation"),
        ],
        "answer_channel_exception_reason": [
            _form(step.DraftAnswerForm, "answer_channel_exception_reason"),
            _api(api.DraftAnswerSerializer, "exception_reason"),
            _model(g, "answer_channel_exception_reason"),
        ],
        "answer_review_note": [
            _form(step.ApproveAnswerForm, "answer_review_note"),
            _form(step.RejectAnswerForm, "answer_review_note"),
            _api(api.NoteSerializer, "note"),
            _model(g, "answer_review_note"),
        ],
        "regularisation_note": [
            _form(step.RegulariseForm, "regularisation_note"),
            _api(api.NoteSerializer, "note"),
            _model(g, "regularisation_note"),
        ],
        "partner_note": [
            _form(step.PartnerOutcomeForm, "partner_note"),
            _api(api.PartnerOutcomeSerializer, "note"),
            _model(g, "partner_note"),
        ],
        "synthesis": [
            _form(step.CloseForm, "final_synthesis"),
            _api(api.CloseSerializer, "synthesis"),
            _model(g, "final_synthesis"),
            _model(g, "appeal_synthesis"),
        ],
        "appeal_reason": [
            _form(step.AppealForm, "appeal_reason"),
            _form(portal_forms.AppealForm, "appeal_reason"),
            _api(api.AppealSerializer, "reason"),
            _model(g, "appeal_reason"),
        ],
        "commitment_note": [
            _form(step.GiveCommitmentForm, "note"),
            _api(api.GiveCommitmentSerializer, "note"),
            _model(Commitment, "note"),
        ],
        "broken_reason": [
            _form(step.BreakCommitmentForm, "broken_reason"),
            _api(api.BreakCommitmentSerializer, "reason"),
            _model(Commitment, "broken_reason"),
        ],
        "renewal_reason": [
            _form(step.RenewCommitmentForm, "renewal_reason"),
            _api(api.RenewCommitmentSerializer, "reason"),
            _model(Commitment, "renewal_reason"),
        ],
    }


def test_a_field_has_the_same_limit_at_every_door():
    differing = {field: found for field, found in _doors().items() if len(set(found)) != 1 or None in found}

    assert differing == {}


def test_an_agent_and_a_complainant_have_the_same_room_for_a_description():
    assert _model(Grievance, "description") == limits.LONG_TEXT == 10_000


def test_the_walk_finds_the_doors_it_is_meant_to():
    """A walk that found nothing would let every test above pass: it finds at least these."""
    expected_forms = {
        grievance_forms.IntakeForm,
        grievance_forms.DraftAnswerForm,
        portal_forms.FilingForm,
        portal_forms.AppealForm,
    }
    found_names = {_name(door) for door in FORMS + FILTERSETS}

    assert expected_forms <= set(FORMS)
    assert {
        "grievances.forms_attachments.AttachmentForm",
        "imports.forms.UploadForm",
        "stakeholders.forms.StakeholderGroupForm",
        "stakeholders.forms.MinutesForm",
        "stakeholders.filters.ActivityFilter",
        "reporting.views_reports.ReportStartForm",
    } <= found_names
    assert {api.GrievanceIntakeSerializer, api.SensitiveIntakeSerializer, api.DraftAnswerSerializer} <= set(SERIALIZERS)
    assert ("grievances.Grievance", "description") in {(m._meta.label, f.name) for m, f in MODEL_TEXTS}


# --- one request per door: a description one character too long is refused, nothing is saved ----------------

TOO_LONG = LETTER * (limits.LONG_TEXT + 1)


def test_the_back_office_intake_refuses_a_description_over_the_limit_and_saves_nothing(client, salma):
    client.force_login(salma)

    response = client.post(reverse("grievances:intake"), intake_form_data(description=TOO_LONG))

    assert response.status_code == 200
    assert response.context["form"].errors["description"] == [
        f"Assurez-vous que cette valeur comporte au plus {limits.LONG_TEXT} caractères "
        f"(actuellement {limits.LONG_TEXT + 1})."
    ]
    assert f'maxlength="{limits.LONG_TEXT}"' in response.text
    assert not Grievance.objects.exists()


def test_the_back_office_intake_saves_a_description_of_exactly_the_limit(client, salma):
    client.force_login(salma)

    response = client.post(reverse("grievances:intake"), intake_form_data(description=LETTER * limits.LONG_TEXT))

    assert response.status_code == 302
    assert Grievance.objects.get().description == LETTER * limits.LONG_TEXT


def test_the_portal_refuses_a_description_over_the_limit_and_saves_nothing(client, tayssir, payment_category):
    response = client.post(
        "/deposer-une-reclamation/",
        {
            "programme": tayssir.pk,
            "category": payment_category.pk,
            "description": TOO_LONG,
            "complainant_cnie": "AB123456",
            "complainant_phone": "0612345678",
        },
    )

    assert response.status_code == 200
    assert "max_length" in _codes(response.context["form"].errors.as_data(), "description")
    assert not Grievance.objects.exists()


def test_the_api_refuses_a_description_over_the_limit_and_saves_nothing(chikaya):  # noqa: F811
    _account, client = chikaya

    response = client.post("/api/v1/grievances/", intake(description=TOO_LONG))

    assert response.status_code == 400
    assert response.json()["description"] == [
        f"Assurez-vous que ce champ comporte au plus {limits.LONG_TEXT}\N{NO-BREAK SPACE}caractères."
    ]
    assert not Grievance.objects.exists()


def test_an_import_refuses_a_description_over_the_limit_and_saves_nothing(agent_client):  # noqa: F811
    too_long = good_row(1)
    too_long[4] = TOO_LONG

    upload(agent_client, csv_file([too_long]))
    job = last_job()
    agent_client.post(f"/reclamations/imports/{job.pk}/importer/")

    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE
    assert job.errors == [
        [
            2,
            "Objet de la plainte",
            f"Texte trop long dans la colonne « Objet de la plainte » : {limits.LONG_TEXT} caractères au plus.",
        ]
    ]
    assert not Grievance.objects.exists()


def test_the_intake_service_refuses_a_description_over_the_limit_whatever_calls_it(salma, tayssir, phone):
    with pytest.raises(ValidationError) as refusal:
        grievance_register(actor=salma, programme=tayssir, channel=phone, description=TOO_LONG, cnie="AB123456")

    assert refusal.value.message_dict == {
        "description": [f"Description trop longue ({limits.LONG_TEXT} caractères au plus)."]
    }
    assert not Grievance.objects.exists()


# --- and the database, for the texts that come from outside ---------------------------------------------------


def test_the_database_refuses_a_description_or_an_appeal_reason_over_the_limit(walk):
    grievance = walk.register()
    texts = Grievance.objects.filter(pk=grievance.pk)

    for field in ("description", "appeal_reason"):
        with pytest.raises(IntegrityError), transaction.atomic():
            texts.update(**{field: TOO_LONG})
        texts.update(**{field: LETTER * limits.LONG_TEXT})


def test_the_database_refuses_a_sensitive_case_nature_over_the_limit(salma, tayssir, phone):
    grievance_register(
        actor=salma, programme=tayssir, channel=phone, description="", sensitive=SensitiveDetails(nature="Harcèlement")
    )
    case = SensitiveCase.objects.filter(programme=Programme.objects.get(code="tayssir"))

    with pytest.raises(IntegrityError), transaction.atomic():
        case.update(nature=TOO_LONG)
    case.update(nature=LETTER * limits.LONG_TEXT)
