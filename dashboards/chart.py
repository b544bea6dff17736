"""A 12-month compliance trend as plain SVG geometry, drawn by the template.

Server-drawn SVG needs no chart library, no JavaScript and nothing from the internet; the same
numbers are given as a table beside it for screen readers and for copying.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from dashboards.compliance import Month, Tally

WIDTH, HEIGHT = 640, 260
LEFT, RIGHT, TOP, BOTTOM = 48, 16, 16, 40


@dataclass(frozen=True)
class Point:
    x: float
    y: float
    month: Month
    rate: Decimal | None
    tally: Tally

    @property
    def percent(self) -> str:
        return "no one expected" if self.rate is None else f"{self.rate:.0%}"


@dataclass(frozen=True)
class TrendChart:
    width: int
    height: int
    points: list[Point]
    target_y: float
    target: Decimal
    gridlines: list[tuple[float, str]]
    baseline_y: float
    left: int
    right_x: int

    @property
    def line(self) -> str:
        """The SVG polyline through the months that have a figure."""
        return " ".join(f"{p.x:.1f},{p.y:.1f}" for p in self.points if p.rate is not None)


def _y(rate: Decimal) -> float:
    return TOP + (HEIGHT - TOP - BOTTOM) * (1 - float(rate))


def trend_chart(tallies: dict[Month, Tally], target: Decimal) -> TrendChart:
    months = sorted(tallies)
    step = (WIDTH - LEFT - RIGHT) / max(len(months) - 1, 1)
    points = []
    for index, month in enumerate(months):
        rate = tallies[month].rate
        points.append(
            Point(
                x=LEFT + index * step,
                y=HEIGHT - BOTTOM if rate is None else _y(rate),
                month=month,
                rate=rate,
                tally=tallies[month],
            )
        )
    gridlines = [(_y(Decimal(p) / 100), f"{p}%") for p in (0, 25, 50, 75, 100)]
    return TrendChart(
        width=WIDTH,
        height=HEIGHT,
        points=points,
        target_y=_y(target),
        target=target,
        gridlines=gridlines,
        baseline_y=HEIGHT - BOTTOM,
        left=LEFT,
        right_x=WIDTH - RIGHT,
    )
