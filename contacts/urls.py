from django.urls import path

from .views import capture, events, fields, people, person, reading, trash

app_name = "contacts"

urlpatterns = [
    # People list and search
    path("people/", people.person_list, name="person_list"),
    path("people/filters/", people.person_filters, name="person_filters"),
    # Person page, edit, merge, end, delete; meetings (contacts/views/person.py)
    path("people/new/", person.person_create, name="person_create"),
    path("people/<int:pk>/", person.person_detail, name="person_detail"),
    path("people/<int:pk>/introductions/", person.person_introductions, name="person_introductions"),
    path("people/<int:pk>/edit/", person.person_edit, name="person_edit"),
    path("people/<int:pk>/reading/", reading.person_reading, name="person_reading"),
    path("people/<int:pk>/end/", person.person_end, name="person_end"),
    path("people/<int:pk>/reactivate/", person.person_reactivate, name="person_reactivate"),
    path("people/<int:pk>/merge/", person.person_merge, name="person_merge"),
    path("people/<int:pk>/delete/", person.person_delete, name="person_delete"),
    path("meetings/new/", person.meeting_create, name="meeting_create"),
    path("meetings/<int:pk>/edit/", person.meeting_edit, name="meeting_edit"),
    path("meetings/<int:pk>/delete/", person.meeting_delete, name="meeting_delete"),
    # Events (contacts/views/events.py)
    path("events/", events.event_list, name="event_list"),
    path("events/new/", events.event_create, name="event_create"),
    path("events/<int:pk>/", events.event_detail, name="event_detail"),
    path("events/<int:pk>/edit/", events.event_edit, name="event_edit"),
    path("events/<int:pk>/delete/", events.event_delete, name="event_delete"),
    # Capture at an event (contacts/views/capture.py)
    path("capture/", capture.capture, name="capture"),
    path("capture/events/new/", capture.capture_event_create, name="capture_event_create"),
    path("capture/<int:event_id>/rows/", capture.capture_row, name="capture_row"),
    path("capture/<int:event_id>/matches/", capture.capture_matches, name="capture_matches"),
    path("capture/<int:event_id>/log/", capture.capture_log, name="capture_log"),
    path("capture/<int:event_id>/existing/<int:person_id>/", capture.capture_existing, name="capture_existing"),
    path("capture/meetings/<int:meeting_id>/undo/", capture.capture_undo, name="capture_undo"),
    # Fields and tags (contacts/views/fields.py)
    path("trash/", trash.trash_list, name="trash"),
    path("trash/<int:pk>/restore/", trash.trash_restore, name="trash_restore"),
    path("trash/<int:pk>/delete/", trash.trash_delete, name="trash_delete"),
    path("fields/", fields.field_list, name="field_list"),
    path("fields/<int:pk>/", fields.field_edit, name="field_edit"),
    path("fields/<int:pk>/delete/", fields.field_delete, name="field_delete"),
    path("tags/<int:pk>/", fields.tag_edit, name="tag_edit"),
    path("tags/<int:pk>/delete/", fields.tag_delete, name="tag_delete"),
]
