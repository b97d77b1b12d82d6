"""Organisations API: create, list mine, detail, members (list, invite, change role, remove).

Every object route fetches through ``get_organisation_for_member``: a non-member gets 404, a
member whose role does not allow the action 403. Money routes live in the ledger
(``apps/ledger/api/organisation_views.py``).
"""

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.generics import ListAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.accounts import organisation_selectors as selectors
from apps.accounts import organisations as services
from apps.accounts.api import organisation_serializers as s
from apps.accounts.organisation_models import Membership
from apps.core.throttles import WriteRateThrottle

TAGS = ["organisations"]


def _detail(organisation: object) -> dict:
    return s.OrganisationSerializer(organisation).data


class OrganisationListApi(ListAPIView):
    """My organisations (GET), newest membership first; create one (POST)."""

    serializer_class = s.OrganisationSerializer
    queryset = Membership.objects.none()
    throttle_classes = [WriteRateThrottle]

    def get_queryset(self) -> QuerySet:
        return selectors.organisation_list_for_user(user=self.request.user)

    @extend_schema(tags=TAGS)
    def get(self, request: Request, *args: object, **kwargs: object) -> Response:
        """The organisations I belong to, with my role in each."""
        page = self.paginate_queryset(self.get_queryset())
        organisations = []
        for membership in page:
            organisation = membership.organisation
            organisation.membership = membership
            organisations.append(organisation)
        return self.get_paginated_response(s.OrganisationSerializer(organisations, many=True).data)

    @extend_schema(
        tags=TAGS, request=s.OrganisationCreateSerializer, responses={201: s.OrganisationSerializer}
    )
    def post(self, request: Request) -> Response:
        """Create a brand or MCN organisation (pending verification); I become its owner."""
        data = s.OrganisationCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        created = services.organisation_create(user=request.user, **data.validated_data)
        organisation = selectors.get_organisation_for_member(
            user=request.user, organisation_id=created.pk
        )
        return Response(_detail(organisation), status=status.HTTP_201_CREATED)


class OrganisationDetailApi(APIView):
    @extend_schema(tags=TAGS, responses=s.OrganisationSerializer)
    def get(self, request: Request, organisation_id: int) -> Response:
        """One of my organisations (any member)."""
        organisation = selectors.get_organisation_for_member(
            user=request.user, organisation_id=organisation_id
        )
        return Response(_detail(organisation))


class OrganisationMemberListApi(ListAPIView):
    """The members (GET, any member); add one by username (POST, owner or manager)."""

    serializer_class = s.MemberSerializer
    queryset = Membership.objects.none()
    throttle_classes = [WriteRateThrottle]

    def get_queryset(self) -> QuerySet:
        organisation = selectors.get_organisation_for_member(
            user=self.request.user, organisation_id=self.kwargs["organisation_id"]
        )
        return selectors.membership_list(organisation=organisation)

    @extend_schema(tags=TAGS)
    def get(self, request: Request, *args: object, **kwargs: object) -> Response:
        """Members with their roles, newest first."""
        return super().get(request, *args, **kwargs)

    @extend_schema(tags=TAGS, request=s.MemberInviteSerializer, responses={201: s.MemberSerializer})
    def post(self, request: Request, organisation_id: int) -> Response:
        """Add a member by username (owners add any role; managers any role but owner)."""
        data = s.MemberInviteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        membership = services.membership_invite(
            organisation_id=organisation_id, actor=request.user, **data.validated_data
        )
        membership = selectors.membership_list(organisation=membership.organisation).get(
            pk=membership.pk
        )
        return Response(s.MemberSerializer(membership).data, status=status.HTTP_201_CREATED)


class OrganisationMemberApi(APIView):
    throttle_classes = [WriteRateThrottle]

    @extend_schema(tags=TAGS, request=s.MemberRoleSerializer, responses=s.MemberSerializer)
    def patch(self, request: Request, organisation_id: int, user_id: int) -> Response:
        """Change a member's role (owners only; the last owner keeps the role)."""
        data = s.MemberRoleSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        membership = services.membership_role_change(
            organisation_id=organisation_id,
            actor=request.user,
            user_id=user_id,
            role=data.validated_data.get("role"),
        )
        membership = selectors.membership_list(organisation=membership.organisation).get(
            pk=membership.pk
        )
        return Response(s.MemberSerializer(membership).data)

    @extend_schema(tags=TAGS, responses={204: None})
    def delete(self, request: Request, organisation_id: int, user_id: int) -> Response:
        """Remove a member, or leave when it is me (the last owner can do neither)."""
        services.membership_remove(
            organisation_id=organisation_id, actor=request.user, user_id=user_id
        )
        return Response(status=status.HTTP_204_NO_CONTENT)
