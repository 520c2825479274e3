"""Internal notes on the file and the colleagues they mention (issue 18, item 5).

A note is staff talking to staff about a case: it never reaches the complainant (no message
is queued, the public pages and the API do not read notes). A colleague is mentioned by
typing « @login » or by choosing them in the list; each must be able to see the case by the
file's own rule and read notes, or the note is refused whole. The mentioned colleague finds
the case in their « Mentions » queue until they open it.
"""

import re
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_noop

from grievances.access import user_can_see_grievance
from grievances.models import Grievance, InternalNote, NoteMention
from grievances.people import full_name
from pmpp import limits, roles

NOTE_REASON = gettext_noop("Note interne")
# Written in the audit chain in the clear when a case moves to the GBV referent: no content.
ERASED_ON_FLAG_REASON = gettext_noop("Cas transféré au référent VBG : texte des notes internes retiré")
# « @salma », « @agent.cnss »: after a space, a bracket or the start, never inside an e-mail
# address (« ecrit@exemple.ma » mentions nobody). A login's last character is not a full stop,
# so « voir @salma. » mentions salma.
_MENTION = re.compile(r"(?<![\w@.+-])@([\w][\w.@+-]*[\w]|[\w])")
# More than this in one note is a circular, not a mention.
MAX_MENTIONS = 20


def mentioned_logins(body: str) -> list[str]:
    """The logins typed after « @ » in a note, in order, once each (case ignored)."""
    found: dict[str, str] = {}
    for login in _MENTION.findall(body or ""):
        found.setdefault(login.casefold(), login)
    return list(found.values())


def may_be_mentioned(user, grievance: Grievance) -> bool:
    """Reads notes and sees the case: the same rule as the file page."""
    return (
        user.is_active
        and roles.role_grants(user, "grievances.view_internalnote")
        and user_can_see_grievance(user, grievance)
    )


def _mentioned_people(*, grievance: Grievance, body: str, chosen: Iterable, author) -> list:
    """Everyone the note mentions, or a ValidationError on `body` naming what is wrong.

    The errors name the login as it was typed and nothing about the case or the person's
    access beyond « no access to this file ».
    """
    from django.contrib.auth import get_user_model

    logins = mentioned_logins(body)
    errors = []
    if len(logins) > MAX_MENTIONS:
        raise ValidationError({"body": f"Une note mentionne au plus {MAX_MENTIONS} collègues."})
    people = {user.pk: user for user in chosen}
    if logins:
        wanted = Q()
        for login in logins:
            wanted |= Q(username__iexact=login)
        accounts = {user.username.casefold(): user for user in get_user_model().objects.filter(wanted)}
        unknown = False
        for login in logins:
            user = accounts.get(login.casefold())
            if user is None or not user.is_active:
                unknown = True
            else:
                people.setdefault(user.pk, user)
        if unknown:
            # What follows « @ » may be anything (a number, a name): it is not repeated back.
            errors.append(
                "Une mention ne correspond à aucun collègue actif : vérifiez l'identifiant écrit après « @ », "
                "ou choisissez le collègue dans la liste."
            )
    people.pop(author.pk, None)
    for user in people.values():
        if not may_be_mentioned(user, grievance):
            errors.append(
                f"« @{user.get_username()} » ne peut pas être mentionné·e : "
                "ce collègue n'a pas accès à ce dossier ou aux notes internes."
            )
    if errors:
        raise ValidationError({"body": errors})
    return sorted(people.values(), key=lambda u: (u.last_name, u.first_name, u.username))


def note_add(*, grievance: Grievance, actor, body: str, mentioned: Iterable = ()) -> InternalNote:
    """Write an internal note on the file, and tell the colleagues it mentions (issue 18).

    Never sent to the complainant. Refused whole when one mention is not possible: a note
    that reached only some of those it names would fail silently for the others.
    """
    if not roles.role_grants(actor, "grievances.add_internalnote") or not user_can_see_grievance(actor, grievance):
        raise PermissionDenied("Vous n'êtes pas autorisé·e à écrire une note sur ce dossier.")
    if grievance.status == Grievance.Status.SENSITIVE:
        # The referent keeps what is said about the case in the sensitive case, nowhere else.
        raise ValidationError("Ce dossier a été transféré au référent VBG : aucune note ne peut y être ajoutée.")
    body = (body or "").strip()
    if not body:
        raise ValidationError({"body": "Écrivez la note."})
    if len(body) > limits.NOTE:
        raise ValidationError({"body": f"Note trop longue : {limits.NOTE} caractères au plus."})
    people = _mentioned_people(grievance=grievance, body=body, chosen=mentioned, author=actor)
    with transaction.atomic():
        note = InternalNote(grievance=grievance, author=actor, body=body, created_at=timezone.now())
        note._change_reason = (
            f"{NOTE_REASON} — mentionne : {', '.join(full_name(u) for u in people)}" if people else NOTE_REASON
        )
        note._history_transition = "note"
        note._history_user = actor
        note.save(force_insert=True)
        NoteMention.objects.bulk_create(NoteMention(note=note, grievance=grievance, user=user) for user in people)
    note.mentioned = people
    return note


def mentions_acknowledge(*, user, grievance: Grievance) -> int:
    """The user opened the file: its mentions of them leave their « Mentions » queue."""
    return NoteMention.objects.filter(user=user, grievance=grievance, seen_at__isnull=True).update(
        seen_at=timezone.now()
    )


def notes_erase_on_flag(*, grievance: Grievance, actor) -> int:
    """A case moved to the GBV referent keeps no note text, in its notes or their history (SPEC §5.5).

    Called by `sensitive_case_take_over`, in the flag's transaction. A note may quote the
    allegation or name the survivor: its history rows get the placeholder (re-sealed in the
    audit chain, as the anonymisation does), then each note is saved blank, which writes a
    history row saying why. Pending mentions are closed: nobody else may open the case now.
    """
    from privacy.anonymisation import NOTE_TEXT_FIELDS, history_rows_erase

    notes = list(InternalNote.objects.select_for_update().filter(grievance=grievance).order_by("pk"))
    if not notes:
        return 0
    history_rows_erase(
        InternalNote.history.model.objects.filter(id__in=[n.pk for n in notes]),
        reason=ERASED_ON_FLAG_REASON,
        texts=NOTE_TEXT_FIELDS,
    )
    for note in notes:
        note.body = ""
        note._change_reason = ERASED_ON_FLAG_REASON
        note._history_user = actor
        note.save(update_fields=["body"])
    NoteMention.objects.filter(grievance=grievance, seen_at__isnull=True).update(seen_at=timezone.now())
    return len(notes)
