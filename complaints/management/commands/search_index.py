"""`manage.py search_index [--missing] [--batch 500]`: (re)build the search index of existing
complaints, with a progress bar. New and changed complaints are indexed as they are written."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from complaints.models import Complaint
from complaints.services import search_index_all


class Command(BaseCommand):
    help = "Build the search index (search_text, search_tokens) of existing complaints."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--missing", action="store_true", help="only complaints never indexed (after upgrading)"
        )
        parser.add_argument("--batch", type=int, default=500, help="complaints per transaction")

    def handle(self, *args, missing: bool, batch: int, **options) -> None:
        if not 1 <= batch <= 10_000:
            raise CommandError("--batch must be between 1 and 10000.")
        rows = Complaint.objects.all()
        if missing:
            rows = rows.filter(search__isnull=True)
        progress = tqdm(total=rows.count(), unit=" complaints", desc="search index",
                        file=self.stderr._out)  # fmt: skip
        try:
            done = search_index_all(
                only_missing=missing, batch_size=batch, progress=progress.update
            )
        finally:
            progress.close()
        self.stdout.write(f"{done} complaints indexed")
