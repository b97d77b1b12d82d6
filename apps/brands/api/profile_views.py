"""The creator's own cooperation profile: read, opt in or replace, edit, opt out; eligibility.

The creator is always ``request.user``: no creator id is taken from the request, so a creator
can only ever read or change their own profile.
"""

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.brands import profile_selectors as selectors
from apps.brands import profile_services as services
from apps.brands.api import profile_serializers as s
from apps.brands.profile_models import RATE_FIELDS
from apps.core.throttles import WriteRateThrottle

TAGS = ["brand cooperation"]


def _answer(request: Request, code: int = status.HTTP_200_OK) -> Response:
    profile = selectors.get_profile_for_creator(creator=request.user)
    eligibility = selectors.eligibility_of(creator=request.user)
    return Response(s.CooperationProfileSerializer(s.profile_data(profile, eligibility)).data, code)


def _save(request: Request, *, partial: bool) -> None:
    body = s.CooperationProfileInputSerializer(data=request.data, partial=partial)
    body.is_valid(raise_exception=True)
    data: dict[str, Any] = dict(body.validated_data)
    if "rates" in data:
        rates = data["rates"]
        data["rates"] = rates if partial else {name: rates.get(name) for name in RATE_FIELDS}
    if not partial:
        data.setdefault("categories", [])
        data.setdefault("busy_until", None)
        data.setdefault("pitch", "")
    else:
        selectors.get_profile_for_creator(creator=request.user)  # PATCH needs a profile: 404
    services.cooperation_profile_save(creator=request.user, **data)


class CooperationProfileApi(APIView):
    throttle_classes = [WriteRateThrottle]

    @extend_schema(
        operation_id="creator_cooperation_profile_retrieve",
        tags=TAGS,
        responses=s.CooperationProfileSerializer,
    )
    def get(self, request: Request) -> Response:
        """My cooperation profile with where I stand against the listing conditions."""
        return _answer(request)

    @extend_schema(
        operation_id="creator_cooperation_profile_update",
        tags=TAGS,
        request=s.CooperationProfileInputSerializer,
        responses=s.CooperationProfileSerializer,
    )
    def put(self, request: Request) -> Response:
        """Opt in with a profile, or replace mine (fields left out are cleared).

        Rates are in fen; at least one deliverable must have one. The pitch is screened: a
        blocked pitch is refused (400), a held one waits for review in pending_pitch.
        """
        _save(request, partial=False)
        return _answer(request)

    @extend_schema(
        operation_id="creator_cooperation_profile_partial_update",
        tags=TAGS,
        request=s.CooperationProfileInputSerializer,
        responses=s.CooperationProfileSerializer,
    )
    def patch(self, request: Request) -> Response:
        """Change some fields of my profile (404 before I opt in)."""
        _save(request, partial=True)
        return _answer(request)

    @extend_schema(
        operation_id="creator_cooperation_profile_destroy", tags=TAGS, responses={204: None}
    )
    def delete(self, request: Request) -> Response:
        """Opt out: my profile is deleted and brands no longer find me."""
        services.cooperation_profile_delete(creator=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class CooperationEligibilityApi(APIView):
    @extend_schema(
        operation_id="creator_cooperation_profile_eligibility_retrieve",
        tags=TAGS,
        responses=s.EligibilitySerializer,
    )
    def get(self, request: Request) -> Response:
        """Whether I can be listed to brands, and which conditions I do not meet yet."""
        eligibility = selectors.eligibility_of(creator=request.user)
        return Response(s.EligibilitySerializer(s.eligibility_data(eligibility)).data)
