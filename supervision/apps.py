from django.apps import AppConfig


class SupervisionConfig(AppConfig):
    name = "supervision"
    verbose_name = "Supervision"

    def ready(self) -> None:
        from supervision import extensions, reminders, rules  # noqa: F401  (registers access rules, record kinds, navigation, panels and reminders)
