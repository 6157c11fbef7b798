from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PeopleConfig(AppConfig):
    name = "casework.people"
    verbose_name = _("People")

    def ready(self) -> None:
        from casework.core.subjects import Section, register
        from casework.people import services

        register(Section("person", _("Person"), services.person_section, order=10))
        register(
            Section(
                "identity",
                _("Identity"),
                services.identity_section,
                services.erase_identity,
                order=20,
            )
        )
        register(Section("consents", _("Consents"), services.consent_section, order=30))
