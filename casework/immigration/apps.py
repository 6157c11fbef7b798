from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ImmigrationConfig(AppConfig):
    name = "casework.immigration"
    verbose_name = _("Immigration procedure")

    def ready(self) -> None:
        from casework.immigration.subjects import register_sections

        register_sections()
        from casework.cases.sections import Section
        from casework.cases.sections import register as register_section
        from casework.core.home import Panel
        from casework.core.home import register as register_panel
        from casework.core.roles import Capability
        from casework.immigration.presentation import case_section, upcoming

        register_section(Section("immigration/case_section.html", case_section, order=60))
        register_panel(
            Panel("immigration/home_upcoming.html", upcoming, (Capability.CASES_WORK,), order=20)
        )
