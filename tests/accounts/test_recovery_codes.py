"""Recovery codes are kept only as keyed hashes, and the plain ones of before are converted."""

import pytest
from django.db import connection

from accounts import two_factor
from accounts.models import RecoveryCode, RecoveryCodes, hash_recovery_code
from tests.migrating import at_latest, migrate


@pytest.mark.django_db
def test_no_plain_recovery_code_is_stored(user):
    codes = two_factor.new_recovery_codes(user=user)
    assert len(set(codes)) == 10
    rows = list(RecoveryCode.objects.filter(device__user=user))
    assert len(rows) == 10
    assert len({row.salt for row in rows}) == 10  # a salt of its own per code
    # Nowhere in the database: every text column of every table is searched.
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            description = connection.introspection.get_table_description(cursor, table)
            quoted = connection.ops.quote_name(table)
            cursor.execute(f"SELECT * FROM {quoted}")  # table names from the schema
            for row in cursor.fetchall():
                text = " ".join(str(value) for value in row)
                assert not any(code in text for code in codes), (table, [d.name for d in description])


@pytest.mark.django_db
def test_each_code_works_once_and_the_hash_is_keyed(user, settings):
    codes = two_factor.new_recovery_codes(user=user)
    row = RecoveryCode.objects.filter(device__user=user).first()
    assert hash_recovery_code(codes[0], row.salt) != hash_recovery_code(codes[0], row.salt, secret="another key")
    assert two_factor.verify(user=user, code=codes[3].upper()) is not None
    assert two_factor.recovery_codes_left(user) == 9
    assert two_factor.verify(user=user, code=codes[3]) is None


@pytest.mark.django_db
def test_codes_survive_a_secret_key_rotation_through_the_fallbacks(user, settings):
    codes = two_factor.new_recovery_codes(user=user)
    settings.SECRET_KEY_FALLBACKS = [settings.SECRET_KEY]
    settings.SECRET_KEY = "a new secret key for this test, long enough to be one"
    assert two_factor.verify(user=user, code=codes[0]) is not None


@pytest.mark.django_db(transaction=True)
def test_the_migration_hashes_the_plain_codes_of_before():
    with at_latest():
        apps = migrate([("accounts", "0003_passkeys_recovery_codes"), ("otp_static", "0003_add_timestamps")])
        User = apps.get_model("accounts", "User")
        StaticDevice = apps.get_model("otp_static", "StaticDevice")
        StaticToken = apps.get_model("otp_static", "StaticToken")
        owner = User.objects.create(username="had-codes", password="!")
        User.objects.create(username="no-codes", password="!")
        device = StaticDevice.objects.create(
            user=owner, name="recovery codes", confirmed=True, throttling_failure_count=3
        )
        for token in ("abcd2345", "efgh6723", "ijkl7777"):
            StaticToken.objects.create(device=device, token=token)

        migrate([("accounts", "0004_hash_static_recovery_codes")])

        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM otp_static_statictoken")
            assert cursor.fetchone()[0] == 0
            cursor.execute("SELECT count(*) FROM otp_static_staticdevice")
            assert cursor.fetchone()[0] == 0
    from accounts.models import User as CurrentUser

    owner = CurrentUser.objects.get(username="had-codes")
    converted = RecoveryCodes.objects.get(user=owner)
    assert converted.confirmed and converted.throttling_failure_count == 3
    assert sorted(len(row.digest) for row in converted.codes.all()) == [64, 64, 64]
    assert not RecoveryCodes.objects.filter(user__username="no-codes").exists()
    # The codes the user wrote down still work, once each.
    converted.throttling_failure_count = 0
    converted.save()
    assert two_factor.verify(user=owner, code="efgh6723") is not None
    assert two_factor.verify(user=owner, code="efgh6723") is None
    assert two_factor.recovery_codes_left(owner) == 2
    CurrentUser.objects.filter(username__in=["had-codes", "no-codes"]).delete()
