"""Back-office screens of the file imports."""

from django.urls import path

from imports import views

app_name = "imports"
urlpatterns = [
    path("reclamations/imports/", views.job_list, name="list"),
    path("reclamations/imports/nouveau/", views.job_upload, name="upload"),
    path("reclamations/imports/<int:pk>/", views.job_detail, name="detail"),
    path("reclamations/imports/<int:pk>/progression/", views.job_progress, name="progress"),
    path("reclamations/imports/<int:pk>/importer/", views.job_run_import, name="run_import"),
    path("reclamations/imports/<int:pk>/rapport.csv", views.job_report, name="report"),
]
