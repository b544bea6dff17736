"""Send today's reminders (`send_reminders [--date YYYY-MM-DD]`), run once a day.

Each reminder goes once per subject and stage, so running it again the same day — or
catching up after a missed day — sends nothing twice (DESIGN §4.7).
"""

from __future__ import annotations

import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from oversight import reminders, selectors


class Command(BaseCommand):
    help = "Send the reminders due today (each once per subject and stage) and say how many."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--date", help="run as of this day (YYYY-MM-DD), default today")

    def handle(self, *args: Any, **options: Any) -> None:
        today = selectors.today()
        if options["date"]:
            try:
                today = datetime.date.fromisoformat(options["date"])
            except ValueError as error:
                raise CommandError("Give the date as YYYY-MM-DD.") from error
        sent = reminders.send_reminders(today=today)
        plural = "" if len(sent) == 1 else "s"
        self.stdout.write(f"{len(sent)} reminder{plural} sent for {today:%d %b %Y}.")
