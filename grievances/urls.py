from django.urls import path

from grievances import views
from grievances.urls_attachments import urlpatterns as attachment_patterns
from grievances.urls_bulk import urlpatterns as bulk_patterns
from grievances.urls_search import urlpatterns as search_patterns
from grievances.views import exchanges, notes

app_name = "grievances"

urlpatterns = [
    path("reclamations/nouvelle/", views.intake, name="intake"),
    path("reclamations/recu/", views.receipt, name="receipt"),
    path("reclamations/recu/bordereau.pdf", views.slip, name="slip"),
    path("reclamations/attribution/", views.assign, name="assign"),
    path("reclamations/files/<slug:slug>/", views.queue, name="queue"),
    path("reclamations/files/<slug:slug>/export.<str:fmt>", views.queue_export, name="queue_export"),
    path("reclamations/<int:pk>/", views.detail, name="detail"),
    path("reclamations/<int:pk>/etapes/<str:name>/", views.step, name="step"),
    path(
        "reclamations/<int:pk>/engagements/<int:commitment_pk>/notification/",
        exchanges.notify_commitment,
        name="notify_commitment",
    ),
    path("reclamations/<int:pk>/echanges/", exchanges.exchange_add, name="exchange_add"),
    path(
        "reclamations/<int:pk>/echanges/messages/<int:message_pk>/renvoi/",
        exchanges.message_resend,
        name="message_resend",
    ),
    path("cas-sensibles/", views.sensitive_list, name="sensitive_list"),
    path("cas-sensibles/<int:pk>/", views.sensitive_detail, name="sensitive_detail"),
]

# Attachments: upload, and download through a permission-checked view.
urlpatterns += attachment_patterns
# Search (results by token) and the complainant's page.
urlpatterns += search_patterns

# Internal notes on the file, and bulk work on the queues (issue 18).
urlpatterns += [path("reclamations/<int:pk>/notes/", notes.note_add_view, name="note_add")]
urlpatterns += bulk_patterns
