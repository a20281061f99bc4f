"""Backfill: `manage.py sync_complaints --merchant MCHID --since 2026-01-01` (progress bar)."""

from __future__ import annotations

from datetime import date

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

import wechatpay
from complaints.services import merchant_sync
from merchants.models import Merchant


class Command(BaseCommand):
    help = "Fetch a merchant's complaints (and the history of those that changed) from WeChat Pay."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--merchant", required=True, help="the merchant's mchid")
        parser.add_argument(
            "--since",
            type=date.fromisoformat,
            help="first complaint date to fetch (YYYY-MM-DD); default: incremental",
        )

    def handle(self, *args, merchant: str, since: date | None, **options) -> None:
        found = Merchant.objects.filter(mchid=merchant).first()
        if found is None:
            raise CommandError(f"No merchant with mchid {merchant}.")
        if since and since > date.today():
            raise CommandError("--since is in the future.")
        progress = tqdm(unit=" complaints", desc=f"sync {merchant}", file=self.stderr._out)
        changed = 0

        def step(_data, was_changed: bool) -> None:
            nonlocal changed
            changed += was_changed
            progress.update(1)
            progress.set_postfix(changed=changed)

        try:
            result = merchant_sync(merchant=found, since=since, on_complaint=step)
        except wechatpay.WechatPayError as exc:
            raise CommandError(
                f"Sync stopped: {exc}. Nothing was skipped; run the command again."
            ) from exc
        finally:
            progress.close()
        self.stdout.write(
            f"{result.begin}..{result.end}: {result.seen} complaints, {result.changed} changed"
        )
