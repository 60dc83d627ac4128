from django.urls import path

from . import views

app_name = "transfer"

urlpatterns = [
    path("", views.index, name="index"),
    path("import/", views.import_upload, name="import_upload"),
    path("import/<int:pk>/", views.import_detail, name="import_detail"),
    path("import/<int:pk>/mapping/", views.import_mapping, name="import_mapping"),
    path("import/<int:pk>/remap/", views.import_remap, name="import_remap"),
    path("import/<int:pk>/confirm/", views.import_confirm, name="import_confirm"),
    path("import/<int:pk>/duplicates/", views.import_duplicates, name="import_duplicates"),
    path("import/<int:pk>/rows/<int:row_pk>/action/", views.import_row_action, name="import_row_action"),
    path("import/<int:pk>/delete/", views.import_delete, name="import_delete"),
    path("export/<str:fmt>/", views.export_download, name="export_download"),
    path("restore/", views.restore_upload, name="restore_upload"),
]
