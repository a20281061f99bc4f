# Two branches each added a 0005 (search ids; image fetch status): one graph again.

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("complaints", "0005_complaint_search_ids"),
        ("complaints", "0005_image_fetch_status"),
    ]

    operations = []
