"""A refusal because of the record's state rather than the input: it is signed and locked, or
the request was answered already. Every app's services raise a subclass; the API answers any
of them 409 in one place (`oversight.api.writes.ServiceRefusals`), pages show the message."""

from __future__ import annotations

from django.core.exceptions import ValidationError


class StateConflict(ValidationError):
    """The record is in a state that refuses this change (its `code` names which: "locked",
    "answered"). A ValidationError, so code that shows validation errors shows it too."""
