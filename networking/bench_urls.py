"""The app's URLs plus the floor view, for networking.bench_settings only."""

from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.urls import path

from contacts.models import Person
from networking.urls import urlpatterns as app_urlpatterns


@login_required
def floor(request):
    """Return 50 of the user's people as plain values: the benchmark's floor."""
    rows = list(Person.objects.filter(owner=request.user).order_by("pk").values("pk", "family_name", "given_name")[:50])
    return JsonResponse({"people": rows})


urlpatterns = [path("bench/floor/", floor, name="bench_floor"), *app_urlpatterns]
