"""Routes of search and of the complainant's page, added by `grievances/urls.py` to the
`grievances` namespace.

None carries personal data: a search's results are keyed by an opaque token whose term stays
in the session, and the complainant's page by the id of a grievance of theirs.
"""

from django.urls import path

from grievances.views.search import complainant, search, search_results

urlpatterns = [
    path("reclamations/recherche/", search, name="search"),
    path("reclamations/recherche/<slug:token>/", search_results, name="search_results"),
    path("reclamations/<int:pk>/reclamant/", complainant, name="complainant"),
]
