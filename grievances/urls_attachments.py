"""Routes of the attachments, added by `grievances/urls.py` to the `grievances` namespace.

The download URL carries only the attachment's number: never its name, which is often
a CNIE number, so that nothing personal ends up in browser history or server logs.
"""

from django.urls import path

from grievances.views.attachments import attachment_download, attachment_upload

urlpatterns = [
    path("reclamations/<int:pk>/pieces-jointes/", attachment_upload, name="attachment_upload"),
    path("pieces-jointes/<int:pk>/", attachment_download, name="attachment_download"),
]
