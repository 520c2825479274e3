"""Reads of the personal-data access log (Law 09-08: who viewed which person's data)."""

from django.db.models import QuerySet

from privacy.models import PersonalDataAccess


def accesses_to_grievance(*, grievance_id: int) -> QuerySet[PersonalDataAccess]:
    """Every read that showed this grievance, newest first, with its reader."""
    return PersonalDataAccess.objects.of_grievance(grievance_id).select_related("user")


def accesses_to_sensitive_case(*, case_id: int) -> QuerySet[PersonalDataAccess]:
    """Every read of this GBV/SEA/SH case (only its referent can make one), newest first."""
    return PersonalDataAccess.objects.of_sensitive_case(case_id).select_related("user")


def accesses_to_stakeholder(*, stakeholder_id: int) -> QuerySet[PersonalDataAccess]:
    """Every read that showed this stakeholder's contact details, newest first, with its reader."""
    return PersonalDataAccess.objects.of_stakeholder(stakeholder_id).select_related("user")


def accesses_to_representative(*, representative_id: int) -> QuerySet[PersonalDataAccess]:
    """Every read that showed this representative's contact, newest first, with its reader."""
    return PersonalDataAccess.objects.of_representative(representative_id).select_related("user")


def accesses_to_person(*, cnie: str) -> QuerySet[PersonalDataAccess]:
    """Every read of a grievance that carries this CNIE: who viewed this person's data.

    The log keeps ids, not the CNIE, so the person is found through their grievances as they
    stand now; once a grievance is anonymised its reads are no longer tied to anyone.
    """
    from grievances.models import Grievance
    from grievances.services.intake import normalise_cnie

    cnie = normalise_cnie(cnie)
    if not cnie:
        return PersonalDataAccess.objects.none()
    ids = list(Grievance.objects.filter(complainant_cnie=cnie).values_list("pk", flat=True))
    if not ids:
        return PersonalDataAccess.objects.none()
    rows = PersonalDataAccess.objects.none()
    for pk in ids:
        rows |= PersonalDataAccess.objects.of_grievance(pk)
    return rows.select_related("user")
