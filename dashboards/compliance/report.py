"""The report the dashboards, API and exports read: every worker-month of a scope and period,
with figures for any group of them (`tally()`, `by_month()`, `by_team()`) and the rows behind
them (`rows`, `rows_for()`).

The figures are sums over the engine's judged arrays; a `WorkerMonth` per row is built only
when someone asks for the rows.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property

import numpy as np

from dashboards.compliance.engine import (
    COMPLIANT,
    EXCUSED,
    NOT_COMPLIANT,
    NOT_EXPECTED,
    OUTCOMES,
    Cells,
)
from dashboards.compliance.loading import NOT_HELD_REASONS, Ints, Staff
from dashboards.compliance.months import Month
from dashboards.compliance.rule import Outcome, Worker, WorkerMonth


@dataclass
class Tally:
    """Figures for a group of worker-months (a team, a service, the scope)."""

    expected: int = 0
    compliant: int = 0
    excused: int = 0
    not_expected: int = 0
    held: int = 0
    short: int = 0
    signed_in_time: int = 0
    excused_reasons: Counter[str] = field(default_factory=Counter)
    not_held: Counter[str] = field(default_factory=Counter)

    def add(self, row: WorkerMonth) -> None:
        if row.outcome.is_expected:
            self.expected += 1
            self.compliant += row.outcome is Outcome.COMPLIANT
        elif row.outcome is Outcome.EXCUSED:
            self.excused += 1
            self.excused_reasons[row.excuse_reason] += 1
        else:
            self.not_expected += 1
        self.held += row.held
        self.short += row.short
        self.signed_in_time += row.signed_in_time
        self.not_held.update(row.not_held)

    @property
    def rate(self) -> Decimal | None:
        """Compliant ÷ expected, or None when nobody was expected."""
        if not self.expected:
            return None
        return Decimal(self.compliant) / Decimal(self.expected)

    @property
    def not_held_by_reason(self) -> list[tuple[str, int]]:
        """(reason, count), most frequent first (a list: templates cannot index a Counter)."""
        return self.not_held.most_common()

    def excused_summary(self) -> str:
        """ "3 excused: 2 maternity leave, 1 long-term sickness"."""
        if not self.excused:
            return "None excused"
        parts = ", ".join(f"{n} {reason}" for reason, n in self.excused_reasons.most_common())
        return f"{self.excused} excused: {parts}"


TeamKey = tuple[int | None, str, str]


class ComplianceReport:
    """Every worker-month of a scope and period, with figures for any group of them.

    The figures (`tally()`, `by_month()`, `by_team()`) are sums over the judged arrays; the
    rows (`rows`, `rows_for()`) are built on first use."""

    def __init__(
        self,
        months: Sequence[Month],
        targets: dict[Month, Decimal],
        staff: Staff,
        cells: Cells,
    ):
        self.months = list(months)
        self.targets = targets
        self._staff = staff
        self._cells = cells
        self._month_rows: dict[Month, list[WorkerMonth]] = {}

    # The rows, worker by worker (service, team, name), month by month.

    @cached_property
    def rows(self) -> list[WorkerMonth]:
        return self._rows(np.argsort(self._position, kind="stable"))

    def rows_for(self, month: Month) -> list[WorkerMonth]:
        if "rows" in self.__dict__:
            return [row for row in self.rows if row.month == month]
        if month not in self._month_rows:
            cells = self._cells_in(month)
            self._month_rows[month] = self._rows(cells[np.argsort(self._position[cells])])
        return list(self._month_rows[month])

    @cached_property
    def _position(self) -> Ints:
        """Each cell's place among the rows."""
        rank = np.empty(len(self._staff), dtype=np.int64)
        rank[self._staff.display_order()] = np.arange(len(self._staff))
        return rank[self._cells.worker] * self._cells.months + self._cells.month

    @cached_property
    def _workers(self) -> list[Worker]:
        staff = self._staff
        first_names, last_names, employment_types = staff.details
        workers = []
        for pk, first_name, last_name, team_id, role, employment_type, start, leaving, asye in zip(
            staff.pks.tolist(),
            first_names,
            last_names,
            [None if t < 0 else t for t in staff.team_ids.tolist()],
            staff.roles.tolist(),
            employment_types,
            staff.start.tolist(),
            staff.leaving.tolist(),
            staff.asye_start.tolist(),
            strict=True,
        ):
            team, service_id, service = staff.team(team_id)
            workers.append(
                Worker(
                    pk=pk,
                    name=f"{first_name} {last_name}",
                    team_id=team_id,
                    team=team,
                    service_id=service_id,
                    service=service,
                    role=role,
                    employment_type=employment_type,
                    start_date=start,
                    leaving_date=leaving,
                    asye_start_date=asye,
                )
            )
        return workers

    @cached_property
    def _not_held_by_cell(self) -> dict[int, dict[str, int]]:
        cells = self._cells
        by_cell: dict[int, dict[str, int]] = {}
        for cell, reason, count in zip(
            cells.not_held_cell.tolist(),
            cells.not_held_reason.tolist(),
            cells.not_held_count.tolist(),
            strict=True,
        ):
            by_cell.setdefault(cell, {})[NOT_HELD_REASONS[reason]] = count
        return by_cell

    def _rows(self, chosen: Ints) -> list[WorkerMonth]:
        cells, workers, months = self._cells, self._workers, self.months
        not_held = self._not_held_by_cell
        reasons = [*cells.excuse_reasons, ""]  # index -1: not excused
        return [
            WorkerMonth(
                worker=workers[worker],
                month=months[month],
                outcome=OUTCOMES[outcome],
                required=required,
                held=held,
                short=short,
                signed_in_time=signed_in_time,
                not_held=dict(not_held.get(cell, {})),
                excuse_reason=reasons[excuse],
            )
            for cell, worker, month, outcome, required, held, short, signed_in_time, excuse in zip(
                chosen.tolist(),
                cells.worker[chosen].tolist(),
                cells.month[chosen].tolist(),
                cells.outcome[chosen].tolist(),
                cells.required[chosen].tolist(),
                cells.held[chosen].tolist(),
                cells.short[chosen].tolist(),
                cells.signed_in_time[chosen].tolist(),
                cells.excuse[chosen].tolist(),
                strict=True,
            )
        ]

    # The figures.

    def tally(self, rows: Iterable[WorkerMonth] | None = None) -> Tally:
        """Figures for `rows`, or for every worker-month of the report."""
        if rows is not None:
            tally = Tally()
            for row in rows:
                tally.add(row)
            return tally
        everything = np.arange(len(self._cells))
        return self._tallies(everything, np.zeros(len(everything), dtype=np.int64), 1)[0]

    def by_month(self) -> dict[Month, Tally]:
        everything = np.arange(len(self._cells))
        tallies = self._tallies(everything, self._cells.month, len(self.months))
        return dict(zip(self.months, tallies, strict=True))

    def by_team(self, month: Month | None = None) -> dict[TeamKey, Tally]:
        """Tallies keyed by (team id, team name, service name), in service then team order."""
        chosen = np.arange(len(self._cells)) if month is None else self._cells_in(month)
        keys, team_of_worker = self._teams
        team = team_of_worker[self._cells.worker[chosen]]
        tallies = self._tallies(chosen, team, len(keys))
        first_row = np.full(len(keys), np.iinfo(np.int64).max, dtype=np.int64)
        np.minimum.at(first_row, team, self._position[chosen])
        present = np.flatnonzero(first_row < np.iinfo(np.int64).max)
        shown = sorted(present.tolist(), key=lambda t: (keys[t][2], keys[t][1], first_row[t]))
        return {keys[t]: tallies[t] for t in shown}

    @cached_property
    def _teams(self) -> tuple[list[TeamKey], Ints]:
        """The (team id, team, service) keys, and each worker's index among them."""
        staff = self._staff
        _, first_worker, team_of_worker = np.unique(
            staff.team_ids, return_index=True, return_inverse=True
        )
        keys = []
        for worker in first_worker.tolist():
            found = int(staff.team_ids[worker])
            team_id = None if found < 0 else found
            team, _, service = staff.team(team_id)
            keys.append((team_id, team, service))
        return keys, team_of_worker.reshape(-1)

    def _cells_in(self, month: Month) -> Ints:
        if month not in self.months:
            return np.zeros(0, dtype=np.int64)
        return np.flatnonzero(self._cells.month == self.months.index(month))

    def _tallies(self, chosen: Ints, group: Ints, n_groups: int) -> list[Tally]:
        """A Tally per group for the cells `chosen`, cell `chosen[i]` in `group[i]`."""
        cells = self._cells
        outcome = cells.outcome[chosen]

        def count(outcome_code: int) -> list[int]:
            return np.bincount(group[outcome == outcome_code], minlength=n_groups).tolist()  # type: ignore[no-any-return]

        def total(values: Ints) -> list[int]:
            sums = np.bincount(group, weights=values[chosen], minlength=n_groups)
            return sums.astype(np.int64).tolist()  # type: ignore[no-any-return]

        tallies = [
            Tally(
                expected=compliant + not_compliant,
                compliant=compliant,
                excused=excused,
                not_expected=not_expected,
                held=held,
                short=short,
                signed_in_time=signed_in_time,
            )
            for compliant, not_compliant, excused, not_expected, held, short, signed_in_time in zip(
                count(COMPLIANT),
                count(NOT_COMPLIANT),
                count(EXCUSED),
                count(NOT_EXPECTED),
                total(cells.held),
                total(cells.short),
                total(cells.signed_in_time),
                strict=True,
            )
        ]

        # Reasons, each group's in the order its rows first give them (as Tally.add would).
        position = self._position
        excuse = cells.excuse[chosen]
        excused = excuse >= 0
        for tally, reason, n in _counted(
            group[excused],
            excuse[excused],
            position[chosen[excused]],
            len(cells.excuse_reasons),
        ):
            tallies[tally].excused_reasons[cells.excuse_reasons[reason]] = n
        group_of_cell = np.full(len(cells), -1, dtype=np.int64)
        group_of_cell[chosen] = group
        nh_group = group_of_cell[cells.not_held_cell]
        mine = nh_group >= 0
        for tally, reason, n in _counted(
            nh_group[mine],
            cells.not_held_reason[mine],
            position[cells.not_held_cell[mine]],
            len(NOT_HELD_REASONS),
            weights=cells.not_held_count[mine],
        ):
            tallies[tally].not_held[NOT_HELD_REASONS[reason]] = n
        return tallies


def _counted(
    group: Ints, item: Ints, position: Ints, n_items: int, weights: Ints | None = None
) -> list[tuple[int, int, int]]:
    """(group, item, count) for each pair present, by group, then by the position each pair
    first occurs at, then by item."""
    if not len(group):
        return []
    key, index = np.unique(group * n_items + item, return_inverse=True)
    counts = np.bincount(index, weights=weights).astype(np.int64)
    first = np.full(len(key), np.iinfo(np.int64).max, dtype=np.int64)
    np.minimum.at(first, index, position)
    groups, items = np.divmod(key, n_items)
    order = np.lexsort((items, first, groups))
    return list(
        zip(groups[order].tolist(), items[order].tolist(), counts[order].tolist(), strict=True)
    )
