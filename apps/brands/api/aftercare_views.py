"""After publication over HTTP: protection requests, usage rights, a brand's ratings."""

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework.generics import ListAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.accounts.models import Organisation
from apps.accounts.organisation_models import OrganisationKind
from apps.accounts.organisation_selectors import get_organisation_for_member
from apps.brands import protection, ratings, rights
from apps.brands.aftercare_models import ProtectionRequest, Rating, UsageRight
from apps.brands.api import serializers as s
from apps.core.errors import NotFound

TAGS = ["brand cooperations"]


class BrandProtectionRequestListApi(ListAPIView):
    serializer_class = s.ProtectionRequestSerializer
    queryset = ProtectionRequest.objects.none()

    def get_queryset(self) -> QuerySet:
        organisation = get_organisation_for_member(
            user=self.request.user, organisation_id=self.kwargs["organisation_id"]
        )
        return ProtectionRequest.objects.filter(cooperation__brand_id=organisation.pk)

    @extend_schema(tags=TAGS)
    def get(self, request: Request, *args: object, **kwargs: object) -> Response:
        """Creators' requests to hide, delete or make private a protected note."""
        return super().get(request, *args, **kwargs)


class ProtectionRequestDecisionApi(APIView):
    @extend_schema(tags=TAGS, request=s.DecisionSerializer, responses=s.ProtectionRequestSerializer)
    def post(self, request: Request, organisation_id: int, request_id: int) -> Response:
        """Consent (the change is applied now) or refuse (owner or manager)."""
        data = s.DecisionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        decided = protection.protection_request_decide(
            user=request.user,
            organisation_id=organisation_id,
            request_id=request_id,
            consent=data.validated_data["consent"],
        )
        return Response(s.ProtectionRequestSerializer(decided).data)


class MyUsageRightListApi(ListAPIView):
    serializer_class = s.UsageRightSerializer
    queryset = UsageRight.objects.none()

    def get_queryset(self) -> QuerySet:
        return rights.usage_rights_for_creator(creator_id=self.request.user.pk)

    @extend_schema(tags=TAGS)
    def get(self, request: Request, *args: object, **kwargs: object) -> Response:
        """The rights I granted brands over my notes, with their expiry."""
        return super().get(request, *args, **kwargs)


class BrandUsageRightListApi(ListAPIView):
    serializer_class = s.UsageRightSerializer
    queryset = UsageRight.objects.none()

    def get_queryset(self) -> QuerySet:
        organisation = get_organisation_for_member(
            user=self.request.user, organisation_id=self.kwargs["organisation_id"]
        )
        return rights.usage_rights_for_brand(brand_id=organisation.pk)

    @extend_schema(tags=TAGS)
    def get(self, request: Request, *args: object, **kwargs: object) -> Response:
        """The rights the brand holds over creators' notes, with their expiry."""
        return super().get(request, *args, **kwargs)


def _brand(brand_id: int) -> Organisation:
    brand = Organisation.objects.filter(pk=brand_id, kind=OrganisationKind.BRAND).first()
    if brand is None or not brand.is_verified:
        raise NotFound("Brand not found.", code="brand.not_found")
    return brand


class BrandRatingListApi(ListAPIView):
    serializer_class = s.RatingSerializer
    queryset = Rating.objects.none()

    def get_queryset(self) -> QuerySet:
        return ratings.brand_ratings(brand_id=_brand(self.kwargs["brand_id"]).pk)

    @extend_schema(tags=TAGS)
    def get(self, request: Request, *args: object, **kwargs: object) -> Response:
        """Creators' ratings of a verified brand (its public profile), newest first."""
        return super().get(request, *args, **kwargs)


class BrandRatingSummaryApi(APIView):
    @extend_schema(tags=TAGS, responses=s.BrandRatingsSerializer)
    def get(self, request: Request, brand_id: int) -> Response:
        """A verified brand's average rating from creators and how many rated it."""
        summary = ratings.brand_rating_summary(brand_id=_brand(brand_id).pk)
        return Response(s.BrandRatingsSerializer(summary).data)
