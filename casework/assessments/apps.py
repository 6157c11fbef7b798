from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssessmentsConfig(AppConfig):
    name = "casework.assessments"
    verbose_name = _("Forms and assessments")

    def ready(self) -> None:
        from casework.assessments.subjects import register_sections

        register_sections()
        from casework.assessments.presentation import case_section
        from casework.cases.sections import Section, register

        register(Section("assessments/case_section.html", case_section, order=55))
