"""Top-level URLs: participant pages at the root, the staff console under /staff/."""

from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("staff/outreach/", include("peerlog.outreach.urls")),
    path("staff/", include("peerlog.staff.urls")),
    path("", include("peerlog.capture.urls")),
]
