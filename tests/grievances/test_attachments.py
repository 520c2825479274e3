"""Attachments (SPEC): checked by content and size, stored under a random name, served only to those who may see."""

import hashlib
import re

import pytest
from django.contrib.messages import constants as message_levels
from django.contrib.messages import get_messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from grievances.models import Attachment
from grievances.services.attachments import attachment_add

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.grievances.urls_for_attachment_tests")]

PDF = b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\x00" * 64 + b"\xff\xd9"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 32
TIFF_INTEL = b"II*\x00\x08\x00\x00\x00" + b"\x00" * 32
TIFF_MOTOROLA = b"MM\x00*\x00\x00\x00\x08" + b"\x00" * 32
WEBP = b"RIFF\x24\x00\x00\x00WEBPVP8 " + b"\x00" * 32
HTML = b"<!DOCTYPE html><html><body><script>fetch('/reclamations/')</script></body></html>"
SVG = b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
CNIE_NAME = "CNIE_AB123456.pdf"
RANDOM_NAME = re.compile(r"grievances/\d{4}/\d{2}/[0-9a-f]{32}")
TYPE_REFUSED = "Type de fichier non accepté : PDF, PNG, JPEG, TIFF ou WebP."


def upload(name: str, content: bytes, content_type: str = "application/octet-stream") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


def stored_files(root) -> list:
    return [path for path in root.rglob("*") if path.is_file()] if root.exists() else []


def message_list(response) -> list[tuple[int, str]]:
    return [(message.level, str(message)) for message in get_messages(response.wsgi_request)]


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def grievance(walk):
    return walk.register()


@pytest.fixture
def cnie_pdf(grievance, salma) -> Attachment:
    return attachment_add(grievance=grievance, actor=salma, uploaded_file=upload(CNIE_NAME, PDF, "application/pdf"))


# --- what is accepted, and how it is stored -----------------------------------------------------------


def test_a_pdf_and_a_jpeg_are_accepted_and_stored_under_a_random_name(grievance, salma, media_root):
    pdf = attachment_add(grievance=grievance, actor=salma, uploaded_file=upload(CNIE_NAME, PDF), description=" Relevé ")
    jpeg = attachment_add(grievance=grievance, actor=salma, uploaded_file=upload("photo guichet.jpg", JPEG))

    for attachment, name, content, content_type in (
        (pdf, CNIE_NAME, PDF, "application/pdf"),
        (jpeg, "photo guichet.jpg", JPEG, "image/jpeg"),
    ):
        attachment.refresh_from_db()
        assert attachment.grievance == grievance
        assert attachment.uploaded_by == salma
        assert (attachment.original_name, attachment.content_type) == (name, content_type)
        assert attachment.size == len(content)
        assert attachment.sha256 == hashlib.sha256(content).hexdigest()
        assert RANDOM_NAME.fullmatch(attachment.file.name), attachment.file.name
        assert "AB123456" not in attachment.file.name
        assert "photo" not in attachment.file.name
        assert (media_root / attachment.file.name).read_bytes() == content
    assert pdf.description == "Relevé"


@pytest.mark.parametrize(
    ("content", "content_type"),
    [
        pytest.param(PNG, "image/png", id="png"),
        pytest.param(TIFF_INTEL, "image/tiff", id="tiff-little-endian"),
        pytest.param(TIFF_MOTOROLA, "image/tiff", id="tiff-big-endian"),
        pytest.param(WEBP, "image/webp", id="webp"),
    ],
)
def test_png_tiff_and_webp_images_are_accepted(grievance, salma, content, content_type):
    attachment = attachment_add(grievance=grievance, actor=salma, uploaded_file=upload("scan", content))
    assert attachment.content_type == content_type


def test_the_stored_type_is_the_one_read_from_the_content_not_the_name_nor_the_browser(grievance, salma):
    attachment = attachment_add(
        grievance=grievance, actor=salma, uploaded_file=upload("releve.pdf", PNG, content_type="application/pdf")
    )
    assert attachment.content_type == "image/png"


def test_the_original_name_keeps_no_folder_and_no_more_than_200_characters(grievance, salma):
    long_name = attachment_add(grievance=grievance, actor=salma, uploaded_file=upload("a" * 300 + ".pdf", PDF))
    # Django's upload handlers already drop folders; the service does not rely on its caller.
    windows_file = upload("x.pdf", PDF)
    windows_file.name = "C:\\Users\\salma\\Documents\\CNIE_AB123456.pdf"
    from_windows = attachment_add(grievance=grievance, actor=salma, uploaded_file=windows_file)

    assert from_windows.original_name == CNIE_NAME
    assert len(long_name.original_name) == 200
    assert long_name.original_name.endswith("a.pdf")


# --- what is refused -----------------------------------------------------------------------------------


def test_an_html_file_renamed_pdf_is_refused(grievance, salma, media_root):
    with pytest.raises(ValidationError) as refusal:
        attachment_add(grievance=grievance, actor=salma, uploaded_file=upload(CNIE_NAME, HTML, "application/pdf"))
    assert refusal.value.message_dict == {"file": [TYPE_REFUSED]}
    assert not grievance.attachments.exists()
    assert stored_files(media_root) == []


def test_an_svg_is_refused(grievance, salma):
    with pytest.raises(ValidationError) as refusal:
        attachment_add(grievance=grievance, actor=salma, uploaded_file=upload("photo.svg", SVG, "image/svg+xml"))
    assert refusal.value.message_dict == {"file": [TYPE_REFUSED]}


@pytest.mark.parametrize(
    ("name", "content"),
    [
        pytest.param("dossier.docx", b"PK\x03\x04\x14\x00\x06\x00" + b"\x00" * 32, id="office-zip"),
        pytest.param("outil.exe", b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 32, id="windows-executable"),
        pytest.param("script.sh", b"#!/bin/sh\nrm -rf /\n", id="script"),
        pytest.param("image.gif", b"GIF89a" + b"\x00" * 32, id="gif"),
        pytest.param("court.pdf", b"%PD", id="truncated-pdf-signature"),
    ],
)
def test_other_formats_are_refused_whatever_their_name(grievance, salma, name, content):
    with pytest.raises(ValidationError) as refusal:
        attachment_add(grievance=grievance, actor=salma, uploaded_file=upload(name, content))
    assert refusal.value.message_dict == {"file": [TYPE_REFUSED]}


def test_an_empty_file_is_refused(grievance, salma):
    with pytest.raises(ValidationError) as refusal:
        attachment_add(grievance=grievance, actor=salma, uploaded_file=upload("vide.pdf", b""))
    assert refusal.value.message_dict == {"file": ["Le fichier est vide."]}


def test_a_file_over_the_limit_is_refused(grievance, salma, settings, media_root):
    settings.PMPP_MAX_UPLOAD_BYTES = 1024
    at_the_limit = PDF + b"%" * (1024 - len(PDF))
    attachment_add(grievance=grievance, actor=salma, uploaded_file=upload("a.pdf", at_the_limit))

    with pytest.raises(ValidationError) as refusal:
        attachment_add(grievance=grievance, actor=salma, uploaded_file=upload("b.pdf", at_the_limit + b"%"))

    assert refusal.value.message_dict == {"file": ["Fichier trop volumineux : 1 Ko au plus."]}
    assert grievance.attachments.count() == 1
    assert len(stored_files(media_root)) == 1


def test_the_default_limit_is_ten_megabytes(grievance, salma, settings):
    del settings.PMPP_MAX_UPLOAD_BYTES  # the project may not define it: the service falls back to 10 Mo
    too_big = PDF + b"%" * (10 * 1024 * 1024 + 1 - len(PDF))
    with pytest.raises(ValidationError) as refusal:
        attachment_add(grievance=grievance, actor=salma, uploaded_file=upload("gros.pdf", too_big))
    assert refusal.value.message_dict == {"file": ["Fichier trop volumineux : 10 Mo au plus."]}


# --- who may add and who may download -------------------------------------------------------------------


def test_the_agent_of_another_programme_may_neither_add_nor_download(grievance, rachid, cnie_pdf, client):
    with pytest.raises(PermissionDenied, match="Vous n'êtes pas autorisé·e à joindre un fichier"):
        attachment_add(grievance=grievance, actor=rachid, uploaded_file=upload("a.pdf", PDF))

    client.force_login(rachid)
    assert client.get(reverse("grievances:attachment_download", args=[cnie_pdf.pk])).status_code == 404
    upload_url = reverse("grievances:attachment_upload", args=[grievance.pk])
    assert client.post(upload_url, {"file": upload("a.pdf", PDF)}).status_code == 404
    assert grievance.attachments.count() == 1


def test_ministry_staff_neither_add_nor_download_a_file(grievance, omar, cnie_pdf, client):
    """They read figures, never a file (issue 17): the identity documents stay out of reach."""
    with pytest.raises(PermissionDenied):
        attachment_add(grievance=grievance, actor=omar, uploaded_file=upload("a.pdf", PDF))

    client.force_login(omar)
    assert client.get(reverse("grievances:attachment_download", args=[cnie_pdf.pk])).status_code == 404
    assert grievance.attachments.count() == 1


def test_an_unknown_attachment_and_an_invisible_one_get_the_same_404(rachid, cnie_pdf, client):
    client.force_login(rachid)
    invisible = client.get(reverse("grievances:attachment_download", args=[cnie_pdf.pk]))
    unknown = client.get(reverse("grievances:attachment_download", args=[cnie_pdf.pk + 1000]))
    assert invisible.status_code == unknown.status_code == 404
    assert invisible.content == unknown.content


def test_an_anonymous_visitor_is_sent_to_the_login_page(cnie_pdf, client):
    response = client.get(reverse("grievances:attachment_download", args=[cnie_pdf.pk]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


# --- the download ---------------------------------------------------------------------------------------


def test_the_download_is_an_attachment_that_the_browser_may_neither_sniff_nor_run(salma, cnie_pdf, client):
    client.force_login(salma)
    response = client.get(reverse("grievances:attachment_download", args=[cnie_pdf.pk]))

    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="{CNIE_NAME}"'
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert {"private", "no-store"} <= {part.strip() for part in response["Cache-Control"].split(",")}
    assert b"".join(response.streaming_content) == PDF


def test_the_download_is_served_with_the_detected_type(grievance, salma, client):
    attachment = attachment_add(grievance=grievance, actor=salma, uploaded_file=upload("scan.pdf", PNG, "text/html"))
    client.force_login(salma)
    response = client.get(reverse("grievances:attachment_download", args=[attachment.pk]))
    assert response["Content-Type"] == "image/png"
    response.close()


def test_the_original_name_never_appears_in_any_url(grievance, salma, client):
    client.force_login(salma)
    upload_url = reverse("grievances:attachment_upload", args=[grievance.pk])
    response = client.post(upload_url, {"file": upload(CNIE_NAME, PDF)})
    attachment = grievance.attachments.get()
    download_url = reverse("grievances:attachment_download", args=[attachment.pk])

    assert attachment.original_name == CNIE_NAME
    assert download_url == f"/pieces-jointes/{attachment.pk}/"
    for url in (upload_url, response["Location"], download_url, attachment.file.url):
        assert "CNIE" not in url
        assert "AB123456" not in url


def test_adding_a_file_writes_a_history_row_with_its_reason(salma, cnie_pdf):
    row = cnie_pdf.history.get()
    assert (row.history_type, row.history_user, row.history_change_reason) == ("+", salma, "Pièce jointe ajoutée")


# --- the upload screen ----------------------------------------------------------------------------------


def test_the_upload_view_adds_the_file_and_says_so(grievance, salma, client):
    client.force_login(salma)
    response = client.post(
        reverse("grievances:attachment_upload", args=[grievance.pk]),
        {"file": upload(CNIE_NAME, PDF), "description": "Copie de la CNIE"},
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("grievances:detail", args=[grievance.pk])
    assert message_list(response) == [(message_levels.SUCCESS, f"Pièce jointe ajoutée : {CNIE_NAME}.")]
    attachment = grievance.attachments.get()
    assert (attachment.description, attachment.uploaded_by) == ("Copie de la CNIE", salma)


def test_the_upload_view_refuses_a_disguised_file_with_a_french_message(grievance, salma, client):
    client.force_login(salma)
    response = client.post(
        reverse("grievances:attachment_upload", args=[grievance.pk]), {"file": upload("a.pdf", HTML)}
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("grievances:detail", args=[grievance.pk])
    assert message_list(response) == [(message_levels.ERROR, TYPE_REFUSED)]
    assert not grievance.attachments.exists()


def test_the_upload_view_tells_the_focal_point_they_may_not_add_a_file(grievance, leila, client):
    client.force_login(leila)
    response = client.post(reverse("grievances:attachment_upload", args=[grievance.pk]), {"file": upload("a.pdf", PDF)})

    assert response["Location"] == reverse("grievances:detail", args=[grievance.pk])
    assert message_list(response) == [
        (message_levels.ERROR, "Vous n'êtes pas autorisé·e à joindre un fichier à cette réclamation.")
    ]
    assert not grievance.attachments.exists()


def test_the_upload_view_asks_for_a_file_when_none_is_sent(grievance, salma, client):
    client.force_login(salma)
    response = client.post(reverse("grievances:attachment_upload", args=[grievance.pk]), {"description": "Relevé"})

    assert response["Location"] == reverse("grievances:detail", args=[grievance.pk])
    [(level, text)] = message_list(response)
    assert level == message_levels.ERROR
    assert text
    assert not grievance.attachments.exists()


def test_get_on_the_upload_url_is_not_allowed(grievance, salma, client):
    client.force_login(salma)
    assert client.get(reverse("grievances:attachment_upload", args=[grievance.pk])).status_code == 405


# --- a body too large is refused before it is read ------------------------------------------------


def test_a_body_larger_than_the_upload_limit_is_refused_before_any_view_reads_it(grievance, salma, client, settings):
    settings.PMPP_MAX_UPLOAD_BYTES = 1024
    client.force_login(salma)
    too_large = upload("a.pdf", PDF + b"0" * (1024 * 1024 + 2048))

    response = client.post(reverse("grievances:attachment_upload", args=[grievance.pk]), {"file": too_large})

    assert response.status_code == 413
    assert "Envoi trop volumineux : un fichier de 1 Ko au plus est accepté." in response.content.decode()
    assert "no-store" in response["Cache-Control"]
    assert not grievance.attachments.exists()


def test_an_api_body_larger_than_the_upload_limit_gets_a_json_413(client, settings):
    settings.PMPP_MAX_UPLOAD_BYTES = 1024

    body = b"{" + b" " * (1024 * 1024 + 2048) + b"}"
    response = client.post("/api/v1/grievances/", body, content_type="application/json")

    assert response.status_code == 413
    assert response.json()["code"] == "too_large"


def test_a_file_just_under_the_limit_still_reaches_the_form(grievance, salma, client, settings):
    settings.PMPP_MAX_UPLOAD_BYTES = 2 * 1024 * 1024
    client.force_login(salma)

    response = client.post(
        reverse("grievances:attachment_upload", args=[grievance.pk]),
        {"file": upload("a.pdf", PDF + b"0" * (2 * 1024 * 1024 - len(PDF)))},
    )

    assert response.status_code == 302
    assert grievance.attachments.count() == 1
