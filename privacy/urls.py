from django.urls import path

from privacy import views

app_name = "privacy"

urlpatterns = [
    path("donnees-personnelles/consultations/", views.access_log, name="access_log"),
]
