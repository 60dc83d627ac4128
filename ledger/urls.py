from django.urls import path

from . import views

app_name = "ledger"

# The paths are the ones the ledger had inside `contacts`: bookmarks keep working.
urlpatterns = [
    path("ledger/", views.ledger_overview, name="overview"),
    path("ledger/settings/", views.ledger_settings, name="settings"),
    path("people/<int:pk>/ledger/", views.ledger_entry_create, name="entry_create"),
    path("people/<int:pk>/ledger/panel/", views.person_panel, name="person_panel"),
    path("ledger/entries/<int:pk>/edit/", views.ledger_entry_edit, name="entry_edit"),
    path("ledger/entries/<int:pk>/delete/", views.ledger_entry_delete, name="entry_delete"),
    path("ledger/entries/<int:pk>/return/", views.ledger_entry_return, name="entry_return"),
]
