from django.utils import translation

from . import services


def give_new_account_default_fields(sender, user, **kwargs):
    with translation.override(user.language):
        services.ensure_default_fields(owner=user)
