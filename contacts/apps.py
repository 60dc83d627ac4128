from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ContactsConfig(AppConfig):
    name = "contacts"
    verbose_name = _("Contacts")

    def ready(self):
        from accounts.models import account_created

        from . import receivers

        account_created.connect(
            receivers.give_new_account_default_fields,
            dispatch_uid="contacts-default-fields",
        )
