"""Bulk work on a queue: start from the queue, choose, confirm, read the result (issue 18)."""

from django.urls import path

from grievances.views import bulk

urlpatterns = [
    path("reclamations/files/<slug:slug>/lot/", bulk.bulk_start, name="bulk_start"),
    path("reclamations/lots/<uuid:token>/", bulk.bulk_prepare, name="bulk_prepare"),
    path("reclamations/lots/<uuid:token>/confirmation/", bulk.bulk_confirm, name="bulk_confirm"),
    path("reclamations/lots/<uuid:token>/resultat/", bulk.bulk_result, name="bulk_result"),
]
