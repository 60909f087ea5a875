"""URLs of the capture app."""

from django.urls import path  # noqa: F401

app_name = "capture"
urlpatterns: list = []
