"""The intake serializer copies its declared fields per instance (api.serializers.FieldsCopiedOnce):
each instance validates with fields of its own, as DRF's deep copy gave it."""

from api.serializers import GrievanceIntakeSerializer


def test_each_intake_serializer_binds_fields_of_its_own():
    first, second = GrievanceIntakeSerializer(data={}), GrievanceIntakeSerializer(data={})
    declared = GrievanceIntakeSerializer._declared_fields

    for name in declared:
        mine, theirs = first.fields[name], second.fields[name]
        assert mine is not theirs
        assert mine is not declared[name]
        assert mine.parent is first
        assert theirs.parent is second
        assert mine.field_name == name
    # The declared fields stay unbound, and the nested serializer has fields of its own.
    assert all(getattr(field, "parent", None) is None for field in declared.values())
    assert first.fields["sensitive"].fields["nature"] is not second.fields["sensitive"].fields["nature"]


def test_an_error_in_one_intake_does_not_leak_into_the_next(db):
    refused = GrievanceIntakeSerializer(data={"programme": "tayssir", "cnie": "x" * 500}, context={"account": None})
    assert not refused.is_valid()
    assert "cnie" in refused.errors

    fresh = GrievanceIntakeSerializer(data={"cnie": "AB123456"}, context={"account": None})
    assert not fresh.is_valid()
    assert "cnie" not in fresh.errors
    assert "programme" in fresh.errors
