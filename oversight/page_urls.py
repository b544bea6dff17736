from django.urls import path

from oversight import views

urlpatterns = [
    path("", views.home, name="home"),
    path("me/", views.my_profile, name="my-profile"),
    path("me/notifications/", views.my_notification_settings, name="my-notification-settings"),
    path("my-team/", views.my_team, name="my-team"),
    path("teams/", views.team_list, name="team-list"),
    path("teams/<int:pk>/", views.team_detail, name="team-detail"),
    path("staff/", views.staff_list, name="staff-list"),
    path("staff/<int:pk>/", views.staff_detail, name="staff-detail"),
    path("staff/<int:pk>/role/", views.staff_role_change, name="staff-role-change"),
    path("staff/<int:pk>/absences/new/", views.absence_create, name="absence-create"),
    path("absences/<int:pk>/end/", views.absence_end, name="absence-end"),
    path("cases/", views.case_list, name="case-list"),
    path("cases/<int:pk>/", views.case_detail, name="case-detail"),
    path("history/<slug:kind>/<int:pk>/", views.record_history, name="record-history"),
    path("notifications/", views.notification_list, name="notifications"),
    path("notifications/<int:pk>/", views.notification_open, name="notification-open"),
    path("access-log/<slug:kind>/<int:pk>/", views.record_access_log, name="record-access-log"),
]
