"""How long a free text may be, declared once for every door (security issue 17, finding 4).

A description typed by an agent on the phone, one typed by a complainant on the portal,
one sent by chikaya.ma through the API and one read from a Médiateur export are the same
field: they have the same maximum. Each free text of a model takes its maximum here
(`limited_text`), on the model field itself; the forms, the serializers and the import
columns read it back from that field (`max_length_of`), so a door cannot accept what
another refuses. A text that has no column of its own (a step's comment, kept in the
history's change reason) takes its constant here directly.

Files have one maximum too: the `PMPP_MAX_UPLOAD_BYTES` setting, checked by
`grievances.services.attachments.validate_upload_size` at every door that takes a file.
"""

from django.core.validators import MaxLengthValidator
from django.db import models

# A reason, a comment or an observation attached to one step or one record: a paragraph or two.
NOTE = 2_000
# A text about the case itself: the complaint as its author tells it, its analysis, the answer
# and its review, the synthesis; the descriptions of the stakeholder registry. 10,000 is what
# the API has always accepted, so no integration loses a record it sends today; it is about
# four typed pages (a longer letter is joined to the grievance as a file).
LONG_TEXT = 10_000
# The minutes of a consultation: a whole meeting, about twenty typed pages.
MINUTES = 50_000
# A CNIE or a phone number as typed, with spaces, dots or dashes, before the intake service
# normalises it ("AB 123.456", "+212 6 12 34 56 78") and checks its format.
TYPED_IDENTIFIER = 20


def limited_text(verbose_name, *, max_length: int, **kwargs) -> models.TextField:
    """A TextField that refuses more than `max_length` characters.

    `max_length` alone only gives a form field its limit (and the widget its `maxlength`);
    the validator makes `full_clean()` refuse too, so the admin and any ModelForm do.
    """
    return models.TextField(verbose_name, max_length=max_length, validators=[MaxLengthValidator(max_length)], **kwargs)


def max_length_of(model: type[models.Model], field: str) -> int:
    """The maximum a model declares for one of its text fields, for a form or a serializer to reuse."""
    max_length = model._meta.get_field(field).max_length
    if max_length is None:
        raise LookupError(f"{model._meta.label}.{field} declares no maximum length")
    return max_length


def format_size(size: int) -> str:
    """A size as a French reader expects it: « 10 Mo », « 1,5 Mo », « 512 Ko », « 200 octets »."""
    for unit, factor in (("Mo", 1024 * 1024), ("Ko", 1024)):
        if size >= factor:
            value = size / factor
            text = f"{value:.0f}" if value == int(value) else f"{value:.1f}".replace(".", ",")
            return f"{text} {unit}"
    return f"{size} octets"
