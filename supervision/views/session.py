"""The live supervision session page (DESIGN §4.3) and the forms it posts.

The page works without JavaScript: each section is an ordinary form that posts here and comes
back to the page (or shows the page again with what was typed and a GOV.UK error summary).
With JavaScript, `static/js/session.js` saves each field while the manager types through the
API's one-field PATCH (`/api/v1/supervisions/{id}/` and `/api/v1/case-discussions/{id}/`, in
`supervision/api/views.py`), authenticated by the page's session and CSRF token: the page has
no save protocol of its own.

A GET to an endpoint that only takes posts answers 404 when the record is out of sight, and
405 otherwise: the record's existence never leaks through the method check.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.forms import Form
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone

from oversight import access
from oversight.models import Case, CaseType, StaffMember
from oversight.reads import logs_reads
from oversight.text import max_text_chars
from supervision import rules, selectors, services
from supervision.forms.session import (
    ActionAddForm,
    ActionReviewForm,
    AddendumForm,
    CaseDiscussionAddForm,
    HoldForm,
    NotHeldForm,
    SignForm,
)
from supervision.models import (
    RECORD_SECTIONS,
    SUPERVISEE_SECTIONS,
    Action,
    ActionReview,
    CaseDiscussion,
    SessionStatus,
    SupervisionSession,
)
from supervision.services import EditConflict, RecordLocked

EDITABLE_STATUSES = (SessionStatus.SCHEDULED, SessionStatus.IN_PROGRESS, SessionStatus.HELD)
OPEN_STATUSES = (SessionStatus.SCHEDULED, SessionStatus.IN_PROGRESS)
STATUS_TAG_COLOURS: dict[str, str] = {
    SessionStatus.SCHEDULED: "grey",
    SessionStatus.IN_PROGRESS: "light-blue",
    SessionStatus.HELD: "yellow",
    SessionStatus.SIGNED: "green",
    SessionStatus.NOT_HELD: "orange",
    SessionStatus.CANCELLED: "grey",
}
VERSION_MISSING = "Send the version of the text you started from."
CONFIDENTIAL_PLACEHOLDER = "Confidential — not shown to you"
WELLBEING_CHOICES = [
    ("1", "1 – struggling"),
    ("2", "2 – finding it hard"),
    ("3", "3 – getting by"),
    ("4", "4 – doing well"),
    ("5", "5 – thriving"),
]
ANALYSIS_TOOLS = ["Discrepancy matrix", "Resilience matrix", "Analysis grid", "Genogram"]
# Where each autosaved field sits on the page, for redirects back to the right section.
SECTION_ANCHORS = {
    "agenda": "agenda",
    "preparation": "preparation",
    "wellbeing_score": "support",
    "support_notes": "support",
    "support_confidential": "support",
    "capacity_notes": "workload",
    "cpd_learning": "cpd",
    "training_requests": "cpd",
    "reflection": "reflection",
}
# Where each of the other forms sits on the page, for the error summary's links.
FORM_ANCHORS = {
    "case_discussion": "case-discussions",
    "action": "new-actions",
    "hold": "hold",
    "not_held": "not-held",
    "sign": "sign",
    "addendum": "addenda",
}
FIELD_HINTS = {
    "agenda": "What you want to cover. The supervisee can see this.",
    "preparation": "Written by the supervisee before or during the session: cases to "
    "discuss, things to raise, wellbeing.",
    "support_notes": "How the worker is — the temperature take.",
    "capacity_notes": "Is the caseload manageable? Duty, complexity, extra supervision needed?",
    "cpd_learning": "Learning discussed since the last session.",
    "training_requests": "Courses or development the worker asks for.",
    "reflection": "What the worker and you reflected on.",
}
CASE_DISCUSSION_LABELS = {
    "discussion": "Discussion",
    "worries": "What are we worried about?",
    "working_well": "What's working well?",
    "needs_to_happen": "What needs to happen?",
    "scaling": "Scaling (0 to 10)",
    "analysis_tool": "Analysis tool used",
    "decisions": "Decisions",
}
CASE_DISCUSSION_HINTS = {
    "scaling": "0 means the child will be harmed; 10 means everyone agrees the child is safe "
    "enough to close the case.",
    "analysis_tool": "For example a discrepancy matrix, resilience matrix or analysis grid.",
}


# --- small helpers ---------------------------------------------------------------------------


def _not_post(request: HttpRequest) -> HttpResponse | None:
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    return None


def _posted_version(raw: str | None) -> int | None:
    """The version a form post started from, or None when it sent no usable number."""
    try:
        version = int(raw or "")
    except ValueError:
        return None
    return version if version >= 0 else None


def _messages(error: ValidationError, default_key: str) -> dict[str, list[str]]:
    if hasattr(error, "error_dict"):
        return {
            (default_key if key == "__all__" else key): list(values)
            for key, values in error.message_dict.items()
        }
    return {default_key: list(error.messages)}


def _first_message(error: ValidationError) -> str:
    return error.messages[0] if error.messages else "This could not be saved."


def _session_queryset() -> Any:
    return SupervisionSession.objects.select_related("supervisee__team", "supervisor", "acting_for")


def _session_for(request: HttpRequest, pk: int) -> SupervisionSession:
    return access.get_for_user(request.user, _session_queryset(), pk)


def _session_url(session: SupervisionSession, anchor: str = "") -> str:
    url = reverse("supervision-session", args=[session.pk])
    return f"{url}#{anchor}" if anchor else url


# --- what the page shows ---------------------------------------------------------------------


@dataclass
class FieldView:
    """One autosaved field as the page shows it."""

    name: str
    label: str
    value: Any
    version: int
    editable: bool
    dom_id: str
    channel: str
    hint: str = ""
    hidden: bool = False
    errors: list[str] = field(default_factory=list)
    conflict: EditConflict | None = None


@dataclass
class DiscussionView:
    discussion: CaseDiscussion
    version: int
    fields: dict[str, FieldView]
    errors: list[str] = field(default_factory=list)


@dataclass
class PageState:
    """What a failed form post brings back to the page: the text as typed, and why not saved."""

    typed: dict[str, Any] = field(default_factory=dict)
    versions: dict[str, int] = field(default_factory=dict)
    field_errors: dict[str, list[str]] = field(default_factory=dict)
    conflicts: dict[str, EditConflict] = field(default_factory=dict)
    discussion_pk: int | None = None
    discussion_typed: dict[str, Any] = field(default_factory=dict)
    discussion_version: int | None = None
    discussion_errors: dict[str, list[str]] = field(default_factory=dict)
    discussion_conflicts: dict[str, EditConflict] = field(default_factory=dict)
    forms: dict[str, Form] = field(default_factory=dict)
    review_forms: dict[int, Form] = field(default_factory=dict)
    errors: list[tuple[str, str]] = field(default_factory=list)  # (anchor, message)


@dataclass(frozen=True)
class Permissions:
    is_recorder: bool
    is_supervisee: bool
    record_editable: bool
    preparation_editable: bool
    can_hold: bool
    can_sign_as_supervisor: bool
    can_sign_as_supervisee: bool
    can_add_addendum: bool


def _permissions(request: HttpRequest, session: SupervisionSession) -> Permissions:
    """What the page offers this user; the services decide again when they post."""
    user = request.user
    recorder = rules.is_recorder(user, session)
    supervisee = rules.is_supervisee(user, session)
    open_for_edit = session.status in EDITABLE_STATUSES and not session.is_locked
    me = access.staff_for(user)
    may_add = (
        session.is_locked
        and me is not None
        and (
            me.pk in (session.supervisor_id, session.supervisee_id)
            or access.manages(user, session.supervisee)
        )
    )
    return Permissions(
        is_recorder=recorder,
        is_supervisee=supervisee,
        record_editable=recorder and open_for_edit and session.supervisor_signed_at is None,
        preparation_editable=(recorder or supervisee) and open_for_edit,
        can_hold=recorder and session.status in OPEN_STATUSES,
        can_sign_as_supervisor=recorder
        and session.status == SessionStatus.HELD
        and session.supervisor_signed_at is None,
        can_sign_as_supervisee=supervisee
        and session.status == SessionStatus.HELD
        and session.supervisor_signed_at is not None
        and session.supervisee_signed_at is None,
        can_add_addendum=may_add,
    )


def _session_fields(
    session: SupervisionSession, hidden: frozenset[str], perms: Permissions, state: PageState
) -> dict[str, FieldView]:
    labels = {
        **RECORD_SECTIONS,
        "support_notes": "Wellbeing notes",
        "capacity_notes": "Capacity notes",
        "cpd_learning": "Learning discussed",
        "training_requests": "Training requests",
        "wellbeing_score": "Wellbeing today",
        "support_confidential": "These notes are confidential",
    }
    views: dict[str, FieldView] = {}
    for name in services.SESSION_FIELDS:
        editable = (
            perms.preparation_editable if name in SUPERVISEE_SECTIONS else perms.record_editable
        )
        views[name] = FieldView(
            name=name,
            label=labels.get(name, name),
            value=state.typed.get(name, getattr(session, name)),
            version=state.versions.get(name, session.section_version(name)),
            editable=editable,
            dom_id=f"field-{name.replace('_', '-')}",
            channel=name,
            hint=FIELD_HINTS.get(name, ""),
            hidden=name in hidden,
            errors=state.field_errors.get(name, []),
            conflict=state.conflicts.get(name),
        )
    return views


def _discussion_views(
    discussions: list[CaseDiscussion], perms: Permissions, state: PageState
) -> list[DiscussionView]:
    views = []
    for discussion in discussions:
        mine = state.discussion_pk == discussion.pk
        typed = state.discussion_typed if mine else {}
        version = (
            state.discussion_version
            if mine and state.discussion_version is not None
            else discussion.version
        )
        fields = {
            name: FieldView(
                name=name,
                label=label,
                value=typed.get(name, getattr(discussion, name)),
                version=version,
                editable=perms.record_editable,
                dom_id=f"cd-{discussion.pk}-{name.replace('_', '-')}",
                channel=f"cd-{discussion.pk}",
                hint=CASE_DISCUSSION_HINTS.get(name, ""),
                errors=state.discussion_errors.get(name, []) if mine else [],
                conflict=state.discussion_conflicts.get(name) if mine else None,
            )
            for name, label in CASE_DISCUSSION_LABELS.items()
        }
        views.append(DiscussionView(discussion=discussion, version=version, fields=fields))
    return views


def _caseload(request: HttpRequest, session: SupervisionSession) -> Any:
    return access.visible_to(
        request.user,
        Case.objects.filter(allocated_worker=session.supervisee_id, closed_on__isnull=True),
    ).order_by("reference")


def _action_owners(session: SupervisionSession) -> Any:
    ids = {session.supervisee_id, session.supervisor_id}
    if session.supervisee.supervisor_id:
        ids.add(session.supervisee.supervisor_id)
    return StaffMember.objects.filter(pk__in=ids).order_by("last_name", "first_name")


def _snapshot_rows(snapshot: dict[str, Any]) -> list[tuple[str, Any]]:
    labels = dict(CaseType.choices)
    return [(labels.get(key, key), count) for key, count in snapshot.get("by_type", {}).items()]


def _record_context(request: HttpRequest, session: SupervisionSession) -> dict[str, Any]:
    """Everything a reader of the record sees (the page and the print view)."""
    user = request.user
    hidden = rules.hidden_session_fields(user, session)
    discussions = list(
        access.visible_to(
            user,
            session.case_discussions.select_related("case").prefetch_related(
                Prefetch("actions", queryset=Action.objects.select_related("owner"))
            ),
        )
    )
    informal = list(
        access.visible_to(
            user,
            session.informal_discussions.select_related("case", "recorded_by").prefetch_related(
                Prefetch("actions", queryset=Action.objects.select_related("owner"))
            ),
        ).order_by("happened_at")
    )
    reviews = list(
        access.visible_to(
            user,
            session.action_reviews.select_related(
                "action__owner", "action__session", "action__informal_discussion"
            ),
        )
    )
    new_actions = list(
        access.visible_to(
            user, session.actions.select_related("owner", "case_discussion__case")
        ).order_by("pk")
    )
    addenda = list(
        access.visible_to(user, session.addenda.select_related("author")).order_by("created_at")
    )
    snapshot = session.caseload_snapshot or {}
    return {
        "session": session,
        "supervision_requests": selectors.supervision_requests_for_session(user, session),
        "hidden": hidden,
        "support_notes_hidden": "support_notes" in hidden,
        "confidential_placeholder": CONFIDENTIAL_PLACEHOLDER,
        "status_colour": STATUS_TAG_COLOURS.get(session.status, "grey"),
        "discussions": discussions,
        "informal_discussions": informal,
        "reviews": reviews,
        "new_actions": new_actions,
        "addenda": addenda,
        "snapshot": snapshot,
        "snapshot_rows": _snapshot_rows(snapshot),
        "wellbeing_label": dict(WELLBEING_CHOICES).get(str(session.wellbeing_score or ""), ""),
        "today": timezone.localdate(),
    }


def _render_page(
    request: HttpRequest,
    session: SupervisionSession,
    state: PageState | None = None,
    status: int = 200,
) -> HttpResponse:
    state = state or PageState()
    perms = _permissions(request, session)
    context = _record_context(request, session)
    fields = _session_fields(session, context["hidden"], perms, state)
    caseload = _caseload(request, session)
    started = timezone.localtime(session.started_at) if session.started_at else None
    forms = {
        "case_discussion": CaseDiscussionAddForm(cases=caseload),
        "action": ActionAddForm(
            owners=_action_owners(session),
            discussions=context["discussions"],
            initial={"owner": session.supervisee_id},
        ),
        "hold": HoldForm(
            initial={
                "held_on": (started or timezone.localtime()).date(),
                "start_time": (started or timezone.localtime()).strftime("%H:%M"),
                "end_time": timezone.localtime().strftime("%H:%M"),
            }
        ),
        "not_held": NotHeldForm(),
        "sign": SignForm(),
        "addendum": AddendumForm(),
        **state.forms,
    }
    review_rows = [
        (
            review,
            state.review_forms.get(review.pk)
            or ActionReviewForm(
                prefix=f"review-{review.pk}",
                initial={"outcome": review.outcome or None, "note": review.note},
            ),
        )
        for review in context["reviews"]
    ]
    context.update(
        {
            "perms": perms,
            "fields": fields,
            "discussion_views": _discussion_views(context["discussions"], perms, state),
            "forms": forms,
            "review_rows": review_rows,
            "reload_url": _session_url(session),
            "wellbeing_choices": WELLBEING_CHOICES,
            "analysis_tools": ANALYSIS_TOOLS,
            "page_errors": state.errors,
            "max_text_chars": max_text_chars(),
            "caseload_empty": not caseload.exists(),
            "can_read_access_log": access.can_read_access_log(request.user, session.supervisee),
        }
    )
    return TemplateResponse(request, "supervision/session.html", context, status=status)


def _form_errors(form: Form, prefix: str = "") -> list[tuple[str, str]]:
    errors: list[tuple[str, str]] = []
    for name, messages_ in form.errors.items():
        anchor = form[name].id_for_label if name in form.fields else prefix or "main-content"
        errors.extend((anchor, str(message)) for message in messages_)
    return errors


def _add_service_errors(form: Form, error: ValidationError, rename: dict[str, str]) -> None:
    for key, values in _messages(error, "__all__").items():
        name = rename.get(key, key)
        form.add_error(name if name in form.fields else None, values)


def _submitted(
    form: Form, call: Callable[[], Any], rename: dict[str, str] | None = None
) -> tuple[Any, int]:
    """Validate a posted form and run its service: (the result, 200), or (None, the status)
    with why not shown on the form — 400 bad input, 403 not allowed, 409 locked."""
    if not form.is_valid():
        return None, 400
    try:
        return call(), 200
    except PermissionDenied as denied:
        form.add_error(None, str(denied))
        return None, 403
    except ValidationError as error:
        _add_service_errors(form, error, rename or {})
        return None, 409 if isinstance(error, RecordLocked) else 400


# --- the page --------------------------------------------------------------------------------


@access.detail_of(StaffMember, needs_permission=True)
@login_required
def start(request: HttpRequest, pk: int) -> HttpResponse:
    """Start supervision now for this worker (or carry on with the one in progress)."""
    supervisee = access.get_for_user(request.user, StaffMember, pk)
    if refused := _not_post(request):
        return refused
    chosen = None
    if request.POST.get("session"):
        chosen = access.get_for_user(
            request.user,
            SupervisionSession.objects.filter(supervisee=supervisee),
            request.POST["session"],
        )
    try:
        session = services.session_start(supervisee=supervisee, actor=request.user, session=chosen)
    except PermissionDenied as denied:
        return _refused(request, supervisee, str(denied), status=403)
    except ValidationError as error:
        return _refused(request, supervisee, _first_message(error), status=400)
    return redirect("supervision-session", pk=session.pk)


def _refused(
    request: HttpRequest, supervisee: StaffMember, message: str, *, status: int
) -> HttpResponse:
    return render(
        request,
        "supervision/session/refused.html",
        {"supervisee": supervisee, "message": message},
        status=status,
    )


@access.detail_of(SupervisionSession)
@login_required
@logs_reads("session", "supervision_requests")
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    session = _session_for(request, pk)
    return _render_page(request, session)


@access.detail_of(SupervisionSession)
@login_required
@logs_reads("session", description="Print view")
def print_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The record laid out for A4 paper and the worker's file."""
    session = _session_for(request, pk)
    context = _record_context(request, session)
    context["section_labels"] = RECORD_SECTIONS
    return TemplateResponse(request, "supervision/print.html", context)


# --- sections posted as forms (the page without JavaScript) --------------------------------------


@access.detail_of(SupervisionSession, needs_permission=True)
@login_required
def section_save(request: HttpRequest, pk: int) -> HttpResponse:
    session = _session_for(request, pk)
    if refused := _not_post(request):
        return refused
    return _save_section_form(request, session)


def _typed_value(request: HttpRequest, name: str) -> Any:
    if name == "support_confidential":
        return name in request.POST
    return request.POST.get(name, "")


def _unchanged(current: Any, typed: Any) -> bool:
    if isinstance(current, bool) or isinstance(typed, bool):
        return bool(current) == bool(typed)
    return ("" if current is None else str(current)) == ("" if typed is None else str(typed))


def _save_section_form(request: HttpRequest, session: SupervisionSession) -> HttpResponse:
    """A section posted without JavaScript: save each field that changed; on any refusal show
    the page again with everything as typed."""
    names = [name for name in services.SESSION_FIELDS if f"version_{name}" in request.POST]
    order = list(SECTION_ANCHORS)
    names.sort(key=lambda name: order.index(name) if name in order else len(order))
    state = PageState()
    status = 200
    for name in names:
        typed = _typed_value(request, name)
        state.typed[name] = typed
        version = _posted_version(request.POST.get(f"version_{name}"))
        if version is None:
            state.field_errors[name] = [VERSION_MISSING]
            continue
        if _unchanged(getattr(session, name), typed) and version == session.section_version(name):
            continue
        try:
            session = services.session_save_field(
                session=session, field=name, value=typed, base_version=version, actor=request.user
            )
        except EditConflict as conflict:
            state.conflicts[name] = conflict
            # Saving again now keeps what was typed: the page carries their version number.
            state.versions[name] = conflict.current_version
            status = 409
        except ValidationError as error:  # including RecordLocked
            state.field_errors[name] = _messages(error, name).get(name) or [_first_message(error)]
            status = 409 if isinstance(error, RecordLocked) else max(status, 400)
        except PermissionDenied as denied:
            state.field_errors[name] = [str(denied)]
            status = 403
    if not names:
        messages.info(request, "There was nothing to save.")
        return redirect(_session_url(session))
    if state.field_errors or state.conflicts:
        for name in names:
            for message in state.field_errors.get(name, []):
                state.errors.append((f"field-{name.replace('_', '-')}", message))
            if name in state.conflicts:
                state.errors.append(
                    (
                        f"field-{name.replace('_', '-')}",
                        f"{state.conflicts[name].changed_by} saved a different version of "
                        f"“{RECORD_SECTIONS.get(name, name)}” while you were editing. "
                        "Choose which version to keep.",
                    )
                )
        return _render_page(request, _session_for(request, session.pk), state, status=status)
    messages.success(request, "Saved.")
    return redirect(_session_url(session, SECTION_ANCHORS.get(names[0], "")))


@access.detail_of(CaseDiscussion, needs_permission=True)
@login_required
def case_discussion_save(request: HttpRequest, pk: int) -> HttpResponse:
    discussion = access.get_for_user(
        request.user, CaseDiscussion.objects.select_related("session", "case"), pk
    )
    if refused := _not_post(request):
        return refused
    return _case_discussion_save_form(request, discussion)


def _case_discussion_save_form(request: HttpRequest, discussion: CaseDiscussion) -> HttpResponse:
    anchor = f"case-discussion-{discussion.pk}"
    state = PageState(discussion_pk=discussion.pk)
    status = 200
    posted = _posted_version(request.POST.get("version"))
    if posted is None:
        state.discussion_errors["discussion"] = [VERSION_MISSING]
    version = discussion.version if posted is None else posted
    names = [name for name in CASE_DISCUSSION_LABELS if name in request.POST]
    for name in names:
        typed = request.POST.get(name, "")
        state.discussion_typed[name] = typed
        if _unchanged(getattr(discussion, name), typed):
            continue
        try:
            discussion = services.case_discussion_save_field(
                discussion=discussion,
                field=name,
                value=typed,
                base_version=version,
                actor=request.user,
            )
            version = discussion.version
        except EditConflict as conflict:
            state.discussion_conflicts[name] = conflict
            status = 409
        except ValidationError as error:
            state.discussion_errors[name] = _messages(error, name).get(name) or [
                _first_message(error)
            ]
            status = 409 if isinstance(error, RecordLocked) else max(status, 400)
        except PermissionDenied as denied:
            state.discussion_errors[name] = [str(denied)]
            status = 403
    if state.discussion_errors or state.discussion_conflicts:
        current = CaseDiscussion.objects.get(pk=discussion.pk).version
        state.discussion_version = current if state.discussion_conflicts else version
        for name in CASE_DISCUSSION_LABELS:
            dom_id = f"cd-{discussion.pk}-{name.replace('_', '-')}"
            for message in state.discussion_errors.get(name, []):
                state.errors.append((dom_id, message))
            if name in state.discussion_conflicts:
                state.errors.append(
                    (
                        dom_id,
                        f"{state.discussion_conflicts[name].changed_by} saved a different "
                        f"version of “{CASE_DISCUSSION_LABELS[name]}” while you were editing. "
                        "Choose which version to keep.",
                    )
                )
        session = _session_for(request, discussion.session_id)
        return _render_page(request, session, state, status=status)
    messages.success(request, f"Saved the discussion of {discussion.case.reference}.")
    return redirect(_session_url(discussion.session, anchor))


# --- the other forms -------------------------------------------------------------------------


def _posted_form(
    request: HttpRequest,
    session: SupervisionSession,
    form: Form,
    call: Callable[[], Any],
    *,
    on_page: str,
    then: Callable[[Any], HttpResponse],
    rename: dict[str, str] | None = None,
) -> HttpResponse:
    """One of the page's forms, posted: run its service and go `then` — or show the page again
    with what was typed in `forms[on_page]` and why it was not done."""
    result, status = _submitted(form, call, rename)
    if status == 200:
        return then(result)
    state = PageState(forms={on_page: form}, errors=_form_errors(form, FORM_ANCHORS[on_page]))
    return _render_page(request, session, state, status=status)


def _back_to_page(
    request: HttpRequest, session: SupervisionSession, anchor: str = "", message: str = ""
) -> HttpResponse:
    if message:
        messages.success(request, message)
    return redirect(_session_url(session, anchor))


@access.detail_of(SupervisionSession, needs_permission=True)
@login_required
def case_discussion_add(request: HttpRequest, pk: int) -> HttpResponse:
    session = _session_for(request, pk)
    if refused := _not_post(request):
        return refused
    form = CaseDiscussionAddForm(request.POST, cases=_caseload(request, session))
    return _posted_form(
        request,
        session,
        form,
        lambda: services.case_discussion_add(
            session=session, case=form.cleaned_data["case"], actor=request.user
        ),
        on_page="case_discussion",
        then=lambda discussion: _back_to_page(request, session, f"case-discussion-{discussion.pk}"),
    )


@access.detail_of(SupervisionSession, needs_permission=True)
@login_required
def action_add(request: HttpRequest, pk: int) -> HttpResponse:
    session = _session_for(request, pk)
    if refused := _not_post(request):
        return refused
    discussions = access.visible_to(request.user, session.case_discussions.select_related("case"))
    form = ActionAddForm(request.POST, owners=_action_owners(session), discussions=discussions)
    return _posted_form(
        request,
        session,
        form,
        lambda: services.action_create(
            supervisee=session.supervisee,
            description=form.cleaned_data["description"],
            owner=form.cleaned_data["owner"],
            due_date=form.cleaned_data["due_date"],
            session=session,
            case_discussion=form.linked_discussion(),
            actor=request.user,
        ),
        on_page="action",
        then=lambda _: _back_to_page(request, session, "new-actions", "Action added."),
    )


@access.detail_of(ActionReview, needs_permission=True)
@login_required
def action_review(request: HttpRequest, pk: int) -> HttpResponse:
    """Not `_posted_form`: the page has a form for each action carried forward."""
    review = access.get_for_user(
        request.user, ActionReview.objects.select_related("action", "session"), pk
    )
    if refused := _not_post(request):
        return refused
    form = ActionReviewForm(request.POST, prefix=f"review-{review.pk}")
    _, status = _submitted(
        form,
        lambda: services.action_review(
            review=review,
            outcome=form.cleaned_data["outcome"],
            note=form.cleaned_data["note"],
            new_due_date=form.cleaned_data["new_due_date"],
            actor=request.user,
        ),
    )
    if status == 200:
        return _back_to_page(request, review.session, f"review-{review.pk}", "Action reviewed.")
    session = _session_for(request, review.session_id)
    state = PageState(
        review_forms={review.pk: form}, errors=_form_errors(form, f"review-{review.pk}")
    )
    return _render_page(request, session, state, status=status)


@access.detail_of(SupervisionSession, needs_permission=True)
@login_required
def hold(request: HttpRequest, pk: int) -> HttpResponse:
    session = _session_for(request, pk)
    if refused := _not_post(request):
        return refused
    form = HoldForm(request.POST)
    return _posted_form(
        request,
        session,
        form,
        lambda: services.session_hold(
            session=session,
            started_at=form.started_at(),
            ended_at=form.ended_at(),
            actor=request.user,
        ),
        on_page="hold",
        rename={"ended_at": "end_time", "started_at": "start_time"},
        then=lambda held: _back_to_page(request, session, "sign", _held_message(held)),
    )


def _held_message(held: SupervisionSession) -> str:
    if not held.is_short:
        return "Session marked as held."
    return (
        f"Session marked as held. It lasted {held.duration_minutes or 0} minutes, shorter than "
        "the policy's minimum: it counts, and is reported as a short session."
    )


@access.detail_of(SupervisionSession, needs_permission=True)
@login_required
def not_held(request: HttpRequest, pk: int) -> HttpResponse:
    session = _session_for(request, pk)
    if refused := _not_post(request):
        return refused
    form = NotHeldForm(request.POST)
    return _posted_form(
        request,
        session,
        form,
        lambda: services.session_not_held(
            session=session,
            reason=form.cleaned_data["not_held_reason"],
            detail=form.cleaned_data["not_held_detail"],
            actor=request.user,
        ),
        on_page="not_held",
        then=lambda _: _back_to_page(
            request, session, message="Recorded that the session was not held."
        ),
    )


@access.detail_of(SupervisionSession, needs_permission=True)
@login_required
def sign(request: HttpRequest, pk: int) -> HttpResponse:
    session = _session_for(request, pk)
    if refused := _not_post(request):
        return refused
    form = SignForm(request.POST)
    return _posted_form(
        request,
        session,
        form,
        lambda: services.session_sign(
            session=session,
            comment=form.cleaned_data["supervisee_comment"],
            disagrees=form.cleaned_data["supervisee_disagrees"],
            actor=request.user,
        ),
        on_page="sign",
        then=lambda signed: _back_to_page(request, session, message=_signed_message(signed)),
    )


def _signed_message(signed: SupervisionSession) -> str:
    if signed.is_locked:
        return "Signed. Both of you have signed: the record is locked."
    return f"Signed. {signed.supervisee.full_name} can now read and sign it."


@access.detail_of(SupervisionSession, needs_permission=True)
@login_required
def addendum_add(request: HttpRequest, pk: int) -> HttpResponse:
    session = _session_for(request, pk)
    if refused := _not_post(request):
        return refused
    form = AddendumForm(request.POST)
    return _posted_form(
        request,
        session,
        form,
        lambda: services.addendum_add(
            session=session, text=form.cleaned_data["text"], actor=request.user
        ),
        on_page="addendum",
        then=lambda _: _back_to_page(request, session, "addenda", "Addendum added to the record."),
    )
