"""Supervision pages. The live session page and the forms it posts live in `views/session.py`
(its script autosaves through the API, `supervision/api/`); the pages around it (My team, My
supervision, informal discussions, cover, actions) in `views/team.py`."""

from django.urls import path

from supervision.views import requests, session, team

urlpatterns = [
    # around the session
    path("supervision/my-team/", team.my_team, name="supervision-my-team"),
    path("supervision/mine/", team.my_supervision, name="my-supervision"),
    path("staff/<int:pk>/supervision/", team.supervision_history, name="supervision-history"),
    path(
        "staff/<int:pk>/informal-discussions/new/",
        team.informal_discussion_create,
        name="informal-discussion-create",
    ),
    path(
        "informal-discussions/<int:pk>/",
        team.informal_discussion_detail,
        name="informal-discussion-detail",
    ),
    path("staff/<int:pk>/cover/new/", team.cover_create, name="cover-create"),
    path("covers/<int:pk>/confirm/", team.cover_confirm, name="cover-confirm"),
    path("actions/<int:pk>/status/", team.action_status, name="action-status"),
    # extra supervision on request
    path(
        "supervision/mine/extra/new/",
        requests.request_create,
        name="supervision-request-create",
    ),
    path(
        "supervision-requests/<int:pk>/accept/",
        requests.request_accept,
        name="supervision-request-accept",
    ),
    path(
        "supervision-requests/<int:pk>/decline/",
        requests.request_decline,
        name="supervision-request-decline",
    ),
    # the session itself
    path("staff/<int:pk>/supervision/start/", session.start, name="supervision-start"),
    path("supervision/<int:pk>/", session.detail, name="supervision-session"),
    path("supervision/<int:pk>/save/", session.section_save, name="supervision-save"),
    path(
        "supervision/<int:pk>/case-discussions/new/",
        session.case_discussion_add,
        name="case-discussion-add",
    ),
    path(
        "case-discussions/<int:pk>/save/",
        session.case_discussion_save,
        name="case-discussion-save",
    ),
    path("supervision/<int:pk>/actions/new/", session.action_add, name="supervision-action-add"),
    path("action-reviews/<int:pk>/", session.action_review, name="action-review"),
    path("supervision/<int:pk>/hold/", session.hold, name="supervision-hold"),
    path("supervision/<int:pk>/not-held/", session.not_held, name="supervision-not-held"),
    path("supervision/<int:pk>/sign/", session.sign, name="supervision-sign"),
    path("supervision/<int:pk>/addenda/new/", session.addendum_add, name="supervision-addendum"),
    path("supervision/<int:pk>/print/", session.print_view, name="supervision-print"),
]
