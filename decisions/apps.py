from django.apps import AppConfig


class DecisionsConfig(AppConfig):
    name = "decisions"
    verbose_name = "Decisions"

    def ready(self) -> None:
        from decisions import extensions, rules  # noqa: F401  (registers access rules, record kinds, navigation and panels)
