from django.urls import path

from . import views

app_name = "followups"

urlpatterns = [
    path("", views.jobs_status, name="jobs_status"),
    path("checks/", views.jobcheck_create, name="jobcheck_create"),
    path("checks/<int:pk>/", views.jobcheck_detail, name="jobcheck_detail"),
]
