"""The REST API under /api/v1/, its OpenAPI schema and its offline documentation."""

from django.urls import path
from drf_spectacular.views import SpectacularAPIView

from api import views
from api.docs import SwaggerDocs

app_name = "api"
urlpatterns = [
    path("v1/grievances/", views.GrievanceListCreate.as_view(), name="grievances"),
    path("v1/grievances/<str:reference>/", views.GrievanceDetail.as_view(), name="grievance"),
    *(
        path(f"v1/grievances/<str:reference>/transitions/{name}/", views.transition_view(name), name=f"step-{name}")
        for name in views.STEPS
    ),
    # Any other step name: a JSON 404, left out of the schema.
    path(
        "v1/grievances/<str:reference>/transitions/<str:name>/",
        views.GrievanceTransition.as_view(schema=None),
        name="transition",
    ),
    path("v1/commitments/", views.CommitmentList.as_view(), name="commitments"),
    path("v1/stakeholder-groups/", views.stakeholder_groups, name="stakeholder-groups"),
    path("v1/stakeholders/", views.stakeholders, name="stakeholders"),
    path("v1/engagement-activities/", views.engagement_activities, name="engagement-activities"),
    path("v1/statistics/", views.StatisticsView.as_view(), name="statistics"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SwaggerDocs.as_view(url_name="api:schema"), name="docs"),
]
