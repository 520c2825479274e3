"""Law 09-08 right of access: everything held about a person, by CNIE, for an authorised officer."""

import io
import json
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError

from grievances.services import workflow as wf
from grievances.services.attachments import attachment_add
from privacy.models import PersonalDataAccess

pytestmark = pytest.mark.django_db

CNIE = "BK482913"
PHONE = "0661234578"
NAME = "Khadija Benali"
PDF = b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def export(tmp_path, *, actor, cnie: str = CNIE, name: str = "export.json"):
    output, out = tmp_path / name, io.StringIO()
    call_command("export_personal_data", "--cnie", cnie, "--actor", actor.username, "--output", str(output), stdout=out)
    return output, out.getvalue()


def read(path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def test_the_focal_point_gets_every_grievance_of_the_person_with_all_that_hangs_on_it(walk, leila, tmp_path):
    first = walk.closed(cnie=CNIE, phone=PHONE, name=NAME)
    second = walk.committed(cnie="bk 482913", phone=PHONE, name=NAME)  # same person, typed differently
    wf.grievance_appeal(grievance=first, actor=walk.agent, reason="Montant incomplet")
    attachment_add(
        grievance=second, actor=walk.agent, uploaded_file=SimpleUploadedFile("cnie.pdf", PDF, "application/pdf")
    )
    someone_else = walk.closed(cnie="AB100200", name="Ahmed Tazi")

    path, output = export(tmp_path, actor=leila)

    data = read(path)
    by_reference = {g["reference"]: g for g in data["grievances"]}
    assert set(by_reference) == {first.reference, second.reference}
    assert someone_else.reference not in path.read_text(encoding="utf-8")
    appealed, committed = by_reference[first.reference], by_reference[second.reference]
    assert (appealed["complainant_name"], appealed["complainant_cnie"]) == (NAME, CNIE)
    assert (appealed["status"], appealed["appeal_reason"], appealed["appeal_count"]) == (
        "appealed",
        "Montant incomplet",
        1,
    )
    assert [h["transition"] for h in appealed["history"]][-2:] == ["close", "appeal"]
    assert [c["status"] for c in committed["commitments"]] == ["pending"]
    assert [a["original_name"] for a in committed["attachments"]] == ["cnie.pdf"]
    assert {m["event"] for m in committed["messages"]} >= {"acknowledgement", "commitment"}
    assert all(m["address"] for m in committed["messages"])
    # Staff accounts are theirs, not the complainant's: never in the file.
    assert "salma" not in path.read_text(encoding="utf-8")
    assert "closed_by" not in appealed
    # The console shows where the file is and how much it holds, nothing of the person.
    assert str(path) in output
    assert "2 réclamation(s)" in output
    for secret in (CNIE, PHONE, NAME, "482913"):
        assert secret not in output


def test_the_file_is_readable_by_its_owner_only(walk, leila, tmp_path):
    walk.register(cnie=CNIE)
    path, _ = export(tmp_path, actor=leila)
    assert path.stat().st_mode & 0o077 == 0


def test_every_export_is_written_in_the_access_log_with_what_it_showed(walk, leila, tmp_path):
    grievances = [walk.register(cnie=CNIE), walk.register(cnie=CNIE)]
    walk.register(cnie="AB100200")

    export(tmp_path, actor=leila)

    access = PersonalDataAccess.objects.get()
    assert (access.user, access.channel, access.grievance_ids) == (leila, "export", sorted(g.pk for g in grievances))
    assert CNIE not in repr(PersonalDataAccess.objects.values().get())


def test_a_sensitive_case_reaches_the_gbv_referent_only_and_leaves_no_trace_for_the_focal_point(
    walk, leila, meryem, tmp_path
):
    ordinary = walk.closed(cnie=CNIE)
    husk = walk.sensitive(cnie=CNIE, description="Propos déplacés de l'agent de paiement")

    focal_point_file, _ = export(tmp_path, actor=leila, name="leila.json")
    referent_file, output = export(tmp_path, actor=meryem, name="meryem.json")

    leila_data = read(focal_point_file)
    assert [g["reference"] for g in leila_data["grievances"]] == [ordinary.reference]
    assert leila_data["sensitive_cases"] == []
    assert husk.reference not in focal_point_file.read_text(encoding="utf-8")
    assert husk.sensitive_case.reference not in focal_point_file.read_text(encoding="utf-8")
    meryem_data = read(referent_file)
    assert [g["reference"] for g in meryem_data["grievances"]] == [husk.reference]
    # The identity given before the case was flagged is the survivor's data: the case holds it.
    assert meryem_data["sensitive_cases"][0]["complainant_cnie"] == CNIE
    assert {row["complainant_cnie"] for row in meryem_data["grievances"][0]["history"]} == {""}
    assert [c["reference"] for c in meryem_data["sensitive_cases"]] == [husk.sensitive_case.reference]
    assert "1 cas sensible(s)" in output
    assert PersonalDataAccess.objects.get(user=meryem).sensitive


@pytest.mark.parametrize("persona", ["salma", "omar", "nadia", "amina"])
def test_other_roles_may_not_export_and_nothing_is_written(walk, persona, request, tmp_path):
    walk.register(cnie=CNIE)
    user = request.getfixturevalue(persona)

    with pytest.raises(CommandError, match="point focal E&S et le référent VBG"):
        export(tmp_path, actor=user)

    assert not (tmp_path / "export.json").exists()
    assert not PersonalDataAccess.objects.exists()


def test_the_zip_form_holds_the_attachment_files(walk, leila, tmp_path):
    g = walk.register(cnie=CNIE)
    attachment_add(grievance=g, actor=walk.agent, uploaded_file=SimpleUploadedFile("cnie.pdf", PDF, "application/pdf"))

    path, output = export(tmp_path, actor=leila, name="export.zip")

    with zipfile.ZipFile(path) as archive:
        data = json.loads(archive.read("donnees.json"))
        (listed,) = data["grievances"][0]["attachments"]
        assert archive.read(listed["file"]) == PDF
    assert "1 pièce(s) jointe(s)" in output


def test_the_cnie_can_be_typed_on_standard_input_and_a_wrong_one_is_not_repeated(walk, leila, tmp_path, monkeypatch):
    g = walk.register(cnie=CNIE)
    monkeypatch.setattr("sys.stdin", io.StringIO(f"{CNIE}\n"))

    path, _ = export(tmp_path, actor=leila, cnie="-")
    assert [x["reference"] for x in read(path)["grievances"]] == [g.reference]

    with pytest.raises(CommandError) as refused:
        export(tmp_path, actor=leila, cnie="06612345", name="other.json")
    assert "06612345" not in str(refused.value)
    assert "CNIE" in str(refused.value)


def test_a_person_of_whom_nothing_is_held_gets_an_empty_answer(leila, tmp_path):
    path, output = export(tmp_path, actor=leila)

    assert read(path)["grievances"] == []
    assert "0 réclamation(s)" in output
    assert not PersonalDataAccess.objects.exists()
