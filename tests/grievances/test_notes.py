"""Internal notes on the file, with @mentions and the « Mentions » queue (issue 18, item 5)."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from grievances.models import Grievance, InternalNote, NoteMention
from grievances.queues import queue_counts
from grievances.services import workflow as wf
from grievances.services.intake import SensitiveDetails
from grievances.services.notes import mentioned_logins, note_add
from notifications.models import OutboxMessage
from pmpp.audit import history_rewrite_allowed
from pmpp.audit_chain import verify_chain
from privacy.anonymisation import PLACEHOLDER, anonymise_due_grievances

pytestmark = pytest.mark.django_db

SECRET = "Le bénéficiaire a dit au téléphone que son voisin encaisse la bourse"


def mentions_of(user) -> int:
    return queue_counts(user=user)["mentions"]


def test_a_note_is_kept_with_its_author_and_shown_on_the_file_and_in_the_timeline(client, walk, salma):
    g = walk.qualified()

    note = note_add(grievance=g, actor=salma, body=SECRET)

    assert (note.author, note.body) == (salma, SECRET)
    row = InternalNote.history.get(id=note.pk)
    assert (row.history_user, row.history_change_reason, row.body) == (salma, "Note interne", SECRET)
    client.force_login(salma)
    page = client.get(reverse("grievances:detail", args=[g.pk])).content.decode()
    notes_panel = page[page.index('id="h-notes"') : page.index('id="h-timeline"')]
    assert SECRET in notes_panel
    timeline = page[page.index('id="timeline"') :]
    assert "Note interne" in timeline
    assert SECRET in timeline


def test_a_note_queues_no_message_for_the_complainant(walk, salma):
    g = walk.qualified()
    before = OutboxMessage.objects.count()

    note_add(grievance=g, actor=salma, body=f"Rappeler le réclamant. {SECRET}")

    assert OutboxMessage.objects.count() == before


def test_a_colleague_mentioned_finds_the_case_in_mentions_until_they_open_it(client, walk, salma, youssef, nadia):
    g = walk.routed()
    assert mentions_of(youssef) == 0

    note = note_add(grievance=g, actor=salma, body="@youssef peux-tu donner un engagement ? Merci.", mentioned=[nadia])

    assert {m.user for m in note.mentions.all()} == {youssef, nadia}
    assert mentions_of(youssef) == 1
    assert mentions_of(nadia) == 1
    client.force_login(youssef)
    queue = client.get(reverse("grievances:queue", args=["mentions"])).content.decode()
    assert g.reference in queue
    client.get(reverse("grievances:detail", args=[g.pk]))
    assert mentions_of(youssef) == 0
    assert g.reference not in client.get(reverse("grievances:queue", args=["mentions"])).content.decode()
    # Nadia has not opened it yet: still hers.
    assert mentions_of(nadia) == 1


def test_mentioning_a_colleague_who_cannot_see_the_case_is_refused_whole_without_personal_data(walk, salma, rachid):
    g = walk.qualified()

    with pytest.raises(ValidationError) as refusal:
        note_add(grievance=g, actor=salma, body=f"@rachid regarde ce dossier de {g.complainant_name}")

    message = " ".join(refusal.value.messages)
    assert "« @rachid » ne peut pas être mentionné·e" in message
    assert "n'a pas accès à ce dossier" in message
    for personal in (g.complainant_name, g.complainant_cnie, g.complainant_phone, g.reference, "AMO"):
        assert personal not in message
    assert not InternalNote.objects.exists()
    assert not NoteMention.objects.exists()
    assert mentions_of(rachid) == 0


def test_a_partner_liaison_cannot_be_mentioned_nor_read_nor_write_notes(client, walk, salma, hicham):
    g = walk.at_partner()
    note_add(grievance=g, actor=salma, body=SECRET)

    with pytest.raises(ValidationError):
        note_add(grievance=g, actor=salma, body="@hicham voir le relevé MASSAR")
    with pytest.raises(PermissionDenied):
        note_add(grievance=g, actor=hicham, body="Relevé corrigé")
    client.force_login(hicham)
    page = client.get(reverse("grievances:detail", args=[g.pk])).content.decode()
    assert 'id="h-notes"' not in page
    assert SECRET not in page
    assert client.post(reverse("grievances:note_add", args=[g.pk]), {"body": "x"}).status_code == 403


def test_an_unknown_mention_is_refused_without_repeating_what_was_typed(walk, salma):
    g = walk.qualified()

    with pytest.raises(ValidationError) as refusal:
        note_add(grievance=g, actor=salma, body="Voir @AB123456 avec le service.")

    assert "ne correspond à aucun collègue" in " ".join(refusal.value.messages)
    assert "AB123456" not in " ".join(refusal.value.messages)


@pytest.mark.parametrize(
    ("body", "logins"),
    [
        ("@salma, voir @Youssef. Merci", ["salma", "Youssef"]),
        ("écrit à fatima@exemple.ma hier", []),
        ("(@agent.cnss) puis @salma et @SALMA", ["agent.cnss", "salma"]),
        ("Rien à signaler", []),
    ],
)
def test_mentions_are_logins_after_an_at_sign_never_inside_an_address(body, logins):
    assert mentioned_logins(body) == logins


def test_the_mention_picker_lists_by_full_name_only_colleagues_who_see_the_case(client, walk, salma, youssef, rachid):
    g = walk.qualified()
    client.force_login(salma)

    page = client.get(reverse("grievances:detail", args=[g.pk])).content.decode()

    picker = page[page.index('name="mentions"') : page.index("</select>", page.index('name="mentions"'))]
    assert f"{youssef.get_full_name()} (@youssef)" in picker
    assert "rachid" not in picker
    assert rachid.get_full_name() not in picker


def test_a_refused_note_comes_back_with_what_was_typed_and_why(client, walk, salma, rachid):
    g = walk.qualified()
    client.force_login(salma)

    response = client.post(reverse("grievances:note_add", args=[g.pk]), {"body": "@rachid à voir"})

    assert response.status_code == 200
    page = response.content.decode()
    assert "@rachid à voir" in page
    assert "n&#x27;a pas accès à ce dossier" in page
    assert not InternalNote.objects.exists()


def test_a_note_with_a_mention_picked_from_the_list_is_saved_from_the_file(client, walk, salma, youssef):
    g = walk.routed()
    client.force_login(salma)

    response = client.post(
        reverse("grievances:note_add", args=[g.pk]), {"body": "Engagement à donner.", "mentions": [youssef.pk]}
    )

    assert response.status_code == 302
    assert response["Location"].endswith(f"/reclamations/{g.pk}/#h-notes")
    assert NoteMention.objects.get().user == youssef


def test_notes_of_a_case_flagged_as_gbv_lose_their_text_in_their_history_too(walk, salma, nadia):
    g = walk.qualified()
    note = note_add(grievance=g, actor=salma, body=SECRET, mentioned=[nadia])

    wf.grievance_flag_sensitive(grievance=g, actor=salma, details=SensitiveDetails(nature="Propos déplacés"))

    note.refresh_from_db()
    assert note.body == ""
    rows = list(InternalNote.history.filter(id=note.pk).order_by("history_id").values_list("body", flat=True))
    assert rows == [PLACEHOLDER, ""]
    assert SECRET not in repr(list(InternalNote.history.filter(grievance_id=g.pk).values()))
    assert mentions_of(nadia) == 0
    assert verify_chain().broken is None
    with pytest.raises((ValidationError, PermissionDenied)):
        note_add(grievance=Grievance.objects.get(pk=g.pk), actor=salma, body="Encore une note")


def test_the_retention_run_erases_the_notes_of_a_grievance_and_their_history(walk, salma):
    g = walk.closed()
    note_add(grievance=g, actor=salma, body=SECRET)
    six_years = timedelta(days=6 * 365)
    Grievance.objects.filter(pk=g.pk).update(received_at=F("received_at") - six_years)
    with history_rewrite_allowed():
        Grievance.history.filter(id=g.pk).update(history_date=F("history_date") - six_years)

    result = anonymise_due_grievances(now=timezone.now())

    assert result.grievances == 1
    assert result.notes == 1
    assert InternalNote.objects.get(grievance=g).body == PLACEHOLDER
    assert set(InternalNote.history.filter(grievance_id=g.pk).values_list("body", flat=True)) == {PLACEHOLDER}
    assert verify_chain().broken is None


def test_the_file_reads_the_same_queries_with_one_note_or_many(client, walk, salma, youssef, nadia, karim):
    few, many = walk.routed(), walk.routed()
    note_add(grievance=few, actor=salma, body="Une note.")
    for i in range(6):
        note_add(grievance=many, actor=salma, body=f"Note {i} @youssef", mentioned=[nadia, karim])
    client.force_login(salma)
    counts = []
    for g in (few, many):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("grievances:detail", args=[g.pk])).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]
