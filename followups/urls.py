from django.urls import path

from . import pwa, views

app_name = "followups"

urlpatterns = [
    path("week/", views.week, name="week"),
    path("week/count/", views.due_count, name="due_count"),
    path("week/<int:pk>/reach/", views.followup_reach, name="followup_reach"),
    path("week/<int:pk>/done/", views.followup_done, name="followup_done"),
    path("week/<int:pk>/snooze/", views.followup_snooze, name="followup_snooze"),
    path("week/<int:pk>/skip/", views.followup_skip, name="followup_skip"),
    path("week/settings/", views.followup_settings, name="settings"),
    path("week/drafts/", views.draft_list, name="draft_list"),
    path("week/drafts/<str:reason>/<str:language>/", views.draft_edit, name="draft_edit"),
    path("week/drafts/<str:reason>/<str:language>/reset/", views.draft_reset, name="draft_reset"),
    path("week/calendar/on/", views.feed_enable, name="feed_enable"),
    path("week/calendar/off/", views.feed_disable, name="feed_disable"),
    path("calendar/<str:token>.ics", views.calendar_feed, name="calendar_feed"),
    path("people/<int:pk>/followups/", views.followup_add, name="followup_add"),
    path("push/subscriptions/", pwa.push_subscribe, name="push_subscribe"),
    path("push/subscriptions/<int:pk>/toggle/", pwa.push_toggle, name="push_toggle"),
    path("push/subscriptions/<int:pk>/delete/", pwa.push_delete, name="push_delete"),
    path("push/test/", pwa.push_test, name="push_test"),
    path("people/<int:pk>/followups/panel/", views.person_panel, name="person_panel"),
]
