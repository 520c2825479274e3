from reporting import urls_dashboard, urls_reports

app_name = "reporting"

# Dashboards (statistics and charts) and the semester report, under /rapports/.
urlpatterns = [*urls_dashboard.urlpatterns, *urls_reports.urlpatterns]
