"""Move each user's recovery codes from django-otp's StaticToken (plain text) to RecoveryCode (keyed hashes).

The codes keep working: each is hashed as `accounts.models.hash_recovery_code`
does today (copied here, so a later change there cannot change this
migration). The plain rows are deleted. Going back is not possible: the codes
are not kept, so reversing leaves the users to make new ones.
"""

import secrets

from django.conf import settings
from django.db import migrations
from django.utils.crypto import salted_hmac


def _hash(code: str, salt: str) -> str:
    return salted_hmac(f"accounts.recovery-code:{salt}", code, secret=settings.SECRET_KEY, algorithm="sha256").hexdigest()


def hash_codes(apps, schema_editor):
    StaticDevice = apps.get_model("otp_static", "StaticDevice")
    RecoveryCodes = apps.get_model("accounts", "RecoveryCodes")
    RecoveryCode = apps.get_model("accounts", "RecoveryCode")
    for old in StaticDevice.objects.order_by("pk").iterator(chunk_size=500):
        new = RecoveryCodes.objects.create(
            user_id=old.user_id,
            name=old.name,
            confirmed=old.confirmed,
            throttling_failure_timestamp=old.throttling_failure_timestamp,
            throttling_failure_count=old.throttling_failure_count,
            last_used_at=old.last_used_at,
        )
        rows = []
        for token in old.token_set.values_list("token", flat=True):
            salt = secrets.token_hex(16)
            rows.append(RecoveryCode(device=new, salt=salt, digest=_hash(token, salt)))
        RecoveryCode.objects.bulk_create(rows)
        if old.created_at is not None:
            RecoveryCodes.objects.filter(pk=new.pk).update(created_at=old.created_at)
        old.delete()  # its tokens go with it


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_passkeys_recovery_codes"),
        ("otp_static", "0003_add_timestamps"),
    ]

    operations = [migrations.RunPython(hash_codes, migrations.RunPython.noop)]
