from django.urls import path

from reporting import public, urls_dashboard, urls_reports

app_name = "reporting"

# Dashboards (statistics and charts) and the semester report, under /rapports/.
urlpatterns = [
    *urls_dashboard.urlpatterns,
    *urls_reports.urlpatterns,
    # Public, no login: aggregate counts only (can be switched off).
    path("statistiques/", public.public_statistics, name="public_statistics"),
    # Public: the metric dictionary, the definition of every figure (docs/metrics.md).
    path("statistiques/indicateurs/", public.metric_dictionary, name="metrics"),
]
