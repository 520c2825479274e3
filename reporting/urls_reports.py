from django.urls import path

from reporting import views_reports as views

# The semester report to the World Bank (SPEC §6); mounted in the "reporting" namespace.
urlpatterns = [
    path("rapports/semestriels/", views.report_list, name="report_list"),
    path("rapports/semestriels/nouveau/", views.report_start, name="report_start"),
    path("rapports/semestriels/<int:pk>/", views.report_detail, name="report_detail"),
    path("rapports/semestriels/<int:pk>/approuver/", views.report_approve, name="report_approve"),
    path("rapports/semestriels/<int:pk>/nouvelle-version/", views.report_new_version, name="report_new_version"),
    path("rapports/semestriels/<int:pk>/telecharger.<str:fmt>", views.report_download, name="report_download"),
]
