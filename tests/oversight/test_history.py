"""History pages: who changed what, from what to what — and nothing restricted leaks (DESIGN §3,
§6)."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from oversight import services
from oversight.history import HIDDEN, OUTSIDE_VIEW, history_for
from oversight.models import AbsenceType, Role
from tests.factories import StaffFactory

D = datetime.date


def _history(world, reader: str, kind: str, pk: int) -> str:
    response = world.client(reader).get(f"/history/{kind}/{pk}/")
    assert response.status_code == 200
    return response.content.decode()


def _diff_row(html: str, label: str) -> tuple[str, str]:
    """The first (newest) From and To cells of the diff row for `label`."""
    match = re.search(
        rf'<th scope="row" class="govuk-table__header">{re.escape(label)}</th>'
        r'<td class="govuk-table__cell"><del>(.*?)</del></td>'
        r'<td class="govuk-table__cell"><ins>(.*?)</ins></td>',
        html,
    )
    assert match, f"no diff row for {label!r}"
    return match.group(1), match.group(2)


# --- staff records ---------------------------------------------------------------------------


def test_a_change_through_a_service_shows_who_made_it_and_from_what_to_what(world):
    services.staff_update(staff=world.sw, actor=world.bs.user, fte=Decimal("0.70"))
    html = _history(world, "tm", "staff", world.sw.pk)
    assert "Changed by PersonBS MarkerBSx" in html
    assert _diff_row(html, "FTE") == ("1.00", "0.70")
    assert "Staff record changed" in html


def test_the_newest_change_comes_first(world):
    services.staff_update(staff=world.sw, actor=world.bs.user, fte=Decimal("0.80"))
    services.staff_update(staff=world.sw, actor=world.bs.user, fte=Decimal("0.60"))
    html = _history(world, "sw", "staff", world.sw.pk)
    assert _diff_row(html, "FTE") == ("0.80", "0.60")
    assert html.index("Changed by") < html.index("Created by")


def test_choices_are_shown_by_their_names(world):
    services.staff_update(staff=world.sw, actor=world.bs.user, role=Role.SENIOR_PRACTITIONER)
    html = _history(world, "tm", "staff", world.sw.pk)
    assert _diff_row(html, "Role") == ("Social worker", "Senior practitioner")


def test_a_change_through_the_api_records_the_signed_in_user(world):
    response = world.client("bs").patch(
        f"/api/v1/staff/{world.sw.pk}/", {"fte": "0.50"}, content_type="application/json"
    )
    assert response.status_code == 200, response.content
    latest = world.sw.history.order_by("-history_date", "-history_id").first()
    assert latest.history_user == world.bs.user
    html = _history(world, "tm", "staff", world.sw.pk)
    assert "Changed by PersonBS MarkerBSx" in html
    assert _diff_row(html, "FTE") == ("1.00", "0.50")


def test_a_write_through_a_page_records_the_signed_in_user(world):
    response = world.client("tm").post(
        f"/staff/{world.sw.pk}/absences/new/",
        {"absence_type": "sickness", "start_date": "2026-03-10", "end_date": "2026-03-19"},
    )
    assert response.status_code == 302
    absence = world.sw.absences.get(start_date=D(2026, 3, 10))
    html = _history(world, "tm", "absence", absence.pk)
    assert "Created by PersonTM MarkerTMx" in html
    assert "Absence recorded" in html


def test_a_change_without_a_user_is_shown_as_the_system(world):
    html = _history(world, "tm", "staff", world.sw.pk)
    assert "Created by System" in html


def test_a_refused_change_leaves_no_history(world):
    before = world.sw.history.count()
    with pytest.raises(ValidationError):
        services.staff_update(staff=world.sw, actor=world.bs.user, supervisor=world.atm)
    assert world.sw.history.count() == before


def test_the_service_refuses_fields_it_does_not_keep(world):
    with pytest.raises(ValueError, match="user"):
        services.staff_update(staff=world.sw, actor=world.bs.user, user=world.tm.user)


def test_a_leaver_keeps_their_history_with_a_reason(world):
    services.staff_deactivate(staff=world.sw, leaving_date=D(2026, 12, 31), actor=world.bs.user)
    html = _history(world, "tm", "staff", world.sw.pk)
    assert "Changed by PersonBS MarkerBSx" in html
    assert "Leaving on 31 December 2026" in html
    assert _diff_row(html, "Leaving date") == ("—", "31 Dec 2026")


# --- names of people the reader may not see --------------------------------------------------


def test_a_supervisor_outside_the_readers_view_is_not_named(world):
    # tm's supervisor is the group manager, whom a social worker in tm's team cannot see.
    html = _history(world, "sw", "staff", world.tm.pk)
    assert "MarkerGMx" not in html
    assert OUTSIDE_VIEW in html


def test_a_supervisor_the_reader_can_see_is_named(world):
    html = _history(world, "asye", "staff", world.sw.pk)
    assert "PersonTM MarkerTMx" in html


def test_history_for_a_given_reader_masks_people_they_cannot_see(world):
    entries = history_for(world.tm, frozenset(), reader=world.sw.user)
    created = entries[-1]
    supervisor = next(c for c in created.changes if c.label == "Supervisor")
    assert supervisor.new == OUTSIDE_VIEW
    # ...and the same history read by the group manager names them.
    entries = history_for(world.tm, frozenset(), reader=world.gm.user)
    supervisor = next(c for c in entries[-1].changes if c.label == "Supervisor")
    assert supervisor.new == "PersonGM MarkerGMx"


# --- absences: type and notes are health data ------------------------------------------------


def _change_absence_twice(world):
    absence = world.absence_sw2
    services.absence_update(absence=absence, actor=world.tm2.user, notes="NoteSW2secondX")
    services.absence_update(
        absence=absence,
        actor=world.tm2.user,
        notes="NoteSW2thirdX",
        absence_type=AbsenceType.SUSPENSION,
    )
    return absence


RESTRICTED_MARKERS = [
    "NoteSW2secret",
    "NoteSW2secondX",
    "NoteSW2thirdX",
    "Maternity",
    "parental_leave",
    "Suspension",
    "suspension",
]


@pytest.mark.parametrize("reader", ["psw", "ad"])
def test_absence_history_hides_type_and_notes_in_every_version(world, reader):
    absence = _change_absence_twice(world)
    html = _history(world, reader, "absence", absence.pk)
    for marker in RESTRICTED_MARKERS:
        assert marker not in html, marker
    assert HIDDEN in html
    # The reader still sees that it changed, and who changed it.
    assert html.count("Changed by PersonTM2 MarkerTM2x") == 2
    assert _diff_row(html, "Notes") == (HIDDEN, HIDDEN)


def test_absence_history_hides_the_values_in_the_entries_themselves(world):
    absence = _change_absence_twice(world)
    entries = history_for(absence, frozenset({"absence_type", "notes"}))
    shown = [value for e in entries for c in e.changes for value in (c.old, c.new)]
    assert not any(marker in value for value in shown for marker in RESTRICTED_MARKERS)


@pytest.mark.parametrize("reader", ["tm2", "gm2", "bs", "sw2"])
def test_the_line_management_chain_sees_every_old_and_new_value(world, reader):
    absence = _change_absence_twice(world)
    html = _history(world, reader, "absence", absence.pk)
    assert _diff_row(html, "Notes") == ("NoteSW2secondX", "NoteSW2thirdX")
    assert _diff_row(html, "Type") == ("Maternity, paternity or adoption leave", "Suspension")
    assert "NoteSW2secret" in html
    assert HIDDEN not in html


def test_a_type_change_that_stops_excusing_is_shown_to_the_chain(world):
    absence = world.absence_sw2
    services.absence_update(
        absence=absence, actor=world.tm2.user, absence_type=AbsenceType.ANNUAL_LEAVE
    )
    html = _history(world, "tm2", "absence", absence.pk)
    assert _diff_row(html, "Excuses supervision") == ("Yes", "No")


# --- what cannot be read ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("reader", "kind", "target"),
    [
        ("tm2", "staff", "sw"),
        ("sw", "staff", "sw2"),
        ("sw", "absence", "absence_sw2"),
        ("tm", "absence", "absence_sw2"),
        ("bs", "case", "case_sw"),
        ("sw2", "case", "case_sw"),
        ("sw", "team", "hillside"),
    ],
)
def test_history_of_a_record_the_reader_cannot_see_answers_404(world, reader, kind, target):
    obj = getattr(world, target)
    response = world.client(reader).get(f"/history/{kind}/{obj.pk}/")
    assert response.status_code == 404
    assert b"NoteSW2secret" not in response.content


@pytest.mark.parametrize("reader", ["tm", "bs", "psw"])
def test_an_unknown_kind_answers_404(world, reader):
    assert world.client(reader).get(f"/history/payroll/{world.sw.pk}/").status_code == 404


def test_an_unknown_record_answers_404(world):
    assert world.client("bs").get("/history/staff/999999/").status_code == 404


def test_history_needs_sign_in(world):
    from django.test import Client

    response = Client().get(f"/history/staff/{world.sw.pk}/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_a_case_history_is_readable_by_those_who_see_the_case(world):
    html = _history(world, "tm", "case", world.case_sw.pk)
    assert "CH-SW0001" in html


def test_team_history_shows_the_manager_by_name(world):
    other = StaffFactory(role=Role.TEAM_MANAGER, team=world.riverside, first_name="NewTM")
    world.riverside.manager = other
    world.riverside.save()
    html = _history(world, "tm", "team", world.riverside.pk)
    # The new manager is in the team, so tm may see them.
    assert f"NewTM {other.last_name}" in html
