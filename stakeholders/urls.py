"""Routes of the stakeholder registry, under /parties-prenantes/.

Each list of the registry has the same five routes, named `<kind>_list`, `<kind>_export`,
`<kind>_create`, `<kind>_detail` and `<kind>_edit`; evidence and steps have their own.
"""

from django.urls import path

from stakeholders import views

app_name = "stakeholders"

P = "parties-prenantes"
# kind → segment of the URL
_LISTS = {
    "group": "groupes",
    "stakeholder": "registre",
    "representative": "representants",
    "activity": "activites",
    "campaign": "campagnes",
    "action": "actions-correctives",
    "risk": "risques",
    "document": "documents-divulgues",
}
_DETAILS = {
    "group": views.group_detail,
    "stakeholder": views.stakeholder_detail,
    "representative": views.representative_detail,
    "activity": views.activity_detail,
    "campaign": views.campaign_detail,
    "action": views.action_detail,
    "risk": views.risk_detail,
    "document": views.document_detail,
}

urlpatterns = [
    path(f"{P}/", views.home, name="home"),
    path(f"{P}/carte/", views.influence_interest, name="map"),
    path(f"{P}/mandats-a-reverifier/", views.mandates_due, name="mandates_due"),
]
for kind, segment in _LISTS.items():
    urlpatterns += [
        path(f"{P}/{segment}/", views.registry_list, {"kind": kind}, name=f"{kind}_list"),
        path(f"{P}/{segment}/export.<str:fmt>", views.registry_export, {"kind": kind}, name=f"{kind}_export"),
        path(f"{P}/{segment}/nouveau/", views.registry_create, {"kind": kind}, name=f"{kind}_create"),
        path(f"{P}/{segment}/<int:pk>/", _DETAILS[kind], name=f"{kind}_detail"),
        path(f"{P}/{segment}/<int:pk>/modifier/", views.registry_edit, {"kind": kind}, name=f"{kind}_edit"),
    ]

urlpatterns += [
    path(f"{P}/representants/<int:pk>/verification/", views.mandate_verify, name="mandate_verify"),
    path(f"{P}/activites/<int:pk>/preoccupations/", views.concern_add, name="concern_add"),
    path(f"{P}/preoccupations/<int:pk>/modifier/", views.concern_edit, name="concern_edit"),
    path(f"{P}/activites/<int:pk>/compte-rendu/", views.minutes_write, name="minutes_write"),
    path(f"{P}/comptes-rendus/<int:pk>/validation/", views.minutes_validate, name="minutes_validate"),
    path(f"{P}/comptes-rendus/<int:pk>/correction/", views.minutes_correct, name="minutes_correct"),
    path(f"{P}/comptes-rendus/<int:pk>/pieces-jointes/", views.minutes_attachment_add, name="minutes_attachment_add"),
    # Downloads carry only the attachment's number, never its file name.
    path(f"{P}/pieces-jointes/<int:pk>/", views.minutes_attachment_download, name="minutes_attachment_download"),
    path(f"{P}/campagnes/<int:pk>/lignes/nouvelle/", views.budget_line_create, name="budget_line_create"),
    path(f"{P}/lignes-budgetaires/<int:pk>/modifier/", views.budget_line_edit, name="budget_line_edit"),
    path(f"{P}/actions-correctives/<int:pk>/etapes/<str:step>/", views.action_step, name="action_step"),
    path(f"{P}/actions-correctives/<int:pk>/avancement/", views.progress_note_add, name="progress_note_add"),
    path(f"{P}/risques/<int:pk>/etat/", views.risk_status, name="risk_status"),
]
