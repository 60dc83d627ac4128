from django.urls import path

from . import views

app_name = "jobs"

# The paths the page had inside `followups`: bookmarks keep working.
urlpatterns = [
    path("jobs/", views.jobs_status, name="status"),
    path("jobs/checks/", views.jobcheck_create, name="jobcheck_create"),
    path("jobs/checks/<int:pk>/", views.jobcheck_detail, name="jobcheck_detail"),
]
