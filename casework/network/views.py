"""The network pages: the stakeholder directory, activities, the expansion pipeline, the risk
register and glossary, and an organisation's own records (involvement of people with lived
experience, feedback on the network)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from decimal import Decimal
from statistics import mean
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch, QuerySet
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language_info
from django.utils.translation import gettext as _
from django.views import View

from casework.assessments.engine import answers_from_post, with_defaults
from casework.assessments.models import FormVersion
from casework.assessments.presentation import filling
from casework.assessments.services import InvalidAnswers
from casework.audit.services import record_read
from casework.core.access import get_visible_or_404
from casework.core.forms import add_service_errors
from casework.core.http import user_of
from casework.core.roles import Capability
from casework.core.views import AccessMixin
from casework.network.choices import CONFIDENCE, CONFIDENCE_LABELS, RiskArea, Stage
from casework.network.forms import (
    ActivityFilter,
    ActivityForm,
    ContactForm,
    ExpansionForm,
    InvolvementForm,
    MoveForm,
    NoteForm,
    ReviewForm,
    RiskForm,
    StakeholderFilter,
    StakeholderForm,
    TermForm,
)
from casework.network.map import draw
from casework.network.models import (
    Activity,
    Contact,
    Expansion,
    FeedbackResponse,
    Involvement,
    Risk,
    Stakeholder,
    Term,
)
from casework.network.services import (
    STAKEHOLDER_FIELDS,
    add_contact,
    add_note,
    answer_feedback,
    answers_for_organisation,
    feedback_form,
    keeps_network_records,
    may_edit,
    move,
    record_involvement,
    remove_contact,
    review_risk,
    save_activity,
    save_expansion,
    save_risk,
    save_stakeholder,
    save_term,
)

PAGE_SIZE = 50


def _query(request: HttpRequest) -> Any:
    """The filters asked for, without the page: for the pagination links."""
    query = request.GET.copy()
    query.pop("page", None)
    return query


class NetworkMixin(AccessMixin):
    def stakeholders(self) -> QuerySet:
        return Stakeholder.objects.visible_to(self.request.user)

    def editable(self, queryset: QuerySet, **lookup: Any) -> Any:
        """The row the caller sees (else 404) and may change (else 403)."""
        row = get_visible_or_404(queryset, self.request.user, **lookup)
        if not may_edit(user_of(self.request), row):
            raise PermissionDenied
        return row

    def form_page(
        self, form: Form, title: str, back: str, status: int = 200, **extra: Any
    ) -> HttpResponse:
        context = {"form": form, "title": title, "back": back, **extra}
        return render(self.request, "network/form.html", context, status=status)


# Stakeholders ------------------------------------------------------------------------------


class StakeholderListView(NetworkMixin, View):
    """The directory: every stakeholder for network building, the allies in one's own
    country for case managers; searched by name, filtered by kind, country, relationship
    and level, 50 to a page."""

    capabilities = (Capability.NETWORK_DIRECTORY,)

    def get(self, request: HttpRequest) -> HttpResponse:
        filters = StakeholderFilter(request.GET)
        rows = filters.filtered(self.stakeholders())
        page = Paginator(rows.order_by("name", "pk"), PAGE_SIZE).get_page(request.GET.get("page"))
        context = {
            "filters": filters,
            "page_obj": page,
            "query": _query(request),
            "can_add": self.principal.can(Capability.NETWORK_BUILD),
            "everything": self.principal.can(Capability.NETWORK_BUILDING),
        }
        return render(request, "network/stakeholders.html", context)


class StakeholderCreateView(NetworkMixin, View):
    capabilities = (Capability.NETWORK_BUILD,)

    def get(self, request: HttpRequest) -> HttpResponse:
        return self.form_page(
            StakeholderForm(), _("Add a stakeholder"), reverse("network:stakeholders")
        )

    def post(self, request: HttpRequest) -> HttpResponse:
        form = StakeholderForm(request.POST)
        if form.is_valid():
            try:
                stakeholder = save_stakeholder(user_of(request), **form.cleaned_data)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Added to the directory."))
                return HttpResponseRedirect(reverse("network:stakeholder", args=[stakeholder.uid]))
        return self.form_page(
            form, _("Add a stakeholder"), reverse("network:stakeholders"), status=400
        )


class StakeholderDetailView(NetworkMixin, View):
    """A stakeholder with its contact people (a read of them is audited), and for network
    building its dated notes, activities and expansion."""

    capabilities = (Capability.NETWORK_DIRECTORY,)

    def get(self, request: HttpRequest, uid: uuid.UUID) -> HttpResponse:
        return self.page(self.stakeholder(uid))

    def stakeholder(self, uid: uuid.UUID) -> Stakeholder:
        return get_visible_or_404(Stakeholder.objects.all(), self.request.user, uid=uid)

    def page(
        self,
        stakeholder: Stakeholder,
        note_form: NoteForm | None = None,
        contact_form: ContactForm | None = None,
        status: int = 200,
    ) -> HttpResponse:
        user = self.request.user
        contacts = list(Contact.objects.visible_to(user).filter(stakeholder=stakeholder))
        if contacts:
            record_read(stakeholder, user)
        building = self.principal.can(Capability.NETWORK_BUILDING)
        can_record = self.principal.can(Capability.NETWORK_BUILD)
        context = {
            "stakeholder": stakeholder,
            "contacts": contacts,
            "building": building,
            "notes": stakeholder.notes.all() if building else [],
            "activities": stakeholder.activities.all()[:50] if building else [],
            "expansions": stakeholder.expansions.all() if building else [],
            "can_edit": may_edit(user_of(self.request), stakeholder),
            "removable": {c.pk for c in contacts if may_edit(user_of(self.request), c)},
            "note_form": (note_form or NoteForm(initial={"on": timezone.localdate()}))
            if can_record
            else None,
            "contact_form": (contact_form or ContactForm()) if can_record else None,
        }
        return render(self.request, "network/stakeholder.html", context, status=status)


class StakeholderUpdateView(NetworkMixin, View):
    capabilities = (Capability.NETWORK_BUILD,)

    def stakeholder(self, uid: uuid.UUID) -> Stakeholder:
        return self.editable(Stakeholder.objects.all(), uid=uid)

    def get(self, request: HttpRequest, uid: uuid.UUID) -> HttpResponse:
        stakeholder = self.stakeholder(uid)
        initial = {name: getattr(stakeholder, name) for name in STAKEHOLDER_FIELDS}
        initial["country"] = str(stakeholder.country)
        return self.form_page(
            StakeholderForm(initial=initial),
            _("Change %(name)s") % {"name": stakeholder.name},
            reverse("network:stakeholder", args=[uid]),
        )

    def post(self, request: HttpRequest, uid: uuid.UUID) -> HttpResponse:
        stakeholder = self.stakeholder(uid)
        form = StakeholderForm(request.POST)
        if form.is_valid():
            try:
                save_stakeholder(user_of(request), stakeholder, **form.cleaned_data)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Saved."))
                return HttpResponseRedirect(reverse("network:stakeholder", args=[uid]))
        return self.form_page(
            form,
            _("Change %(name)s") % {"name": stakeholder.name},
            reverse("network:stakeholder", args=[uid]),
            status=400,
        )


class StakeholderNoteView(StakeholderDetailView):
    capabilities = (Capability.NETWORK_BUILD,)
    http_method_names = ["post"]

    def post(self, request: HttpRequest, uid: uuid.UUID) -> HttpResponse:
        stakeholder = self.stakeholder(uid)
        form = NoteForm(request.POST)
        if form.is_valid():
            try:
                add_note(user_of(request), stakeholder, **form.cleaned_data)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Note added."))
                return HttpResponseRedirect(reverse("network:stakeholder", args=[uid]))
        return self.page(stakeholder, note_form=form, status=400)


class ContactCreateView(StakeholderDetailView):
    capabilities = (Capability.NETWORK_BUILD,)
    http_method_names = ["post"]

    def post(self, request: HttpRequest, uid: uuid.UUID) -> HttpResponse:
        stakeholder = self.stakeholder(uid)
        form = ContactForm(request.POST)
        if form.is_valid():
            try:
                add_contact(user_of(request), stakeholder, **form.cleaned_data)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Contact person added."))
                return HttpResponseRedirect(reverse("network:stakeholder", args=[uid]))
        return self.page(stakeholder, contact_form=form, status=400)


class ContactRemoveView(NetworkMixin, View):
    """A contact person withdrew their consent or left: their details are deleted."""

    capabilities = (Capability.NETWORK_BUILD,)
    http_method_names = ["post"]

    def post(self, request: HttpRequest, uid: uuid.UUID) -> HttpResponse:
        contact = self.editable(Contact.objects.select_related("stakeholder"), uid=uid)
        if request.POST.get("confirm") != "yes":
            return HttpResponse(_("Confirm the removal."), status=400, content_type="text/plain")
        remove_contact(user_of(request), contact)
        messages.success(request, _("The contact person's details are deleted."))
        return HttpResponseRedirect(reverse("network:stakeholder", args=[contact.stakeholder.uid]))


class StakeholderMapView(NetworkMixin, View):
    """The stakeholder map, filtered like the directory; `svg` downloads it as an image."""

    capabilities = (Capability.NETWORK_BUILDING,)

    def get(self, request: HttpRequest, svg: bool = False) -> HttpResponse:
        filters = StakeholderFilter(request.GET)
        context = {
            "map": draw(filters.filtered(self.stakeholders())),
            "title": _("The network's stakeholders by country and kind, %(date)s")
            % {"date": timezone.localdate()},
            "filters": filters,
            "query": request.GET.urlencode(),
        }
        if svg:
            response = render(request, "network/map.svg", context, content_type="image/svg+xml")
            day = timezone.localdate()
            response["Content-Disposition"] = f'attachment; filename="stakeholder-map-{day}.svg"'
            return response
        return render(request, "network/map.html", context)


# Activities --------------------------------------------------------------------------------


class ActivityListView(NetworkMixin, View):
    capabilities = (Capability.NETWORK_BUILDING,)

    def get(self, request: HttpRequest) -> HttpResponse:
        filters = ActivityFilter(request.GET)
        rows = Activity.objects.visible_to(request.user)
        if filters.is_valid():
            if filters.cleaned_data["kind"]:
                rows = rows.filter(kind=filters.cleaned_data["kind"])
            if filters.cleaned_data["year"]:
                rows = rows.filter(on__year=filters.cleaned_data["year"])
        rows = rows.prefetch_related(
            "members", Prefetch("stakeholders", Stakeholder.objects.order_by("name"))
        )
        page = Paginator(rows.order_by("-on", "pk"), PAGE_SIZE).get_page(request.GET.get("page"))
        user = user_of(request)
        context = {
            "filters": filters,
            "page_obj": page,
            "query": _query(request),
            "editable": {a.pk for a in page if may_edit(user, a)},
            "can_add": self.principal.can(Capability.NETWORK_BUILD),
        }
        return render(request, "network/activities.html", context)


class ActivityFormView(NetworkMixin, View):
    """Record an activity, or change one (`uid`)."""

    capabilities = (Capability.NETWORK_BUILD,)

    def activity(self, uid: uuid.UUID | None) -> Activity | None:
        return None if uid is None else self.editable(Activity.objects.all(), uid=uid)

    def title(self, activity: Activity | None) -> str:
        return _("Record an activity") if activity is None else _("Change an activity")

    def get(self, request: HttpRequest, uid: uuid.UUID | None = None) -> HttpResponse:
        activity = self.activity(uid)
        initial: dict[str, Any] = {"on": timezone.localdate()}
        if activity is not None:
            initial = {
                name: getattr(activity, name)
                for name in ("kind", "title", "on", "high_profile", "lived_experience")
            } | {
                "status": activity.status,
                "outcome": activity.outcome,
                "members": list(activity.members.all()),
                "stakeholders": list(activity.stakeholders.all()),
            }
        form = ActivityForm(initial=initial, stakeholders=self.stakeholders())
        return self.form_page(form, self.title(activity), reverse("network:activities"))

    def post(self, request: HttpRequest, uid: uuid.UUID | None = None) -> HttpResponse:
        activity = self.activity(uid)
        form = ActivityForm(request.POST, stakeholders=self.stakeholders())
        if form.is_valid():
            try:
                save_activity(user_of(request), activity, **form.cleaned_data)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Saved."))
                return HttpResponseRedirect(reverse("network:activities"))
        return self.form_page(form, self.title(activity), reverse("network:activities"), status=400)


# Expansion ---------------------------------------------------------------------------------


class ExpansionListView(NetworkMixin, View):
    """The pipeline: each place by stage, with its partners."""

    capabilities = (Capability.NETWORK_BUILDING,)

    def get(self, request: HttpRequest) -> HttpResponse:
        places = list(
            Expansion.objects.visible_to(request.user).prefetch_related(
                Prefetch("partners", Stakeholder.objects.order_by("name"))
            )
        )
        stages = [
            (stage, label, [p for p in places if p.stage == stage])
            for stage, label in Stage.choices
        ]
        context = {"stages": stages, "can_add": self.principal.can(Capability.NETWORK_BUILD)}
        return render(request, "network/expansion.html", context)


class ExpansionFormView(NetworkMixin, View):
    """Add a place to the pipeline, or change its details (`uid`); the stage moves on the
    place's page."""

    capabilities = (Capability.NETWORK_BUILD,)

    def expansion(self, uid: uuid.UUID | None) -> Expansion | None:
        return None if uid is None else self.editable(Expansion.objects.all(), uid=uid)

    def title(self, expansion: Expansion | None) -> str:
        return _("Add a place to the pipeline") if expansion is None else str(expansion)

    def get(self, request: HttpRequest, uid: uuid.UUID | None = None) -> HttpResponse:
        expansion = self.expansion(uid)
        initial: dict[str, Any] = {}
        if expansion is not None:
            initial = {
                "place_kind": expansion.place_kind,
                "country": str(expansion.country),
                "city": expansion.city,
                "note": expansion.note,
                "partners": list(expansion.partners.all()),
            }
        form = ExpansionForm(
            initial=initial, stakeholders=self.stakeholders(), new=expansion is None
        )
        return self.form_page(form, self.title(expansion), reverse("network:expansion"))

    def post(self, request: HttpRequest, uid: uuid.UUID | None = None) -> HttpResponse:
        expansion = self.expansion(uid)
        form = ExpansionForm(request.POST, stakeholders=self.stakeholders(), new=expansion is None)
        if form.is_valid():
            try:
                saved = save_expansion(user_of(request), expansion, **form.cleaned_data)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Saved."))
                return HttpResponseRedirect(reverse("network:expansion-detail", args=[saved.uid]))
        return self.form_page(form, self.title(expansion), reverse("network:expansion"), status=400)


class ExpansionDetailView(NetworkMixin, View):
    """A place with every dated step, and the form that moves it to another stage."""

    capabilities = (Capability.NETWORK_BUILDING,)

    def expansion(self, uid: uuid.UUID) -> Expansion:
        return get_visible_or_404(Expansion.objects.all(), self.request.user, uid=uid)

    def get(self, request: HttpRequest, uid: uuid.UUID) -> HttpResponse:
        return self.page(self.expansion(uid))

    def page(
        self, expansion: Expansion, form: MoveForm | None = None, status: int = 200
    ) -> HttpResponse:
        editable = may_edit(user_of(self.request), expansion)
        context = {
            "expansion": expansion,
            "steps": expansion.steps.all(),
            "partners": expansion.partners.order_by("name"),
            "can_edit": editable,
            "form": (
                form or MoveForm(initial={"stage": expansion.stage, "on": timezone.localdate()})
            )
            if editable
            else None,
        }
        return render(self.request, "network/expansion_detail.html", context, status=status)


class ExpansionMoveView(ExpansionDetailView):
    capabilities = (Capability.NETWORK_BUILD,)
    http_method_names = ["post"]

    def post(self, request: HttpRequest, uid: uuid.UUID) -> HttpResponse:
        expansion = self.editable(Expansion.objects.all(), uid=uid)
        form = MoveForm(request.POST)
        if form.is_valid():
            try:
                move(user_of(request), expansion, **form.cleaned_data)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Saved."))
                return HttpResponseRedirect(reverse("network:expansion-detail", args=[uid]))
        expansion.refresh_from_db()
        return self.page(expansion, form, status=400)


# The risk register and the glossary --------------------------------------------------------


class RiskListView(NetworkMixin, View):
    """The risk register by area, with each risk's last review; coordinators keep it."""

    capabilities = (Capability.NETWORK_BUILDING,)

    def get(self, request: HttpRequest) -> HttpResponse:
        risks = list(Risk.objects.visible_to(request.user))
        areas = [(label, [r for r in risks if r.area == area]) for area, label in RiskArea.choices]
        context = {
            "areas": [a for a in areas if a[1]],
            "can_edit": keeps_network_records(user_of(request)),
        }
        return render(request, "network/risks.html", context)


class KeptByCoordinators(NetworkMixin):
    """Pages that change the network's own records: its coordinators only."""

    capabilities = (Capability.NETWORK_BUILD,)

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        if request.user.is_authenticated and not keeps_network_records(user_of(request)):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


def _as_entered(risk: Risk) -> dict[str, Any]:
    return {name: getattr(risk, name) for name in RiskForm.base_fields}


class RiskFormView(KeptByCoordinators, View):
    """Add a risk, or change one and record its review (`uid`)."""

    def risk(self, uid: uuid.UUID | None) -> Risk | None:
        return (
            None
            if uid is None
            else get_visible_or_404(Risk.objects.all(), self.request.user, uid=uid)
        )

    def get(self, request: HttpRequest, uid: uuid.UUID | None = None) -> HttpResponse:
        risk = self.risk(uid)
        initial = {} if risk is None else _as_entered(risk)
        review = (
            None
            if risk is None
            else ReviewForm(
                initial={
                    "on": timezone.localdate(),
                    "likelihood": risk.likelihood,
                    "impact": risk.impact,
                    "status": risk.status,
                },
                prefix="review",
            )
        )
        return self.page(risk, RiskForm(initial=initial), review)

    def post(self, request: HttpRequest, uid: uuid.UUID | None = None) -> HttpResponse:
        risk = self.risk(uid)
        user = user_of(request)
        if risk is not None and "review-on" in request.POST:
            review = ReviewForm(request.POST, prefix="review")
            if review.is_valid():
                try:
                    review_risk(user, risk, **review.cleaned_data)
                except ValidationError as error:
                    add_service_errors(review, error)
                else:
                    messages.success(request, _("Review recorded."))
                    return HttpResponseRedirect(reverse("network:risks"))
            risk.refresh_from_db()
            return self.page(
                risk,
                RiskForm(initial=_as_entered(risk)),
                review,
                status=400,
            )
        form = RiskForm(request.POST)
        if form.is_valid():
            save_risk(user, risk, **form.cleaned_data)
            messages.success(request, _("Saved."))
            return HttpResponseRedirect(reverse("network:risks"))
        return self.page(risk, form, None, status=400)

    def page(
        self, risk: Risk | None, form: RiskForm, review: ReviewForm | None, status: int = 200
    ) -> HttpResponse:
        context = {"risk": risk, "form": form, "review": review}
        return render(self.request, "network/risk_form.html", context, status=status)


class GlossaryView(NetworkMixin, View):
    """The network's agreed terms, in the reader's language where translated."""

    capabilities = (Capability.ORG_VIEW,)

    def get(self, request: HttpRequest) -> HttpResponse:
        rows = list(Term.objects.visible_to(request.user))
        languages = sorted({code for term in rows for code in term.translations})
        asked = request.GET.get("lang", "")
        language = asked if asked in languages else (request.LANGUAGE_CODE or "en").split("-")[0]
        terms = [(term, *term.in_language(language)) for term in rows]
        context = {
            "terms": terms,
            "languages": [(code, get_language_info(code)["name_local"]) for code in languages],
            "language": language,
            "can_edit": keeps_network_records(user_of(request)),
        }
        return render(request, "network/glossary.html", context)


class TermFormView(KeptByCoordinators, View):
    """Add a term, or change one (`slug`)."""

    def term(self, slug: str | None) -> Term | None:
        return (
            None
            if slug is None
            else get_visible_or_404(Term.objects.all(), self.request.user, slug=slug)
        )

    def get(self, request: HttpRequest, slug: str | None = None) -> HttpResponse:
        term = self.term(slug)
        initial = (
            {} if term is None else {n: getattr(term, n) for n in ("slug", "term", "definition")}
        )
        return self.form_page(
            TermForm(initial=initial), _("A term of the glossary"), reverse("network:glossary")
        )

    def post(self, request: HttpRequest, slug: str | None = None) -> HttpResponse:
        term = self.term(slug)
        form = TermForm(request.POST)
        if form.is_valid():
            try:
                save_term(user_of(request), term, **form.cleaned_data)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Saved."))
                return HttpResponseRedirect(reverse("network:glossary"))
        return self.form_page(
            form, _("A term of the glossary"), reverse("network:glossary"), status=400
        )


# An organisation's own records ------------------------------------------------------------


class ForOrganisationAdmins(NetworkMixin):
    """Pages of an organisation's own records: its admins only."""

    capabilities = (Capability.NETWORK_BUILDING, Capability.NETWORK_BUILD)

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        if request.user.is_authenticated and not answers_for_organisation(user_of(request)):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class InvolvementView(ForOrganisationAdmins, View):
    """How many people with lived experience of detention took part in the organisation's
    case management, year by year, and the form that records or corrects a year."""

    def get(self, request: HttpRequest) -> HttpResponse:
        return self.page(InvolvementForm(initial={"year": timezone.localdate().year}))

    def post(self, request: HttpRequest) -> HttpResponse:
        form = InvolvementForm(request.POST)
        if form.is_valid():
            try:
                record_involvement(user_of(request), **form.cleaned_data)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Saved."))
                return HttpResponseRedirect(reverse("network:involvement"))
        return self.page(form, status=400)

    def page(self, form: InvolvementForm, status: int = 200) -> HttpResponse:
        rows = Involvement.objects.visible_to(self.request.user)
        context = {"rows": rows, "form": form}
        return render(self.request, "network/involvement.html", context, status=status)


@dataclass
class Round:
    """One year's answers to the feedback questionnaire, with their mean score and the
    mean of each confidence statement (None where nobody answered it)."""

    year: int
    responses: list[FeedbackResponse] = field(default_factory=list)

    @property
    def score(self) -> Decimal:
        return round(mean(r.score for r in self.responses), 2)

    @property
    def statements(self) -> list[tuple[Any, float | None]]:
        out = []
        for name in CONFIDENCE:
            given = [int(r.answers[name]) for r in self.responses if name in r.answers]
            out.append((CONFIDENCE_LABELS[name], round(mean(given), 1) if given else None))
        return out


def _rounds(responses: list[FeedbackResponse]) -> list[Round]:
    rounds: dict[int, Round] = {}
    for response in responses:
        rounds.setdefault(response.year, Round(response.year)).responses.append(response)
    return list(rounds.values())


class FeedbackListView(NetworkMixin, View):
    """Each round's answers to the network's feedback questionnaire: every member's, with
    the mean score and the comments, for the network's coordinators and evaluators; their
    own organisation's for its admins, with the way to answer this year's."""

    capabilities = (Capability.NETWORK_BUILDING,)

    def get(self, request: HttpRequest) -> HttpResponse:
        responses = list(
            FeedbackResponse.objects.visible_to(request.user)
            .select_related("organisation")
            .order_by("-year", "organisation__name")
        )
        year = timezone.localdate().year
        answering = answers_for_organisation(user_of(request))
        context = {
            "rounds": _rounds(responses),
            "year": year,
            "can_answer": answering and feedback_form() is not None,
            "answered": any(r.year == year for r in responses),
            "network": self.principal.is_network,
        }
        return render(request, "network/feedback.html", context)


class FeedbackAnswerView(ForOrganisationAdmins, View):
    """This year's answers of the caller's organisation, on the questionnaire as the
    forms engine shows any form; everything is checked when it is sent."""

    def version(self) -> FormVersion:
        version = feedback_form()
        if version is None:
            raise Http404
        return version

    def get(self, request: HttpRequest) -> HttpResponse:
        version = self.version()
        this_year = FeedbackResponse.objects.visible_to(request.user).filter(
            year=timezone.localdate().year
        )
        answered = this_year.first()
        answers = answered.answers if answered else with_defaults(version.definition)
        return self.page(version, answers)

    def post(self, request: HttpRequest) -> HttpResponse:
        version = self.version()
        base = with_defaults(version.definition)
        answers = answers_from_post(version.definition, request.POST, base)
        try:
            answer_feedback(user_of(request), answers)
        except InvalidAnswers:
            messages.error(request, _("Some answers need attention; nothing was saved yet."))
            return self.page(version, answers, complete=True, status=400)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return self.page(version, answers, status=400)
        messages.success(request, _("Thank you: your organisation's answers are saved."))
        return HttpResponseRedirect(reverse("network:feedback"))

    def page(
        self,
        version: FormVersion,
        answers: dict[str, Any],
        *,
        complete: bool = False,
        status: int = 200,
    ) -> HttpResponse:
        context = {
            "year": timezone.localdate().year,
            **filling(self.request, version, answers, complete=complete),
        }
        return render(self.request, "network/feedback_answer.html", context, status=status)
