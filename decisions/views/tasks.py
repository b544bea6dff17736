"""My tasks: the MDR tasks a person owns, open ones first, each linking to its decision.

A task is a supervision action, so "mark done" posts to supervision's `action-status` page,
which applies supervision's rule for who may change an action.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone

from decisions import selectors
from oversight.reads import logs_reads
from supervision.models import ActionStatus


@login_required
@logs_reads("tasks")
def my_tasks(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    tasks = list(selectors.my_tasks(request.user))
    # Open first (soonest due first, as the selector orders them), then done and cancelled.
    tasks.sort(key=lambda task: task.action.status != ActionStatus.OPEN)
    rows = [
        {
            "task": task,
            "action": task.action,
            "is_open": task.action.status == ActionStatus.OPEN,
            "overdue": task.action.status == ActionStatus.OPEN
            and task.action.due_date is not None
            and task.action.due_date < today,
        }
        for task in tasks
    ]
    return TemplateResponse(
        request,
        "decisions/my_tasks.html",
        {
            "tasks": tasks,
            "open_rows": [row for row in rows if row["is_open"]],
            "closed_rows": [row for row in rows if not row["is_open"]],
            "today": today,
            "here": reverse("my-tasks"),
        },
    )
