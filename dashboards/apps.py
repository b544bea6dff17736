from django.apps import AppConfig


class DashboardsConfig(AppConfig):
    name = "dashboards"
    verbose_name = "Dashboards"

    def ready(self) -> None:
        from dashboards import rules  # noqa: F401  (registers access rules)
