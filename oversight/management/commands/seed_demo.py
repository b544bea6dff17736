"""Build the fictional demo authority (`seed_demo --seed N --staff N --months N`)."""

from __future__ import annotations

import datetime
import time
from importlib import import_module
from importlib.util import find_spec
from typing import Any

from django.apps import apps
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

from oversight.demo import DEMO_LOGINS, DEMO_PASSWORD, build_demo_authority
from oversight.models import StaffMember


class Command(BaseCommand):
    help = "Build a fictional local authority with demo logins (deterministic for a seed)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--staff", type=int, default=250, help="staff in post (about)")
        parser.add_argument("--months", type=int, default=24, help="months of history")
        parser.add_argument("--today", type=datetime.date.fromisoformat, default=None)
        parser.add_argument("--if-empty", action="store_true", help="do nothing if data exists")
        parser.add_argument("--reset", action="store_true", help="delete all data first")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["staff"] < 30:
            raise CommandError("--staff must be at least 30 (the demo logins need a few teams).")
        if not 1 <= options["months"] <= 60:
            raise CommandError("--months must be between 1 and 60.")
        if options["reset"]:
            call_command("flush", interactive=False, verbosity=0)
        elif StaffMember.objects.exists():
            if options["if_empty"]:
                self.stdout.write("The demo authority is already loaded.")
                self._print_logins()
                return
            raise CommandError("Data already exists: use --reset to rebuild the demo authority.")

        started = time.monotonic()
        authority = build_demo_authority(
            seed=options["seed"],
            staff_count=options["staff"],
            months=options["months"],
            today=options["today"],
        )
        self.stdout.write(
            f"Built {len(authority.services)} services, {len(authority.teams)} teams, "
            f"{len(authority.staff)} staff, {len(authority.cases)} cases, "
            f"{len(authority.absences)} absences in {time.monotonic() - started:.1f} s."
        )
        # Each app adds its history through `<app>/demo.py: seed(authority)`, found the way the
        # admin finds `admin.py` modules; it may return a line for this summary.
        for app in apps.get_app_configs():
            module_name = f"{app.name}.demo"
            if app.name == "oversight" or find_spec(module_name) is None:
                continue
            seed = getattr(import_module(module_name), "seed", None)
            if callable(seed):
                app_started = time.monotonic()
                summary = seed(authority)
                if summary:
                    self.stdout.write(f"{summary} in {time.monotonic() - app_started:.1f} s.")
        self._print_logins()

    def _print_logins(self) -> None:
        self.stdout.write(f"\nDemo logins (password: {DEMO_PASSWORD})")
        for username, description in DEMO_LOGINS:
            self.stdout.write(f"  {username:<10} {description}")
