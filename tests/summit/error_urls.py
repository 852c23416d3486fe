"""The site's URLs plus one that fails, for the 500 page's test."""

from django.urls import path

from summit.urls import urlpatterns as site_urlpatterns


def fail(request):
    raise RuntimeError("a bug")


urlpatterns = [*site_urlpatterns, path("test-failure/", fail)]
