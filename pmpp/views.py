from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from pmpp import roles
from pmpp.hooks import app_hooks

# What each role works on, shown on the home dashboard. Later issues replace each entry's
# description with live figures and links as the module lands.
_WORKSPACES = [
    (
        _("Réclamations"),
        _("Enregistrer, qualifier, analyser et répondre aux réclamations (opérations 1 à 3)."),
        {roles.AGENT, roles.CASE_HANDLER, roles.PARTNER_LIAISON},
    ),
    (
        _("Validation et clôture"),
        _("Approuver les réponses, clôturer et suivre les dossiers en retard (opérations 3 et 4)."),
        {roles.HEAD_OF_BENEFICIARY_SERVICES, roles.CLOSING_OFFICER},
    ),
    (
        _("Cas sensibles VBG/EAS/HS"),
        _("Dossiers confidentiels et orientation vers les prestataires spécialisés."),
        {roles.GBV_REFERENT},
    ),
    (
        _("Parties prenantes et consultations"),
        _("Registre, consultations et comptes rendus, campagnes, actions correctives."),
        {roles.ES_FOCAL_POINT},
    ),
    (
        _("Rapports"),
        _("Statistiques des réclamations et rapport semestriel à la Banque mondiale."),
        {roles.ES_FOCAL_POINT, roles.MINISTRY_VIEWER, roles.HEAD_OF_BENEFICIARY_SERVICES},
    ),
    (
        _("Référentiels"),
        _("Programmes, organisations, canaux, catégories, délais et affectations."),
        {roles.REFERENCE_ADMIN},
    ),
]


@login_required
def home(request: HttpRequest) -> HttpResponse:
    codes = roles.role_codes_for(request.user)
    workspaces = [
        {"title": title, "description": description}
        for title, description, allowed in _WORKSPACES
        if request.user.is_superuser or codes & allowed
    ]
    memberships = request.user.memberships.select_related("organisation", "programme")
    context = {"workspaces": workspaces, "memberships": memberships}
    # What each app shows here (pmpp.hooks): queues, sensitive cases, the registry's alerts.
    for home_context in app_hooks("home_context"):
        context.update(home_context(request))
    return render(request, "pmpp/home.html", context)


DIGITS_COOKIE = "pmpp_digits"
DIGITS = {"latn", "arab"}


@require_POST
def set_digits(request: HttpRequest) -> HttpResponse:
    """The reader's digits in date fields on Arabic pages: Latin (default) or Arabic-Indic.

    Like the language, a preference of the browser, not of the account: a cookie that
    static/js/date-field.js reads (hence not HttpOnly). It says nothing personal.
    """
    next_url = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}, require_https=request.is_secure()):
        next_url = "/"
    response = HttpResponseRedirect(next_url)
    digits = request.POST.get("digits", "")
    if digits in DIGITS:
        response.set_cookie(
            DIGITS_COOKIE,
            digits,
            max_age=365 * 24 * 3600,
            samesite="Lax",
            secure=request.is_secure(),
            httponly=False,  # read by date-field.js
        )
    return response
