"""Reads that compute for supervision: the policy in force, due dates and status now."""

from __future__ import annotations

from supervision.models import PolicyRule, SupervisionPolicy
from supervision.policy import PolicyBook, PolicyVersion, Rule


def load_policy_book() -> PolicyBook:
    """Every policy version with its rules, in two queries."""
    versions = SupervisionPolicy.objects.prefetch_related("rules")
    return PolicyBook(
        PolicyVersion(
            effective_from=version.effective_from,
            rules=tuple(
                Rule(
                    interval_days=rule.interval_days,
                    min_minutes=rule.min_minutes,
                    role=rule.role,
                    asye_week_from=rule.asye_week_from,
                    asye_week_to=rule.asye_week_to,
                )
                for rule in _ordered(version.rules.all())
            ),
            tolerance_days=version.tolerance_days,
            due_soon_days=version.due_soon_days,
            excusing_threshold=version.excusing_threshold,
            target_rate=version.target_rate,
            name=version.name,
        )
        for version in versions
    )


def _ordered(rules: object) -> list[PolicyRule]:
    return sorted(rules, key=lambda r: (r.asye_week_from is None, r.asye_week_from or 0, r.pk))  # type: ignore[call-overload]
