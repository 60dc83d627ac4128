from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CardsConfig(AppConfig):
    name = "cards"
    verbose_name = _("Business cards")

    def ready(self):
        from contacts.signals import capture_row_extras

        from . import receivers

        capture_row_extras.connect(receivers.card_row_extras, dispatch_uid="cards-row-extras")
