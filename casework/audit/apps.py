from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "casework.audit"
    verbose_name = _("Audit log")

    def ready(self) -> None:
        from casework.audit.subjects import register_sections

        register_sections()
        from casework.audit import receivers  # noqa: F401  (connects the receivers)
