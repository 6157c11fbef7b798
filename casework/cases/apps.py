from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "casework.cases"
    verbose_name = _("Cases")

    def ready(self) -> None:
        from casework.cases.subjects import register_sections

        register_sections()
        from casework.cases.panels import register_panels
        from casework.cases.sections import Section, register

        register_panels()
        register(Section("cases/partials/consent.html", consent_context, order=90))


def consent_context(case, user):
    return {"consents": case.person.consents.all()}
