"""The intake's receipt and its printable slip (issue 18); see grievances/receipts.py."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from grievances import receipts
from pmpp.form_rendering import BootstrapMixin
from pmpp.languages import active_language


class SlipForm(BootstrapMixin, forms.Form):
    """The agent picks the paper and the language; the language is the page's by default."""

    # Sent by the button clicked (« Bordereau A5 », « Bordereau A4 »).
    size = forms.ChoiceField(label=gettext_lazy("Format"), choices=[("A5", "A5"), ("A4", "A4")])
    language = forms.ChoiceField(
        label=gettext_lazy("Langue"), choices=[("fr", "Français"), ("ar", "العربية")], widget=forms.RadioSelect
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("language", active_language())
        super().__init__(*args, **kwargs)
        self._style()


def receipt_context(request: HttpRequest, receipt: dict) -> dict:
    """The receipt page's context; keeps the slip printable for a short while (receipts.SLIP_WINDOW)."""
    printable = receipts.slip_keep(request.session, receipt, now=timezone.now())
    return {
        "receipt": receipt,
        "due_on": receipts.due_on(receipt),
        "legal_delay": receipts.receipt_legal_delay(receipt),
        "slip_form": SlipForm() if printable else None,
        "slip_minutes": int(receipts.SLIP_WINDOW.total_seconds() // 60),
    }


@never_cache
@login_required
@require_POST
def slip(request: HttpRequest) -> HttpResponse:
    """The acknowledgement slip of the intake just made, as a PDF, while the receipt's window lasts."""
    # As the receipt: the session holds only what this user's own intake put there.
    kept = receipts.slip_from_session(request.session, now=timezone.now())
    if kept is None:
        # Not a refusal: the window has passed (or there was no intake), as a receipt already shown.
        messages.info(
            request,
            _(
                "Le bordereau n'est plus disponible : il s'imprime depuis le reçu, dans les "
                "%(minutes)d minutes qui suivent l'enregistrement."
            )
            % {"minutes": int(receipts.SLIP_WINDOW.total_seconds() // 60)},
        )
        return redirect("home")
    form = SlipForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choisissez le format (A5 ou A4) et la langue du bordereau."))
        return redirect("home")
    content = receipts.slip_pdf(
        slip=kept,
        size=form.cleaned_data["size"],
        language=form.cleaned_data["language"],
        track_url=request.build_absolute_uri(reverse("portal:track")),
    )
    response = HttpResponse(content, content_type="application/pdf")
    # The reference only: no name, CNIE, phone or PIN in the file's name.
    filename = f"accuse-reception-{kept['reference']}-{form.cleaned_data['size']}-{form.cleaned_data['language']}.pdf"
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=filename)
    return response
