from django.urls import path  # noqa: F401 — filled by the registry screens

app_name = "stakeholders"

urlpatterns: list = []
