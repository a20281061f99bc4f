from django.db import connection

from merchants.models import CredentialSet


def test_the_credential_table_holds_no_pem_and_no_apiv3_key_in_plaintext(
    merchant_with_credentials, material
):
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {CredentialSet._meta.db_table}")
        rows = cursor.fetchall()

    raw = repr(rows)
    assert len(rows) == 1
    assert "-----BEGIN" not in raw
    assert "PRIVATE KEY" not in raw
    assert material.apiv3_key not in raw
    # and the plaintext comes back through the model
    stored = CredentialSet.objects.get()
    assert stored.private_key_pem == material.keypair.private_key_pem
    assert stored.apiv3_key == material.apiv3_key
