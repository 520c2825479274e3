"""Who takes a case: the assignment pickers of the file, the queues' bulk work and the intake.

A picker shows people by the name colleagues know (« Prénom Nom », not the login) and, when
it knows the cases, only those who can take every one of them (`grievances.people`). The
service checks again on submit: a picker is a help, the rule is the service's.
"""

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.forms.models import ModelChoiceIterator
from django.utils.translation import gettext_lazy as _

from grievances.people import WORKING_ROLES, colleagues_with_roles, full_name
from pmpp import limits, roles
from pmpp.form_rendering import BootstrapMixin
from pmpp.models import Unit


class _ListedPeople(ModelChoiceIterator):
    """The options from the people already read (`grievances.people`), not from a new query."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for person in self.field.people:
            yield self.choice(person)

    def __len__(self):
        return len(self.field.people) + (self.field.empty_label is not None)


class PeopleChoiceMixin:
    """A model choice field of people: shown by name, its options those of `offer(people)`.

    The pickers are built from people the page has already read with their roles and scope,
    so listing them again would be one more query per picker on every page; only a submitted
    choice is looked up (among them) to validate it.
    """

    people: list | None = None

    def offer(self, people) -> None:
        self.people = sorted(people, key=lambda u: (u.last_name, u.first_name, u.get_username()))
        self.iterator = _ListedPeople
        self.queryset = people_queryset(self.people)

    def label_from_instance(self, obj) -> str:
        return full_name(obj)


class PersonChoiceField(PeopleChoiceMixin, forms.ModelChoiceField):
    pass


def people_queryset(users):
    """These people, in the order of their names."""
    return get_user_model().objects.filter(pk__in=[u.pk for u in users]).order_by("last_name", "first_name", "username")


def working_people():
    """Everyone who takes cases, whatever their programmes: what the service then checks."""
    return (
        get_user_model()
        .objects.filter(is_active=True, groups__name__in=[roles.ROLES_BY_CODE[c].group_name for c in WORKING_ROLES])
        .distinct()
        .order_by("last_name", "first_name")
    )


class AssignForm(BootstrapMixin, forms.Form):
    """Assign to an agent and/or a business unit. Given `assignees` (those who can take the
    cases, `grievances.people.assignees_for`), the picker offers only them."""

    assignee = PersonChoiceField(queryset=None, label=_("Agent"), required=False)
    unit = forms.ModelChoiceField(
        queryset=Unit.objects.filter(is_active=True), label=_("Service métier"), required=False
    )

    def __init__(self, *args, assignees=None, **kwargs):
        super().__init__(*args, **kwargs)
        if assignees is None:
            self.fields["assignee"].queryset = working_people()
        else:
            self.fields["assignee"].offer(assignees)
        self._style()

    def clean(self):
        data = super().clean()
        if not data.get("assignee") and not data.get("unit"):
            raise forms.ValidationError(_("Choisissez un agent ou un service métier."))
        return data


class BulkStepForm(BootstrapMixin, forms.Form):
    """A step that needs no data of its own case: only a comment, the same for every case."""

    comment = forms.CharField(
        label=_("Commentaire (facultatif, le même pour chaque dossier)"),
        required=False,
        max_length=limits.NOTE,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._style()


class IntakeOwnerMixin(forms.Form):
    """« Attribuer à » on the intake form: empty, the registering agent owns the case (issue 18)."""

    assignee = PersonChoiceField(queryset=None, label=_("Attribuer à"), required=False)

    def setup_owner(self, *, user) -> None:
        field = self.fields["assignee"]
        own = settings.PMPP_ASSIGN_REGISTERING_AGENT and bool(roles.role_codes_for(user) & set(WORKING_ROLES))
        field.empty_label = _("Moi-même") if own else _("Personne pour l'instant")
        field.help_text = (
            _("Par défaut la réclamation vous est attribuée : elle apparaît dans « Mes dossiers ».")
            if own
            else _("Sans choix, la réclamation attend d'être attribuée.")
        )
        # Colleagues who work on one of the agent's programmes at least; the service checks
        # that the one chosen works on the programme of the case.
        scope = user.programme_scope()
        colleagues = [
            person
            for person in colleagues_with_roles(WORKING_ROLES)
            if person.pk != user.pk
            and (
                scope.all_programmes
                or person.programme_scope().all_programmes
                or scope.programme_ids & person.programme_scope().programme_ids
            )
        ]
        field.offer(colleagues)
