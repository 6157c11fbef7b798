"""Reading cases: the case list's filters, shared by the list page, bulk reassignment and
the API (the access layer has already scoped the queryset they are given)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models import Q

from casework.people.services import people_matching

if TYPE_CHECKING:
    from casework.cases.models import CaseQuerySet


def filter_cases(
    cases: CaseQuerySet, data: dict[str, Any], user: Any, digests: list | None = None
) -> CaseQuerySet:
    """The case list's filters, shared by the list page, bulk reassignment and the API."""
    q = data.get("q", "").strip().upper()
    if q:
        cases = cases.filter(Q(code__startswith=q) | Q(person__code__startswith=q))
    if data.get("person"):
        cases = cases.filter(person__code=data["person"].upper())
    if digests:
        cases = cases.filter(person__in=people_matching(user, [tuple(d) for d in digests]))
    stage = data.get("stage")
    if stage and stage != "all":
        cases = cases.filter(stage=stage)
    elif not stage and not (q or digests or data.get("person")):
        cases = cases.open()  # closed cases only when asked for, or when looking for someone
    for field in ("project", "case_manager"):
        if data.get(field):
            cases = cases.filter(**{field: data[field]})
    if data.get("engagement"):
        cases = cases.filter(
            engagement_periods__ended_on__isnull=True, engagement_periods__status=data["engagement"]
        )
    if data.get("vulnerability"):
        cases = cases.filter(vulnerabilities__flag=data["vulnerability"])
    sort = data.get("sort") or "-referral_date"
    return cases.order_by(sort, "code")
