"""API for forms (list, read, upload an XLSForm) and a case's submissions."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.exceptions import PermissionDenied as ApiPermissionDenied
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.viewsets import GenericViewSet

from casework.accounts.models import Organisation
from casework.assessments.choices import SubmissionStatus
from casework.assessments.engine import answers_from_json, with_defaults
from casework.assessments.models import Form, FormVersion, Submission
from casework.assessments.services import InvalidAnswers, import_form, save_draft, submit
from casework.assessments.xlsform import FormRejected
from casework.audit.mixins import AuditedObjectMixin
from casework.cases.models import Case
from casework.core.access import get_visible_or_404
from casework.core.api.parsers import JSONParser
from casework.core.api.viewsets import UUID_PATTERN, AccessViewSetMixin
from casework.core.http import user_of
from casework.core.roles import CASEWORK, Capability


class VersionSerializer(serializers.ModelSerializer):
    class Meta:
        model = FormVersion
        fields = ["number", "version", "languages", "default_language", "uploaded_at"]


class FormSerializer(serializers.ModelSerializer):
    standard = serializers.BooleanField(source="is_standard", read_only=True)
    organisation: serializers.SlugRelatedField[Organisation] = serializers.SlugRelatedField(
        slug_field="slug", read_only=True
    )
    versions = VersionSerializer(many=True, read_only=True)

    class Meta:
        model = Form
        fields = ["id", "form_id", "title", "standard", "organisation", "versions"]


class FormDetailSerializer(FormSerializer):
    definition = serializers.SerializerMethodField()

    class Meta(FormSerializer.Meta):
        fields = [*FormSerializer.Meta.fields, "definition"]

    def get_definition(self, form: Form) -> dict[str, Any] | None:
        """The latest version's definition: questions, choices and languages."""
        version = max(form.versions.all(), key=lambda v: v.number, default=None)
        return version.definition if version else None


class UploadSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="An XLSForm: .xlsx, .xls, .csv or .md")


class FormViewSet(
    AccessViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    GenericViewSet,
):
    """The forms one may fill: the network's standard forms and one's organisation's own.
    POST a multipart `file` to import an XLSForm (coordinators: network forms; organisation
    admins: their own); a refused form answers 400 with errors naming sheet, row, column."""

    capabilities = (Capability.ORG_VIEW,)
    queryset = Form.objects.select_related("organisation").prefetch_related("versions")
    parser_classes = [MultiPartParser, FormParser, JSONParser]

    def get_serializer_class(self) -> type[serializers.Serializer]:
        return FormDetailSerializer if self.action == "retrieve" else FormSerializer

    @extend_schema(request={"multipart/form-data": UploadSerializer}, responses=FormSerializer)
    def create(self, request: Request) -> Response:
        upload = UploadSerializer(data=request.data)
        upload.is_valid(raise_exception=True)
        file = upload.validated_data["file"]
        try:
            version = import_form(file.read(), file.name, by=user_of(request))
        except PermissionDenied:
            raise ApiPermissionDenied from None
        except FormRejected as rejected:
            return Response(
                {"errors": [e.as_dict() for e in rejected.errors]},
                status=status.HTTP_400_BAD_REQUEST,
            )
        form = self.get_queryset().get(pk=version.form_id)
        return Response(FormSerializer(form).data, status=status.HTTP_201_CREATED)


class SubmissionSummarySerializer(serializers.ModelSerializer):
    """A submission without its answers: lists are not audited reads of personal data."""

    id = serializers.UUIDField(source="uid", read_only=True)
    form = serializers.IntegerField(source="form_version.form_id", read_only=True)
    form_id = serializers.CharField(source="form_version.form.form_id", read_only=True)
    form_version = serializers.CharField(source="form_version.version", read_only=True)

    class Meta:
        model = Submission
        fields = ["id", "form", "form_id", "form_version", "status", "version", "created_at",
                  "submitted_at"]  # fmt: skip


class SubmissionSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="uid", read_only=True)
    form = serializers.IntegerField(source="form_version.form_id", read_only=True)
    form_id = serializers.CharField(source="form_version.form.form_id", read_only=True)
    form_version = serializers.CharField(source="form_version.version", read_only=True)
    answers = serializers.JSONField(read_only=True, help_text="Answers by question name.")

    class Meta:
        model = Submission
        fields = [
            "id",
            "form",
            "form_id",
            "form_version",
            "status",
            "answers",
            "version",
            "created_at",
            "submitted_at",
        ]


CASE_CODE = OpenApiParameter("case_code", str, OpenApiParameter.PATH, description="The case's code")


class NewSubmissionSerializer(serializers.Serializer):
    form = serializers.IntegerField(help_text="The form's id; its latest version is filled.")
    answers = serializers.JSONField(
        help_text="Answers by question name: text, numbers, true for acknowledge, a list of "
        "choice names for select_multiple, a list of objects for each repeat."
    )
    status = serializers.ChoiceField(choices=SubmissionStatus.choices, default="submitted")


class DraftUpdateSerializer(serializers.Serializer):
    answers = serializers.JSONField(help_text="The draft's answers, all of them, as for POST.")
    status = serializers.ChoiceField(choices=SubmissionStatus.choices, default="draft")
    version = serializers.IntegerField(
        required=False, help_text="The version you read; a stale one is refused (409)."
    )


def parsed_answers(version: Any, answers: Any) -> Any:
    """The JSON answers read against the version's definition, or a 400 naming why."""
    try:
        return answers_from_json(version.definition, answers, with_defaults(version.definition))
    except ValueError as error:
        raise ValidationError({"answers": [str(error)]}) from None


def refused(invalid: InvalidAnswers) -> Response:
    """Answers the form's rules refuse: each problem with its field, rule and message."""
    return Response(
        {"answers": [p.as_dict() for p in invalid.problems]},
        status=status.HTTP_400_BAD_REQUEST,
    )


@extend_schema_view(
    list=extend_schema(parameters=[CASE_CODE]),
    retrieve=extend_schema(parameters=[CASE_CODE]),
    create=extend_schema(parameters=[CASE_CODE]),
    partial_update=extend_schema(parameters=[CASE_CODE]),
)
class CaseSubmissionViewSet(
    AuditedObjectMixin,
    AccessViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    GenericViewSet,
):
    """Forms filled for a case: the list without answers, one submission with its answers
    (an audited read). POST submits answers (or keeps a draft), PATCH changes or submits a
    draft; answers that break the form's rules answer 400 with each field, the rule and the
    form's message, and a draft saved by someone else since you read it answers 409."""

    capabilities = CASEWORK
    queryset = Submission.objects.select_related("form_version__form")
    conflicts = {"partial_update": "Someone else saved the draft since you read it."}
    lookup_field = "uid"
    lookup_value_regex = UUID_PATTERN

    def get_serializer_class(self) -> type[serializers.Serializer]:
        """Answers only on one submission's read, which is audited."""
        return SubmissionSummarySerializer if self.action == "list" else SubmissionSerializer

    def case(self) -> Case:
        return get_visible_or_404(Case.objects, self.request.user, code=self.kwargs["case_code"])

    def get_queryset(self) -> QuerySet:
        return super().get_queryset().filter(case=self.case())

    @extend_schema(request=NewSubmissionSerializer, responses=SubmissionSerializer)
    def create(self, request: Request, case_code: str) -> Response:
        case = self.case()  # not found before invalid: no hint that it exists
        incoming = NewSubmissionSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        form = get_visible_or_404(Form.objects.for_cases(), request.user, pk=data["form"])
        version = form.current_version()
        if version is None:
            raise ValidationError({"form": ["This form has no version yet."]})
        answers = parsed_answers(version, data["answers"])
        fill = submit if data["status"] == SubmissionStatus.SUBMITTED else save_draft
        try:
            submission = fill(case, version, answers, by=user_of(request))
        except InvalidAnswers as invalid:
            return refused(invalid)
        return Response(SubmissionSerializer(submission).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=DraftUpdateSerializer, responses=SubmissionSerializer)
    def partial_update(self, request: Request, case_code: str, uid: str) -> Response:
        submission = self.get_object()
        incoming = DraftUpdateSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        version = submission.form_version
        answers = parsed_answers(version, data["answers"])
        fill = submit if data["status"] == SubmissionStatus.SUBMITTED else save_draft
        try:
            fill(
                submission.case,
                version,
                answers,
                by=user_of(request),
                submission=submission,
                expected_version=data.get("version"),
            )
        except InvalidAnswers as invalid:
            return refused(invalid)
        return Response(SubmissionSerializer(submission).data)
