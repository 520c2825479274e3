"""`Model.history` reads the same history as django-simple-history's own descriptor, from a
manager class built once per model instead of once per access (pmpp.audit)."""

from pmpp.audit import history_models
from pmpp.models import Region


def test_every_audited_model_shares_one_history_manager_class():
    for history_model in history_models():
        model = history_model.instance_type
        name = getattr(model._meta, "simple_history_manager_attribute", None)
        if name is None:  # the history of a many-to-many relation has no manager of its own
            continue
        assert type(getattr(model, name)) is type(getattr(model, name)), model


def test_an_instance_history_is_still_its_own(db):
    tangier, rabat = Region.objects.get(code="01"), Region.objects.get(code="04")
    tangier.name = "Tanger-Tétouan-Al Hoceïma (modifiée)"
    tangier.save()

    assert type(tangier.history) is type(rabat.history)
    assert tangier.history.instance == tangier
    assert tangier.history.first().name == "Tanger-Tétouan-Al Hoceïma (modifiée)"
    assert not rabat.history.filter(name__endswith="(modifiée)").exists()
    assert Region.history.filter(id=tangier.pk).count() == tangier.history.count()
