from django.db import migrations, models

TRIGRAMS = (
    "CREATE INDEX IF NOT EXISTS complaint_search_ids_idx ON complaints_complaintsearch "
    "USING gin (ids gin_trgm_ops)"
)
# The same form as complaints.search.text.ids_document: each id lower case, then a space.
FILL_POSTGRES = """
UPDATE complaints_complaintsearch s
SET ids = ' ' || lower(concat_ws(' ', nullif(c.complaint_id, ''), nullif(c.transaction_id, ''),
                                 nullif(c.out_trade_no, ''), nullif(c.payer_phone_last4, ''))) || ' '
FROM complaints_complaint c WHERE c.id = s.complaint_id
"""
FILL_SQLITE = """
UPDATE complaints_complaintsearch SET ids = (
    SELECT ' ' || lower(trim(
        coalesce(nullif(c.complaint_id, '') || ' ', '') ||
        coalesce(nullif(c.transaction_id, '') || ' ', '') ||
        coalesce(nullif(c.out_trade_no, '') || ' ', '') ||
        coalesce(nullif(c.payer_phone_last4, '') || ' ', ''))) || ' '
    FROM complaints_complaint c WHERE c.id = complaints_complaintsearch.complaint_id
)
"""


def fill(apps, schema_editor):
    # Existing documents get their ids here (one statement); new and changed ones on write.
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FILL_POSTGRES)
        schema_editor.execute(TRIGRAMS)
    else:
        schema_editor.execute(FILL_SQLITE)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS complaint_search_ids_idx")


class Migration(migrations.Migration):
    dependencies = [
        ("complaints", "0004_complaint_search_document"),
    ]

    operations = [
        migrations.AddField(
            model_name="complaintsearch",
            name="ids",
            field=models.TextField(blank=True, default=""),
        ),
        migrations.RunPython(fill, drop, elidable=False),
    ]
