from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CardsConfig(AppConfig):
    name = "cards"
    verbose_name = _("Business cards")

    def ready(self):
        from django.db.models.signals import pre_delete

        from contacts.models import TrashedPerson
        from contacts.signals import capture_row_extras

        from . import receivers

        capture_row_extras.connect(receivers.card_row_extras, dispatch_uid="cards-row-extras")
        pre_delete.connect(receivers.forget_trashed_card_files, sender=TrashedPerson, dispatch_uid="cards-trash-files")
