"""Places on the spine's pages that apps fill: entries in the navigation, and panels on the
staff, team and case pages.

Apps register them when they start (as they register record kinds and starting pages), so the
spine's templates never name another app's pages: `supervision/` adds *My team* to the
navigation and a *Supervision* panel to a person's page; `decisions/` can add its own without
the spine changing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import reverse

from oversight.records import UserLike


def _everyone(user: UserLike) -> bool:
    return True


@dataclass(frozen=True)
class NavEntry:
    label: str
    url_name: str
    # Where it sits: lower comes first (the spine's own entries are 20, 50-90).
    order: int
    # Whom it is offered to; the page it opens still applies the access policy itself.
    shows: Callable[[UserLike], bool] = _everyone
    # The pages that mark it as the one being looked at (default: its own).
    active_on: tuple[str, ...] = ()

    def is_active(self, url_name: str | None) -> bool:
        return url_name in (self.active_on or (self.url_name,))


@dataclass(frozen=True)
class ShownEntry:
    """A navigation entry as one reader sees it."""

    label: str
    url: str
    active: bool
    current: bool  # this very page (aria-current)


_nav: list[NavEntry] = []

# The pages with panels, and the templates apps put in each (rendered with the page's context,
# in order). The spine's own pages, and points on supervision's pages where a later app adds
# something (decisions: "Record as MDR" on a discussion, the drift count on My team) without
# supervision naming it.
PANEL_PAGES = (
    "staff-detail",
    "team-detail",
    "case-detail",
    "my-team",
    "my-supervision",
    "case-discussion",
    "informal-discussion",
)
_panels: dict[str, list[tuple[int, str]]] = {page: [] for page in PANEL_PAGES}


def register_nav(entry: NavEntry) -> NavEntry:
    if all(existing.url_name != entry.url_name for existing in _nav):
        _nav.append(entry)
        _nav.sort(key=lambda known: known.order)
    return entry


def nav_for(user: UserLike, url_name: str | None) -> list[ShownEntry]:
    """The navigation entries offered to `user`, marking the one for the page `url_name`."""
    return [
        ShownEntry(
            label=entry.label,
            url=reverse(entry.url_name),
            active=entry.is_active(url_name),
            current=url_name == entry.url_name,
        )
        for entry in _nav
        if entry.shows(user)
    ]


def register_panel(page: str, template_name: str, *, order: int = 50) -> None:
    """Show `template_name` on the spine's `page` (one of `PANEL_PAGES`). The template decides
    for itself, by asking its app's rules, whether it has anything for this reader."""
    if page not in _panels:
        raise ValueError(f"{page!r} has no panels; use one of {', '.join(PANEL_PAGES)}")
    if all(name != template_name for _, name in _panels[page]):
        _panels[page].append((order, template_name))
        _panels[page].sort()


def panels_for(page: str) -> list[str]:
    return [name for _, name in _panels.get(page, [])]
