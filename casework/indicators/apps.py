from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IndicatorsConfig(AppConfig):
    name = "casework.indicators"
    verbose_name = _("Indicators")

    def ready(self) -> None:
        from casework.core.releases import register
        from casework.indicators.releases import IndicatorFigures

        register(IndicatorFigures())
