from django.apps import AppConfig


class OversightConfig(AppConfig):
    name = "oversight"
    verbose_name = "Organisation and access"

    def ready(self) -> None:
        from oversight import kinds  # noqa: F401  (registers the organisation's record kinds)
