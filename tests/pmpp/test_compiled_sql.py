"""Statements compiled once (pmpp.compiled_sql) write and read exactly what the ORM does."""

from datetime import timedelta

import pytest
from django.db.models import F, signals
from django.utils import timezone

from grievances.models import Grievance
from notifications.models import OutboxMessage
from pmpp.compiled_sql import insert_instance, joined_read, quoted
from pmpp.models import Channel, ComplaintCategory, DeadlinePolicy, Programme

NOW = timezone.now()


def _grievance(reference: str, **fields) -> Grievance:
    programme = Programme.objects.get(code="tayssir")
    now = NOW
    return Grievance(
        reference=reference,
        tracking_code=f"TRK-{reference}",
        programme=programme,
        channel=Channel.objects.get(code="call-centre"),
        category=ComplaintCategory.objects.filter(programme=programme).first(),
        received_at=now - timedelta(hours=2),
        created_at=now,
        description="Bourse non reçue",
        complainant_cnie="AB123456",
        complainant_name="Fatima Zahra",
        due_on=now.date() + timedelta(days=30),
        acknowledgement_due_on=now.date() + timedelta(days=2),
        **fields,
    )


def _row(grievance: Grievance) -> dict:
    fields = [
        f.attname for f in Grievance._meta.concrete_fields if f.attname not in ("id", "reference", "tracking_code")
    ]
    return Grievance.objects.filter(pk=grievance.pk).values(*fields).get()


def test_insert_instance_writes_the_row_the_orm_writes_and_sends_the_same_signals(db):
    sent = []

    def keep(signal_name):
        def receiver(sender, instance, **kwargs):
            sent.append((signal_name, instance.pk, kwargs.get("created"), kwargs["using"]))

        return receiver

    receivers = {"pre": keep("pre_save"), "post": keep("post_save")}
    signals.pre_save.connect(receivers["pre"], sender=Grievance)
    signals.post_save.connect(receivers["post"], sender=Grievance)
    try:
        by_orm, compiled = _grievance("ORM-1"), _grievance("CMP-1")
        by_orm.skip_history_when_saving = compiled.skip_history_when_saving = True
        by_orm.save(force_insert=True)
        orm_signals = list(sent)
        sent.clear()
        insert_instance(compiled)
    finally:
        signals.pre_save.disconnect(receivers["pre"], sender=Grievance)
        signals.post_save.disconnect(receivers["post"], sender=Grievance)

    assert compiled.pk is not None
    assert compiled.pk != by_orm.pk
    assert not compiled._state.adding
    assert compiled._state.db == by_orm._state.db
    # Every column but the keys, as stored, then as read back.
    stored_orm, stored_compiled = _row(by_orm), _row(compiled)
    assert stored_compiled == stored_orm
    assert [(name, created) for name, _pk, created, _using in sent] == [
        (name, created) for name, _pk, created, _using in orm_signals
    ]
    assert sent[1][1] == compiled.pk  # post_save sees the primary key read back
    # A generated column is read back with the key, as the ORM reads it (a date, not text).
    assert compiled.current_due_on == by_orm.current_due_on == by_orm.due_on


def test_insert_instance_leaves_expressions_to_the_orm(db):
    grievance = _grievance("OUT-1")
    grievance.skip_history_when_saving = True
    insert_instance(grievance)
    message = OutboxMessage(
        grievance=grievance,
        event_key="test:expression",
        event="acknowledgement",
        recipient_kind=OutboxMessage.RecipientKind.COMPLAINANT,
        channel="sms",
        address="0612345678",
        language="fr",
        subject="Accusé",
        text="Texte",
    )
    insert_instance(message)
    assert OutboxMessage.objects.filter(pk=message.pk, event_key="test:expression").exists()

    # An expression value: the ORM's compiler resolves it (an INSERT cannot read a column).
    with pytest.raises(ValueError, match="F\\(\\) expressions"):
        insert_instance(_grievance("EXP-2", external_reference=F("reference")))


def test_joined_read_reads_the_instances_select_related_reads(db):
    from django.db import router

    using = router.db_for_read(ComplaintCategory)
    read = joined_read(
        using,
        ComplaintCategory,
        related=("programme",),
        where=f"{quoted(using, Programme, 'code')} = %s",
    )
    rows = read.rows(using, ["tayssir"])
    expected = ComplaintCategory.objects.select_related("programme").filter(programme__code="tayssir")

    assert sorted(category.pk for (category,) in rows) == sorted(c.pk for c in expected)
    by_pk = {c.pk: c for c in expected}
    for (category,) in rows:
        orm = by_pk[category.pk]
        for model_instance, theirs in ((category, orm), (category.programme, orm.programme)):
            names = [f.attname for f in type(theirs)._meta.concrete_fields]
            assert [getattr(model_instance, n) for n in names] == [getattr(theirs, n) for n in names]
    with pytest.raises(ValueError, match="may be null"):
        joined_read(using, DeadlinePolicy, related=("channel",), where="1 = 1")
