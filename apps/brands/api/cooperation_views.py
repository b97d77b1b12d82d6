"""Cooperations over HTTP: lists for each side, one cooperation with its recent events and
draft, its offers, and one route per action of the machine (docs/brands.md)."""

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework.generics import ListAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import Serializer
from rest_framework.views import APIView

from apps.accounts.organisation_selectors import get_organisation_for_member
from apps.brands import ratings, selectors
from apps.brands.access import get_cooperation_for_party
from apps.brands.api import serializers as s
from apps.brands.cooperation_models import Cooperation, CooperationStatus, Offer
from apps.brands.cooperations import cooperation_act
from apps.core.idempotency import IDEMPOTENCY_KEY_PARAMETER, idempotent

TAGS = ["brand cooperations"]
EVENTS_SHOWN = 20
DRAFT_STATES = {
    CooperationStatus.SUBMITTED,
    CooperationStatus.REVISION_REQUESTED,
    CooperationStatus.APPROVED,
    CooperationStatus.DISPUTED,
}


def _detail(cooperation: Cooperation) -> dict[str, Any]:
    """The cooperation with its last events and, while under review, its draft's text."""
    cooperation = Cooperation.objects.select_related("campaign", "brand", "note").get(
        pk=cooperation.pk
    )
    cooperation.recent_events = list(
        cooperation.events.order_by("-created_at", "-id")[:EVENTS_SHOWN]
    )
    note = cooperation.note
    cooperation.draft = (
        {"note_id": note.pk, "title": note.title, "body": note.body}
        if note is not None and cooperation.status in DRAFT_STATES
        else None
    )
    return s.CooperationDetailSerializer(cooperation).data


class MyCooperationListApi(ListAPIView):
    serializer_class = s.CooperationSerializer
    queryset = Cooperation.objects.none()

    def get_queryset(self) -> QuerySet:
        return selectors.creator_cooperations(creator_id=self.request.user.pk)

    @extend_schema(tags=TAGS)
    def get(self, request: Request, *args: object, **kwargs: object) -> Response:
        """My cooperations as a creator, newest first."""
        return super().get(request, *args, **kwargs)


class BrandCooperationListApi(ListAPIView):
    serializer_class = s.CooperationSerializer
    queryset = Cooperation.objects.none()

    def get_queryset(self) -> QuerySet:
        organisation = get_organisation_for_member(
            user=self.request.user, organisation_id=self.kwargs["organisation_id"]
        )
        return selectors.brand_cooperations(brand_id=organisation.pk)

    @extend_schema(tags=TAGS)
    def get(self, request: Request, *args: object, **kwargs: object) -> Response:
        """The brand's cooperations, newest first (any member)."""
        return super().get(request, *args, **kwargs)


class CooperationDetailApi(APIView):
    @extend_schema(tags=TAGS, responses=s.CooperationDetailSerializer)
    def get(self, request: Request, cooperation_id: int) -> Response:
        """One cooperation (its creator and the brand's members)."""
        cooperation, _party = get_cooperation_for_party(
            user=request.user, cooperation_id=cooperation_id
        )
        return Response(_detail(cooperation))


class CooperationOfferListApi(ListAPIView):
    serializer_class = s.OfferSerializer
    queryset = Offer.objects.none()

    def get_queryset(self) -> QuerySet:
        cooperation, _party = get_cooperation_for_party(
            user=self.request.user, cooperation_id=self.kwargs["cooperation_id"]
        )
        return selectors.cooperation_offers(cooperation_id=cooperation.pk)

    @extend_schema(tags=TAGS)
    def get(self, request: Request, *args: object, **kwargs: object) -> Response:
        """Every offer and counter-offer, newest first."""
        return super().get(request, *args, **kwargs)

    @extend_schema(
        tags=TAGS, request=s.OfferInputSerializer, responses=s.CooperationDetailSerializer
    )
    def post(self, request: Request, cooperation_id: int) -> Response:
        """Counter the latest offer (price, deliverable, dates; the message is screened)."""
        data = s.OfferInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        cooperation = cooperation_act(
            user=request.user,
            cooperation_id=cooperation_id,
            action="counter",
            **data.validated_data,
        )
        return Response(_detail(cooperation))


def action_view(
    action: str, request_serializer: type[Serializer], doc: str, *, money: bool = False
) -> type[APIView]:
    """One POST route for one action of the machine."""

    def post(self: APIView, request: Request, cooperation_id: int) -> Response:
        data = request_serializer(data=request.data)
        data.is_valid(raise_exception=True)
        cooperation = cooperation_act(
            user=request.user, cooperation_id=cooperation_id, action=action, **data.validated_data
        )
        return Response(_detail(cooperation))

    post.__doc__ = doc
    if money:
        post = idempotent(post)
    schema = extend_schema(
        tags=TAGS,
        request=request_serializer,
        responses=s.CooperationDetailSerializer,
        operation_id=f"cooperations_{action}",
        parameters=[IDEMPOTENCY_KEY_PARAMETER] if money else None,
    )
    name = "".join(part.title() for part in action.split("_")) + "CooperationApi"
    return type(name, (APIView,), {"post": schema(post), "__doc__": doc})


ACTION_VIEWS: dict[str, type[APIView]] = {
    "accept": action_view(
        "accept",
        s.EmptySerializer,
        "Accept the latest offer; the escrow is paid at once when the wallet covers it.",
        money=True,
    ),
    "decline": action_view("decline", s.EmptySerializer, "Decline or withdraw before agreement."),
    "fund": action_view(
        "fund", s.EmptySerializer, "Pay price + fee into escrow (owner or finance).", money=True
    ),
    "start": action_view("start", s.EmptySerializer, "The creator starts drafting."),
    "submit": action_view("submit", s.SubmitSerializer, "Submit a draft note for the brand."),
    "request_revision": action_view(
        "request_revision", s.CommentSerializer, "Ask for a revision, with comments (screened)."
    ),
    "approve": action_view("approve", s.EmptySerializer, "Approve the submitted draft."),
    "publish": action_view("publish", s.EmptySerializer, "Publish the approved note, sponsored."),
    "cancel": action_view(
        "cancel",
        s.ReasonSerializer,
        "Cancel before a draft is submitted: the brand is refunded in full, fee included.",
        money=True,
    ),
    "dispute": action_view(
        "dispute", s.RequiredReasonSerializer, "Open a dispute: an operator splits the escrow."
    ),
}


class CooperationRatingApi(APIView):
    @extend_schema(tags=TAGS, request=s.RatingInputSerializer, responses=s.RatingSerializer)
    def post(self, request: Request, cooperation_id: int) -> Response:
        """Rate the other side of a completed cooperation (editable for 7 days)."""
        data = s.RatingInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        rating = ratings.rating_set(
            user=request.user, cooperation_id=cooperation_id, **data.validated_data
        )
        return Response(s.RatingSerializer(rating).data)
