"""Record who read which person's data (Moroccan Law 09-08; SPEC §5.5 for GBV/SEA/SH cases).

Every place that shows personal data to a signed-in user calls `record_views()` once per
request, with every object the response shows: the grievance file, a sensitive case, an API
detail, an export, a download, a search results page, and in the stakeholder registry every
page, form or export that shows a stakeholder's or a representative's contact details. One
call writes one row (one INSERT), however many objects it names: an export of ten thousand
grievances costs the same as a file page. The row holds ids, never the CNIE, phone or name
it was about; "who read the data of the person with CNIE X" goes through the grievances that
carry that CNIE (`privacy.selectors.accesses_to_person`).

The log is append-only, like history (see `privacy.apps`): no screen, command or raw SQL may
edit or delete a row.
"""

from collections.abc import Iterable

from django.db.models import Model

from privacy.models import AccessChannel, PersonalDataAccess

__all__ = ["AccessChannel", "record_views"]


def _ids(objects: Iterable[Model | int]) -> list[int]:
    ids = {obj if isinstance(obj, int) else obj.pk for obj in objects}
    return sorted(pk for pk in ids if pk is not None)


def record_views(
    user,
    *,
    channel: str,
    grievances: Iterable[Model | int] = (),
    sensitive_cases: Iterable[Model | int] = (),
    stakeholders: Iterable[Model | int] = (),
    representatives: Iterable[Model | int] = (),
    where: str = "",
) -> PersonalDataAccess | None:
    """Log that `user` was shown the personal data of these grievances and sensitive cases,
    or the contact details of these stakeholders and representatives.

    `channel` is an `AccessChannel` (page, API, export, search, download). `grievances`,
    `sensitive_cases`, `stakeholders` and `representatives` are objects or primary keys, in
    any number; duplicates are dropped.
    `where` names the path without personal data: the URL name (``"grievances:detail"``) or
    the export's name, never the URL itself (a search URL carries the CNIE typed in it).

    Returns the row written, or None when there was nothing to record (an empty search, an
    anonymous user): a page that showed no one's data leaves no trace. A read of a sensitive
    case is marked `sensitive`, so the GBV referent's reads can be listed apart (issue 9 §3).
    """
    if user is None or not user.is_authenticated:
        return None
    grievance_ids = _ids(grievances)
    sensitive_case_ids = _ids(sensitive_cases)
    stakeholder_ids = _ids(stakeholders)
    representative_ids = _ids(representatives)
    count = len(grievance_ids) + len(sensitive_case_ids) + len(stakeholder_ids) + len(representative_ids)
    if not count:
        return None
    return PersonalDataAccess.objects.create(
        user=user,
        channel=AccessChannel(channel),
        where=where[:100],
        grievance_ids=grievance_ids,
        sensitive_case_ids=sensitive_case_ids,
        stakeholder_ids=stakeholder_ids or None,
        representative_ids=representative_ids or None,
        object_count=count,
        sensitive=bool(sensitive_case_ids),
    )
