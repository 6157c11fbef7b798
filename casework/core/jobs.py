"""Jobs: slow or scheduled work (building a release; later imports, exports, reports) run by
the worker, `casework worker`, instead of in a request.

An app registers what a kind of job does (`register`); `start` records a `Job` and puts it
on Django's task queue (the django-tasks backport with its database backend); the worker
runs it, and the job reports its progress on the way (`Progress`), which the job's page
shows. A job's row says what was asked, by whom, how far it got and how it ended; its
creation and its end are audited like any other change. Errors are kept as a short
message without personal data: the messages of the work's own exceptions.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone
from django_stubs_ext import StrOrPromise
from django_tasks import task

from casework.core.models import Job

logger = logging.getLogger(__name__)

# What a kind of job does: work(job, progress) → its result.
Work = Callable[[Job, "Progress"], dict[str, Any]]


@dataclass(frozen=True)
class Kind:
    work: Work
    capability: str  # who may start it and follow it (casework.core.roles.Capability)
    label: StrOrPromise


KINDS: dict[str, Kind] = {}


class JobError(Exception):
    """An expected end of a job's work, with a message for its page (no personal data)."""


def register(kind: str, work: Work, capability: str, label: StrOrPromise) -> None:
    """Called from an app's `ready()`: `work(job, progress)` does the job and returns its
    result (JSON; a "url" in it is linked from the job's page), or raises JobError with a
    message for the page. Those who hold `capability` may start and follow it."""
    KINDS[kind] = Kind(work, capability, label)


def start(kind: str, user: Any, parameters: dict[str, Any] | None = None) -> Job:
    """Queue a job of `kind`, or return the one of that kind already queued or running
    (two at once would only do the same work twice)."""
    if kind not in KINDS:
        raise ValueError(f"No job of kind {kind!r} is registered.")
    with transaction.atomic():
        running = (
            Job.objects.select_for_update()
            .filter(kind=kind, status__in=[Job.Status.QUEUED, Job.Status.RUNNING])
            .first()
        )
        if running is not None:
            return running
        job = Job.objects.create(
            kind=kind,
            requested_by=user if getattr(user, "is_authenticated", False) else None,
            parameters=parameters or {},
        )
        transaction.on_commit(lambda: run_job.enqueue(str(job.pk)))
    return job


class Progress:
    """How far a job has got: saved at most once a second, and at the end of each step."""

    def __init__(self, job: Job, interval: float = 1.0) -> None:
        self.job = job
        self.interval = interval
        self.saved = 0.0

    def __call__(self, step: str, done: int, total: int) -> None:
        job = self.job
        changed_step = step != job.step
        job.step, job.done, job.total = step[:200], done, total
        now = time.monotonic()
        if changed_step or done >= total or now - self.saved >= self.interval:
            Job.objects.filter(pk=job.pk).update(step=job.step, done=done, total=total)
            self.saved = now


@task()
def run_job(job_id: str) -> None:
    """The worker's side: run the job's work and record how it ended."""
    job = Job.objects.filter(pk=job_id, status=Job.Status.QUEUED).first()
    if job is None:  # already run, or removed
        return
    job.status, job.started_at = Job.Status.RUNNING, timezone.now()
    job.save()
    try:
        result = KINDS[job.kind].work(job, Progress(job))
    except JobError as error:
        _end(job, Job.Status.FAILED, error=str(error))
    except Exception as error:
        # The traceback goes to the worker's log; the page gets the kind of error only,
        # since a message might quote data.
        logger.exception("Job %s (%s) failed", job.pk, job.kind)
        _end(job, Job.Status.FAILED, error=f"Unexpected error ({type(error).__name__}).")
        raise
    else:
        _end(job, Job.Status.DONE, result=result)


def _end(job: Job, status: str, *, result: dict[str, Any] | None = None, error: str = "") -> None:
    job.refresh_from_db(fields=["step", "done", "total"])
    job.status, job.finished_at = status, timezone.now()
    job.result, job.error = result or {}, error[:500]
    if status == Job.Status.DONE:
        job.done = job.total = max(job.total, 1)
    job.save()
