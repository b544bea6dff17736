"""What the decisions app ships with: two threshold frameworks, the statutory timescales and
the escalation protocol's response times (DESIGN §4.4). All of it is configuration a council
changes in the admin; the data migration installs it once, and tests and the demo reuse it.

The frameworks' wording is ours, written for this product; councils replace it with their own
continuum of need.
"""

from __future__ import annotations

from typing import Any

FOUR_LEVEL = "Continuum of need (four levels)"
THREE_LEVEL = "Continuum of need (three levels)"

FRAMEWORKS: dict[str, dict[str, Any]] = {
    FOUR_LEVEL: {
        "description": "Four levels from universal services to statutory intervention.",
        "active": True,
        "levels": [
            (
                "Universal",
                "The child's needs are met by the services every family uses.",
                "Healthy development; attends school or nursery; registered with a GP.",
            ),
            (
                "Additional needs",
                "Needs that one agency can meet, often through early help.",
                "Patchy attendance; a parent asking for help with routines; a health need "
                "one service is following up.",
            ),
            (
                "Complex needs",
                "Several needs at once, met by co-ordinated multi-agency early help.",
                "Several agencies involved; concerns about home conditions or neglect that "
                "are not yet harm; a carer's mental health affecting care.",
            ),
            (
                "Acute needs",
                "Statutory intervention: a child in need (s17) or child protection (s47).",
                "Suspected or actual significant harm; a child with no safe carer; needs "
                "that only a statutory service can meet.",
            ),
        ],
    },
    THREE_LEVEL: {
        "description": "Three levels: universal, targeted early help, specialist.",
        "active": False,
        "levels": [
            (
                "Universal",
                "Needs met within the services available to every child.",
                "Thriving at school; family copes with ordinary pressures.",
            ),
            (
                "Targeted",
                "Extra help is needed, planned with the family through early help.",
                "Emerging concerns about behaviour, attendance or a carer's capacity.",
            ),
            (
                "Specialist",
                "Statutory social work is needed to keep the child safe or meet their needs.",
                "Risk of significant harm; care proceedings being considered.",
            ),
        ],
    },
}

# code, name, starting decision types, starts from, working days, follow-up, then
TIMESCALES: list[tuple[str, str, list[str], str, int, str, str | None]] = [
    (
        "contact-decision",
        "Contact decision",
        [
            "contact_nfa",
            "contact_advice",
            "contact_early_help",
            "contact_assessment",
            "contact_strategy",
        ],
        "contact_received",
        1,
        "",
        None,
    ),
    (
        "initial-conference",
        "Initial child protection conference",
        [],
        "previous_met",
        15,
        "Conference held",
        None,
    ),
    (
        "strategy-discussion",
        "Strategy discussion",
        ["contact_strategy"],
        "decision",
        1,
        "Strategy discussion held",
        "initial-conference",
    ),
    (
        "assessment",
        "Child and family assessment",
        ["contact_assessment"],
        "contact_received",
        45,
        "Assessment completed",
        None,
    ),
]

ESCALATION_STAGES: list[tuple[int, int, int | None]] = [
    (1, 5, None),
    (2, 5, None),
    (3, 5, None),
    (4, 5, None),
]


def install(apps: Any) -> None:
    """Create what is shipped, leaving alone anything a council already has."""
    framework_model = apps.get_model("decisions", "ThresholdFramework")
    level_model = apps.get_model("decisions", "ThresholdLevel")
    timescale_model = apps.get_model("decisions", "StatutoryTimescale")
    stage_model = apps.get_model("decisions", "EscalationStage")
    any_active = framework_model.objects.filter(is_active=True).exists()
    for name, spec in FRAMEWORKS.items():
        framework, created = framework_model.objects.get_or_create(
            name=name,
            defaults={
                "description": spec["description"],
                "is_active": spec["active"] and not any_active,
            },
        )
        if created:
            for number, (level_name, description, indicators) in enumerate(spec["levels"], 1):
                level_model.objects.create(
                    framework=framework,
                    number=number,
                    name=level_name,
                    description=description,
                    indicators=indicators,
                )
    by_code: dict[str, Any] = {}
    for code, name, types, starts_from, days, follow_up, then in TIMESCALES:
        by_code[code], _ = timescale_model.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "decision_types": types,
                "starts_from": starts_from,
                "working_days": days,
                "follow_up": follow_up,
                "then": by_code.get(then) if then else None,
            },
        )
    for number, days, hours in ESCALATION_STAGES:
        stage_model.objects.get_or_create(
            number=number, defaults={"response_working_days": days, "response_hours": hours}
        )
