"""Internal notes on the file (issue 18, item 5): the panel of the file page, and writing one.

A note is never shown outside the back office (no public page, receipt or API reads notes).
Opening the file is what takes it out of the reader's « Mentions » queue.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from grievances.forms_notes import NoteForm
from grievances.models import Grievance, InternalNote, NoteMention
from grievances.people import file_people
from grievances.selectors import grievance_get_for_user
from grievances.services.notes import mentions_acknowledge, note_add
from pmpp import roles


def notes_context(*, user, grievance: Grievance, mentionable: list) -> dict:
    """The « Notes internes » panel: two queries (notes, their mentions), none on a husk.

    The reader's own mentions on this case are acknowledged here, when the page shows them.
    """
    if grievance.status == Grievance.Status.SENSITIVE or not roles.role_grants(user, "grievances.view_internalnote"):
        return {"notes": None, "note_form": None}
    notes = list(
        InternalNote.objects.filter(grievance=grievance)
        .select_related("author")
        .prefetch_related(Prefetch("mentions", queryset=NoteMention.objects.select_related("user").order_by("pk")))
        .order_by("created_at", "pk")
    )
    if any(m.user_id == user.pk and m.seen_at is None for note in notes for m in note.mentions.all()):
        mentions_acknowledge(user=user, grievance=grievance)
    can_write = roles.role_grants(user, "grievances.add_internalnote")
    return {
        "notes": notes,
        "note_form": NoteForm(mentionable=mentionable, auto_id="note_%s") if can_write else None,
    }


@login_required
@require_POST
def note_add_view(request: HttpRequest, pk: int) -> HttpResponse:
    grievance = grievance_get_for_user(user=request.user, pk=pk)
    if not roles.role_grants(request.user, "grievances.add_internalnote"):
        raise PermissionDenied
    _assignees, mentionable = file_people(grievance)
    form = NoteForm(request.POST, mentionable=mentionable, auto_id="note_%s")
    if form.is_valid():
        try:
            note = note_add(
                grievance=grievance,
                actor=request.user,
                body=form.cleaned_data["body"],
                mentioned=form.cleaned_data["mentions"],
            )
        except ValidationError as error:
            for field, errors in getattr(error, "message_dict", {None: error.messages}).items():
                form.add_error(field if field in form.fields else None, errors)
        except PermissionDenied as denied:
            messages.error(request, str(denied))
            return redirect("grievances:detail", pk=pk)
        else:
            count = len(note.mentioned)
            messages.success(
                request,
                ngettext(
                    "Note enregistrée ; %(count)d collègue mentionné·e.",
                    "Note enregistrée ; %(count)d collègues mentionné·e·s.",
                    count,
                )
                % {"count": count}
                if count
                else _("Note enregistrée."),
            )
            return redirect(reverse("grievances:detail", args=[pk]) + "#h-notes")
    # Refused: the form again, with what was typed and why, on its own page.
    return render(request, "grievances/note_form.html", {"grievance": grievance, "note_form": form})
