"""The SMS backends shipped for development and the admin's view of the outbox."""

import pytest
from django.urls import reverse

from notifications.backends import ConsoleSmsBackend, FileSmsBackend
from notifications.models import OutboxMessage, mask_address
from tests.factories import UserFactory


def test_the_file_backend_writes_one_file_per_sms(settings, tmp_path):
    settings.PMPP_SMS_FILE_PATH = tmp_path / "sms"

    FileSmsBackend().send(to="+212612345678", text="Votre réclamation TAY-2026-000001")
    FileSmsBackend().send(to="+212612345679", text="Deuxième message")

    files = sorted((tmp_path / "sms").iterdir())
    assert len(files) == 2
    assert "TAY-2026-000001" in "".join(f.read_text(encoding="utf-8") for f in files)


def test_the_console_backend_masks_the_number(capsys):
    ConsoleSmsBackend().send(to="+212612345678", text="Votre réclamation TAY-2026-000001")

    out = capsys.readouterr().out
    assert "TAY-2026-000001" in out
    assert "+212612345678" not in out
    assert mask_address("+212612345678") in out


def test_addresses_are_masked():
    assert mask_address("+212612345678") == "+2126•••••678"
    assert mask_address("fatima.benali@example.ma") == "f•••@example.ma"


@pytest.mark.django_db
def test_the_admin_shows_the_outbox_with_addresses_masked(client, walk):
    walk.register()
    admin_user = UserFactory(username="root", is_staff=True, is_superuser=True)
    client.force_login(admin_user)

    page = client.get(reverse("admin:notifications_outboxmessage_changelist"))
    detail = client.get(reverse("admin:notifications_outboxmessage_change", args=[OutboxMessage.objects.get().pk]))

    assert page.status_code == detail.status_code == 200
    for response in (page, detail):
        content = response.content.decode()
        assert "+212612345678" not in content
        assert "+2126•••••678" in content
