"""Re-encrypt every secret in the database under the newest FIELD_ENCRYPTION_KEYS key.

Rotation of the encryption key: put the new key first in FIELD_ENCRYPTION_KEYS (keep the old
ones after it), run this command, check it reports no failures, then remove the old keys.

Covered: every `EncryptedTextField` of every installed model (found in the app registry, so new
encrypted fields need no change here) plus the plain text columns listed in EXTRA_COLUMNS that
hold a token made with `console.encryption.encrypt_text`.
"""

from __future__ import annotations

from collections.abc import Iterator

from cryptography.fernet import InvalidToken
from django.apps import apps
from django.core.management.base import BaseCommand, CommandError
from django.db import models, transaction
from django.db.models.functions import Cast

from console.encryption import EncryptedTextField, fernet

# (app_label.Model, field name) of text columns that store encrypt_text() tokens themselves.
EXTRA_COLUMNS = [("complaints.Complaint", "payer_phone_encrypted")]
BATCH = 500


def encrypted_columns() -> Iterator[tuple[type[models.Model], str]]:
    """Every (model, field name) that holds a Fernet token."""
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if isinstance(field, EncryptedTextField):
                yield model, field.name
    for label, name in EXTRA_COLUMNS:
        try:
            model = apps.get_model(label)
            model._meta.get_field(name)
        except (LookupError, models.FieldDoesNotExist):
            continue  # that app or column is not installed here
        yield model, name


def _raw(model: type[models.Model], name: str):
    """The stored token, read without the field's decryption (cast to plain text)."""
    return (
        model._default_manager.exclude(**{name: ""})
        .exclude(**{f"{name}__isnull": True})
        .annotate(_token=Cast(name, output_field=models.TextField()))
        .order_by("pk")
        .values_list("pk", "_token")
    )


def reencrypt_column(model: type[models.Model], name: str) -> tuple[int, list[object]]:
    """Rotate every token of one column; return (rows rewritten, pks that failed)."""
    rewritten, failed = 0, []
    multi = fernet()
    last_pk = None
    while True:
        rows = _raw(model, name)
        if last_pk is not None:
            rows = rows.filter(pk__gt=last_pk)
        batch = list(rows[:BATCH])
        if not batch:
            return rewritten, failed
        with transaction.atomic():
            for pk, token in batch:
                try:
                    new = multi.rotate(token.encode("ascii")).decode("ascii")
                except (InvalidToken, UnicodeEncodeError):
                    failed.append(pk)
                    continue
                # Value(output_field=TextField) bypasses the field's own encryption.
                model._default_manager.filter(pk=pk).update(
                    **{name: models.Value(new, output_field=models.TextField())}
                )
                rewritten += 1
        last_pk = batch[-1][0]


class Command(BaseCommand):
    help = "Re-encrypt every stored secret under the newest key in FIELD_ENCRYPTION_KEYS."

    def handle(self, *args, **options) -> None:
        failures = 0
        for model, name in encrypted_columns():
            rewritten, failed = reencrypt_column(model, name)
            label = f"{model._meta.label}.{name}"
            self.stdout.write(f"{label}: {rewritten} re-encrypted")
            if failed:
                failures += len(failed)
                shown = ", ".join(str(pk) for pk in failed[:20])
                self.stderr.write(
                    f"{label}: {len(failed)} rows do not decrypt with any configured key "
                    f"(ids {shown}); they were left unchanged"
                )
        if failures:
            raise CommandError(
                f"{failures} secrets could not be re-encrypted: keep the old keys until fixed."
            )
        self.stdout.write(
            self.style.SUCCESS("Every secret is now encrypted under the newest key; "
                               "older keys may be removed from FIELD_ENCRYPTION_KEYS.")
        )  # fmt: skip
