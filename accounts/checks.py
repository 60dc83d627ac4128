"""Start-up checks of the accounts app (run by `migrate`, which the web container runs first)."""

from django.conf import settings
from django.core.checks import Warning


def check_passkey_relying_party(app_configs, **kwargs):
    """Warn when SITE_URL cannot be a WebAuthn relying party: passkeys are then not offered."""
    from .passkeys import rp_problem

    problem = rp_problem(settings.SITE_URL)
    if problem is None:
        return []
    return [
        Warning(
            f"Passkeys are turned off: SITE_URL ({settings.SITE_URL}) cannot be a WebAuthn relying party: {problem}.",
            hint="Set SITE_URL to the https:// address users open, with a domain name (http://localhost for development).",
            id="accounts.W001",
        )
    ]
