from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NetworkConfig(AppConfig):
    name = "casework.network"
    verbose_name = _("Network building")

    def ready(self) -> None:
        from casework.core.releases import register
        from casework.network.indicators import NetworkBuildingFigures

        register(NetworkBuildingFigures())
