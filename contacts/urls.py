from django.urls import path

from .views import people

app_name = "contacts"

urlpatterns = [
    # People list and search
    path("people/", people.person_list, name="person_list"),
    # Person page, edit, merge, end, delete; meetings (contacts/views/person.py)
    # Events (contacts/views/events.py)
    # Capture at an event (contacts/views/capture.py)
    # Fields and tags (contacts/views/people.py)
]
