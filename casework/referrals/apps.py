from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReferralsConfig(AppConfig):
    name = "casework.referrals"
    verbose_name = _("Referrals")

    def ready(self) -> None:
        from casework.cases.sections import Section
        from casework.cases.sections import register as register_section
        from casework.core.home import Panel
        from casework.core.home import register as register_panel
        from casework.core.roles import Capability
        from casework.referrals.subjects import register_sections
        from casework.referrals.views import case_section, follow_ups

        register_sections()
        register_section(Section("referrals/case_section.html", case_section, order=65))
        register_panel(
            Panel("referrals/home_panel.html", follow_ups, (Capability.CASES_WORK,), order=25)
        )
