from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "casework.core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from casework.core import jobs, releases
        from casework.core.api.fields import text_only
        from casework.core.roles import Capability

        text_only()
        jobs.register(
            "release.build", releases.build_job, Capability.RELEASES_BUILD, _("Building a release")
        )
