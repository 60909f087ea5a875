"""Top-level URLs: participant pages at the root, the staff console under /staff/."""

from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from peerlog.ops.health import healthz

urlpatterns = [
    # The admin signs in through the staff console too, so every sign-in has a second factor.
    path("admin/login/", RedirectView.as_view(pattern_name="staff:login", query_string=True)),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("staff/outreach/", include("peerlog.outreach.urls")),
    path("sms/", include("peerlog.outreach.webhook_urls")),  # the SMS provider's webhook
    path("staff/", include("peerlog.staff.urls")),
    path("healthz", healthz, name="healthz"),
    path("", include("peerlog.capture.urls")),
]

# Error pages in the participant layout and the person's language (peerlog.capture.views.errors).
handler403 = "peerlog.capture.views.errors.permission_denied"
handler404 = "peerlog.capture.views.errors.not_found"
handler500 = "peerlog.capture.views.errors.server_error"
