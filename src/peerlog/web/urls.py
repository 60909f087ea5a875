"""Top-level URLs. Participant pages and the staff console add their own includes."""

from django.contrib import admin
from django.urls import path

urlpatterns = [
    path("admin/", admin.site.urls),
]
