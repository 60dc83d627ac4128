from django.urls import path

from . import views

app_name = "followups"

urlpatterns = [
    path("week/", views.week, name="week"),
    path("week/count/", views.due_count, name="due_count"),
    path("week/<int:pk>/done/", views.followup_done, name="followup_done"),
    path("week/<int:pk>/snooze/", views.followup_snooze, name="followup_snooze"),
    path("week/<int:pk>/skip/", views.followup_skip, name="followup_skip"),
    path("week/settings/", views.followup_settings, name="settings"),
    path("week/calendar/on/", views.feed_enable, name="feed_enable"),
    path("week/calendar/off/", views.feed_disable, name="feed_disable"),
    path("calendar/<str:token>.ics", views.calendar_feed, name="calendar_feed"),
    path("people/<int:pk>/followups/", views.followup_add, name="followup_add"),
    path("people/<int:pk>/followups/panel/", views.person_panel, name="person_panel"),
]
