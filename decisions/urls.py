"""Decisions pages: recording and reading MDRs, tasks, the case decision trail, escalations."""

from django.urls import path

from decisions.views import drift, escalations, frameworks, records, tasks, trail

urlpatterns = [
    path("cases/<int:pk>/decisions/new/", records.decision_create, name="decision-create"),
    path("cases/<int:pk>/trail/", trail.case_trail, name="case-trail"),
    path("decisions/", records.decision_list, name="decision-list"),
    path("decisions/<int:pk>/", records.decision_detail, name="decision-detail"),
    path("decisions/<int:pk>/edit/", records.decision_edit, name="decision-edit"),
    path("decisions/<int:pk>/sign/", records.decision_sign, name="decision-sign"),
    path("decisions/<int:pk>/addenda/new/", records.decision_addendum, name="decision-addendum"),
    path("clocks/<int:pk>/met/", records.clock_meet, name="clock-meet"),
    path("decisions/tasks/mine/", tasks.my_tasks, name="my-tasks"),
    path("decisions/drift/", drift.drift_list, name="drift-list"),
    path("decisions/frameworks/", frameworks.framework_list, name="framework-list"),
    path(
        "decisions/frameworks/<int:pk>/activate/",
        frameworks.framework_activate,
        name="framework-activate",
    ),
    path(
        "decisions/<int:pk>/escalations/new/",
        escalations.escalation_create,
        name="escalation-create",
    ),
    path("escalations/", escalations.escalation_list, name="escalation-list"),
    path("escalations/<int:pk>/", escalations.escalation_detail, name="escalation-detail"),
    path(
        "escalations/<int:pk>/respond/",
        escalations.escalation_respond,
        name="escalation-respond",
    ),
    path(
        "escalations/<int:pk>/escalate/",
        escalations.escalation_escalate,
        name="escalation-escalate",
    ),
    path(
        "escalations/<int:pk>/resolve/",
        escalations.escalation_resolve,
        name="escalation-resolve",
    ),
]
