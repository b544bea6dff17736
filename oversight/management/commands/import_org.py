"""Import the organisation from spreadsheets (`import_org FILE [--dry-run] [--user NAME]`).

The rules live in `oversight.importing`; this command reads the options and prints the report.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from oversight.importing import SHEETS, ImportFileError, ImportReport, import_org


class Command(BaseCommand):
    help = (
        "Import services, teams, staff, cases and absences from an XLSX workbook, a CSV file "
        "named after its sheet (staff.csv) or a folder of such CSVs. All or nothing: any bad "
        "row is reported and nothing is imported. Re-importing updates rather than duplicates."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="an .xlsx workbook, a .csv file or a folder")
        parser.add_argument("--dry-run", action="store_true", help="check the file; import nothing")
        parser.add_argument(
            "--user", help="username to record in the history as the person importing"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        actor = None
        if options["user"]:
            actor = get_user_model()._default_manager.filter(username=options["user"]).first()
            if actor is None:
                raise CommandError(f"There is no user '{options['user']}'.")
        try:
            report = import_org(options["file"], dry_run=options["dry_run"], actor=actor)
        except ImportFileError as error:
            raise CommandError(str(error)) from error
        for note in report.notes:
            self.stdout.write(note)
        if report.problems:
            for problem in report.problems:
                self.stderr.write(str(problem))
            count = len(report.problems)
            raise CommandError(
                f"{count} problem{'' if count == 1 else 's'} in {report.source}; nothing imported."
            )
        if report.dry_run:
            self.stdout.write(
                f"Dry run: {report.rows_valid} rows valid, nothing imported.",
                self.style.SUCCESS,
            )
            self._write_counts(report, created="to create", updated="to update")
        else:
            self.stdout.write(f"Imported {report.source}:", self.style.SUCCESS)
            self._write_counts(report, created="created", updated="updated")

    def _write_counts(self, report: ImportReport, *, created: str, updated: str) -> None:
        for sheet in SHEETS:
            counts = report.counts.get(sheet)
            if counts is None:
                continue
            self.stdout.write(
                f"  {sheet}: {counts.created} {created}, {counts.updated} {updated}, "
                f"{counts.unchanged} unchanged"
            )
