from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ImmigrationConfig(AppConfig):
    name = "casework.immigration"
    verbose_name = _("Immigration procedure")
