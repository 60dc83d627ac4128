from django.urls import path

from . import views

app_name = "insights"

urlpatterns = [
    path("key-persons/", views.keyperson_list, name="keyperson_list"),
    path("key-persons/refresh/", views.suggestions_refresh, name="suggestions_refresh"),
    path("key-persons/suggestions/<int:pk>/accept/", views.suggestion_accept, name="suggestion_accept"),
    path("key-persons/suggestions/<int:pk>/dismiss/", views.suggestion_dismiss, name="suggestion_dismiss"),
    path("key-persons/<int:pk>/untag/", views.keyperson_untag, name="keyperson_untag"),
    path("people/<int:pk>/key-person/", views.keyperson_tag, name="keyperson_tag"),
    path("people/<int:pk>/key-roles/", views.person_key_roles, name="person_key_roles"),
    path("insights/", views.overview, name="overview"),
    path("goals/", views.goals, name="goals"),
    path("goals/profile/", views.profile_save, name="profile_save"),
    path("goals/new/", views.goal_create, name="goal_create"),
    path("goals/<int:pk>/met/", views.goal_met, name="goal_met"),
    path("goals/<int:pk>/delete/", views.goal_delete, name="goal_delete"),
]
