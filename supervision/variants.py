"""The two published supervision policies shipped as choices (DESIGN §4.2), as the rows a
policy version is made of. Used by the data migration (the default) and by
`services.policy_create_from_variant`."""

from __future__ import annotations

from typing import TypedDict


class RuleRow(TypedDict, total=False):
    interval_days: int
    min_minutes: int
    asye_week_from: int | None
    asye_week_to: int | None


VARIANT_RULES: dict[str, list[RuleRow]] = {
    # Fortnightly through the ASYE year, monthly for everyone else.
    "employer_standards_2024": [
        {"interval_days": 14, "asye_week_from": 1, "asye_week_to": 52},
        {"interval_days": 28},
    ],
    # Weekly for the first 6 weeks, fortnightly to 6 months, then monthly.
    "asye_framework": [
        {"interval_days": 7, "asye_week_from": 1, "asye_week_to": 6},
        {"interval_days": 14, "asye_week_from": 7, "asye_week_to": 26},
        {"interval_days": 28, "asye_week_from": 27, "asye_week_to": None},
        {"interval_days": 28},
    ],
}
VARIANT_NAMES = {
    "employer_standards_2024": "Employer standards 2024",
    "asye_framework": "ASYE framework",
}
