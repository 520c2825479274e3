from django.urls import path

from reporting import dashboard

# Mounted under the "reporting" namespace by reporting/urls.py.
urlpatterns = [
    path("rapports/tableau-de-bord/", dashboard.dashboard, name="dashboard"),
    path("rapports/tableau-de-bord/export.<str:fmt>", dashboard.dashboard_export, name="dashboard_export"),
]
