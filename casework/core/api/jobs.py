"""A job's progress and result through the API (`/api/v1/jobs/{id}/`), for those who may
follow its kind (casework.core.jobs)."""

from __future__ import annotations

import uuid

from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, viewsets
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response

from casework.core import jobs
from casework.core.access import principal_of
from casework.core.models import Job


class JobSerializer(serializers.ModelSerializer):
    percent = serializers.IntegerField(read_only=True)

    class Meta:
        model = Job
        fields = [
            "id",
            "kind",
            "status",
            "step",
            "done",
            "total",
            "percent",
            "created_at",
            "started_at",
            "finished_at",
            "result",
            "error",
        ]


def visible_job(request: Request, pk: uuid.UUID | str) -> Job:
    """The job, if the caller may follow its kind (403 otherwise; 404: no such job)."""
    try:
        job = Job.objects.filter(pk=uuid.UUID(str(pk))).first()
    except ValueError:
        job = None
    kind = jobs.KINDS.get(job.kind) if job is not None else None
    if job is None or kind is None:
        raise Http404
    if not principal_of(request.user).can(kind.capability):
        raise PermissionDenied
    return job


class JobViewSet(viewsets.ViewSet):
    """How far a job has got and how it ended: poll it until `status` is done or failed."""

    lookup_value_regex = "[0-9a-f-]{36}"

    @extend_schema(responses=JobSerializer)
    def retrieve(self, request: Request, pk: str) -> Response:
        return Response(JobSerializer(visible_job(request, pk)).data)
