from django.urls import path

from . import views

app_name = "cards"

urlpatterns = [
    path("capture/<int:event_id>/cards/", views.scan_panel, name="scan_panel"),
    path("capture/<int:event_id>/cards/upload/", views.scan_upload, name="scan_upload"),
    path("cards/scan/<int:scan_id>/", views.scan_row, name="scan_row"),
    path("cards/scan/<int:scan_id>/form/", views.scan_form, name="scan_form"),
    path("cards/scan/<int:scan_id>/discard/", views.scan_discard, name="scan_discard"),
    path("cards/image/<int:image_id>/", views.card_image, name="card_image"),
    path("people/<int:person_id>/cards/", views.person_cards, name="person_cards"),
    path("my-card/", views.my_card, name="my_card"),
]
