"""Public pages, no login: file a complaint and track it."""

from django.urls import path

from portal import views

app_name = "portal"
urlpatterns = [
    path("deposer-une-reclamation/", views.file_complaint, name="file"),
    path("deposer-une-reclamation/recu/", views.receipt, name="receipt"),
    path("suivre-ma-reclamation/", views.track, name="track"),
    path("suivre-ma-reclamation/dossier/", views.tracked, name="tracked"),
    path("suivre-ma-reclamation/satisfaction/", views.rate, name="rate"),
    path("suivre-ma-reclamation/recours/", views.appeal, name="appeal"),
]
