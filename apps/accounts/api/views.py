"""Accounts API: registration and tokens, my account, public profiles, follows and blocks."""

from django.conf import settings
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.generics import ListAPIView
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework_simplejwt.exceptions import InvalidToken, TokenError
from rest_framework_simplejwt.tokens import RefreshToken

from apps.accounts import auth_services, phone_services, selectors, services
from apps.accounts.api import serializers as s
from apps.accounts.api.throttles import PhoneCodeRateThrottle
from apps.accounts.models import Block, Category, Follow, Profile, User
from apps.accounts.regions import REGIONS
from apps.core.throttles import AuthRateThrottle, WriteRateThrottle


def _me_payload(request: Request) -> dict:
    profile = Profile.objects.select_related("user").prefetch_related("interests")
    return s.MeSerializer(profile.get(user=request.user), context={"request": request}).data


# --- Auth ---------------------------------------------------------------------------------


class RegisterApi(APIView):
    permission_classes = [AllowAny]
    authentication_classes: list = []
    throttle_classes = [AuthRateThrottle]

    @extend_schema(
        tags=["auth"],
        request=s.RegisterSerializer,
        responses={201: s.RegisterResponseSerializer},
        auth=[],
    )
    def post(self, request: Request) -> Response:
        data = s.RegisterSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = services.user_register(**data.validated_data)
        tokens = auth_services.token_pair_issue(user=user)
        request.user = user
        body = {"user": _me_payload(request), "tokens": tokens}
        return Response(body, status=status.HTTP_201_CREATED)


class _TokenApi(APIView):
    """Anonymous token endpoints: no authentication, per-address throttle, 401 with a realm."""

    permission_classes = [AllowAny]
    authentication_classes: list = []
    throttle_classes = [AuthRateThrottle]

    def get_authenticate_header(self, request: Request) -> str:
        return 'Bearer realm="api"'


class LoginApi(_TokenApi):
    @extend_schema(
        tags=["auth"],
        request=s.LoginSerializer,
        responses={200: s.TokenPairSerializer},
        auth=[],
        description=(
            "Exchange username and password for an access and a refresh token. After "
            "`LOGIN_FAILURE_LIMIT` failed attempts for one username (from any address, whether "
            "or not the account exists) the username is locked for `LOGIN_LOCKOUT_MINUTES`: "
            "429 `auth.locked` with `Retry-After`, even for the right password."
        ),
    )
    def post(self, request: Request) -> Response:
        data = s.LoginSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return Response(auth_services.user_login(request=request._request, **data.validated_data))


class RefreshApi(_TokenApi):
    @extend_schema(
        tags=["auth"],
        request=s.RefreshSerializer,
        responses={200: s.TokenPairSerializer},
        auth=[],
        description=(
            "Rotate a refresh token: a new pair is returned and the old token is spent. Each "
            "token refreshes once (concurrent attempts: one succeeds). Presenting a spent token "
            "again revokes every refresh token descended from the same sign-in."
        ),
    )
    def post(self, request: Request) -> Response:
        data = s.RefreshSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return Response(auth_services.refresh_token_rotate(token=data.validated_data["refresh"]))


class LogoutApi(APIView):
    """Blacklist a refresh token so it can never be used again."""

    permission_classes = [AllowAny]
    throttle_classes = [AuthRateThrottle]

    @extend_schema(tags=["auth"], request=s.LogoutSerializer, responses={204: None}, auth=[])
    def post(self, request: Request) -> Response:
        data = s.LogoutSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            RefreshToken(data.validated_data["refresh"]).blacklist()
        except TokenError as exc:
            raise InvalidToken(str(exc)) from exc
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- Taxonomy -----------------------------------------------------------------------------


class CategoryListApi(APIView):
    permission_classes = [AllowAny]

    @extend_schema(tags=["taxonomy"], responses=s.CategorySerializer(many=True), auth=[])
    def get(self, request: Request) -> Response:
        return Response(s.CategorySerializer(Category.objects.all(), many=True).data)


class RegionListApi(APIView):
    permission_classes = [AllowAny]

    @extend_schema(tags=["taxonomy"], responses=s.RegionSerializer(many=True), auth=[])
    def get(self, request: Request) -> Response:
        rows = [{"code": c, "name": n, "name_zh": z} for c, n, z in REGIONS]
        return Response(s.RegionSerializer(rows, many=True).data)


# --- My account ---------------------------------------------------------------------------


class MeApi(APIView):
    @extend_schema(tags=["me"], responses=s.MeSerializer)
    def get(self, request: Request) -> Response:
        return Response(_me_payload(request))

    @extend_schema(tags=["me"], request=s.MeUpdateSerializer, responses=s.MeSerializer)
    def patch(self, request: Request) -> Response:
        data = s.MeUpdateSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        services.profile_update(user=request.user, **data.validated_data)
        return Response(_me_payload(request))


class MeAvatarApi(APIView):
    @extend_schema(
        tags=["me"],
        request={"multipart/form-data": s.AvatarUploadSerializer},
        responses=s.MeSerializer,
    )
    def put(self, request: Request) -> Response:
        data = s.AvatarUploadSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.avatar_set(user=request.user, upload=data.validated_data["avatar"])
        return Response(_me_payload(request))


class MePasswordApi(APIView):
    @extend_schema(
        tags=["me"],
        request=s.PasswordChangeSerializer,
        responses={200: s.TokenPairSerializer},
        description=(
            "Change my password. Every refresh token of every sign-in is revoked; the answer is "
            "a new pair for this client. A wrong current password counts as a failed sign-in."
        ),
    )
    def post(self, request: Request) -> Response:
        data = s.PasswordChangeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return Response(
            auth_services.user_password_change(user=request.user, **data.validated_data)
        )


class MePhoneApi(APIView):
    throttle_classes = [PhoneCodeRateThrottle, WriteRateThrottle]

    @extend_schema(
        tags=["me"],
        request=s.PhoneCodeRequestSerializer,
        responses={202: s.PhoneCodeSentSerializer},
        description=(
            "Send a 6-digit code to a phone number to bind it to my account (then "
            "`POST /me/phone/verify`). The answer is the same whatever the number's state."
        ),
    )
    def post(self, request: Request) -> Response:
        data = s.PhoneCodeRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        phone_services.phone_verification_start(user=request.user, **data.validated_data)
        body = {"expires_in": settings.PHONE_CODE_TTL_MINUTES * 60}
        return Response(body, status=status.HTTP_202_ACCEPTED)

    @extend_schema(tags=["me"], responses={204: None}, description="Remove my phone number.")
    def delete(self, request: Request) -> Response:
        phone_services.phone_unbind(user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class MePhoneVerifyApi(APIView):
    @extend_schema(
        tags=["me"],
        request=s.PhoneVerifySerializer,
        responses=s.MeSerializer,
        description=(
            "Bind the number the last code was sent to. A wrong, expired or used-up code, and a "
            "number bound by someone else meanwhile, all answer 400 `phone.code_invalid`."
        ),
    )
    def post(self, request: Request) -> Response:
        data = s.PhoneVerifySerializer(data=request.data)
        data.is_valid(raise_exception=True)
        phone_services.phone_verification_confirm(user=request.user, **data.validated_data)
        return Response(_me_payload(request))


@extend_schema(tags=["me"])
class MeBlockListApi(ListAPIView):
    """The users I have blocked, newest first."""

    serializer_class = s.BlockEdgeSerializer
    queryset = Block.objects.none()  # for the schema; get_queryset() scopes to the user

    def get_queryset(self) -> QuerySet:
        return selectors.block_list(user=self.request.user)


# --- Users --------------------------------------------------------------------------------


def _existing_user_id(user_id: int) -> int:
    return get_object_or_404(User.objects.filter(is_active=True).only("id"), pk=user_id).pk


class UserDetailApi(APIView):
    @extend_schema(tags=["users"], responses=s.PublicProfileSerializer)
    def get(self, request: Request, user_id: int) -> Response:
        profile = selectors.profile_public_get(user_id=user_id, viewer=request.user)
        return Response(s.PublicProfileSerializer(profile, context={"request": request}).data)


class UserFollowApi(APIView):
    """Follow (POST) and unfollow (DELETE); both are idempotent."""

    throttle_classes = [WriteRateThrottle]

    def _state(self, user_id: int, following: bool) -> Response:
        fans = Profile.objects.values_list("fans_count", flat=True).get(user_id=user_id)
        return Response({"following": following, "fans": fans})

    @extend_schema(
        tags=["users"],
        request=s.FollowInputSerializer,
        responses={200: s.FollowStateSerializer, 201: s.FollowStateSerializer},
    )
    def post(self, request: Request, user_id: int) -> Response:
        data = s.FollowInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        followee_id = _existing_user_id(user_id)
        _, created = services.follow_create(
            follower=request.user, followee_id=followee_id, **data.validated_data
        )
        response = self._state(followee_id, True)
        response.status_code = status.HTTP_201_CREATED if created else status.HTTP_200_OK
        return response

    @extend_schema(tags=["users"], responses={200: s.FollowStateSerializer})
    def delete(self, request: Request, user_id: int) -> Response:
        followee_id = _existing_user_id(user_id)
        services.follow_delete(follower=request.user, followee_id=followee_id)
        return self._state(followee_id, False)


class UserBlockApi(APIView):
    """Block (POST) and unblock (DELETE); both are idempotent."""

    throttle_classes = [WriteRateThrottle]

    @extend_schema(
        tags=["users"],
        request=None,
        responses={200: s.BlockStateSerializer, 201: s.BlockStateSerializer},
    )
    def post(self, request: Request, user_id: int) -> Response:
        blocked_id = _existing_user_id(user_id)
        _, created = services.block_create(blocker=request.user, blocked_id=blocked_id)
        code = status.HTTP_201_CREATED if created else status.HTTP_200_OK
        return Response({"blocked": True}, status=code)

    @extend_schema(tags=["users"], responses={200: s.BlockStateSerializer})
    def delete(self, request: Request, user_id: int) -> Response:
        services.block_delete(blocker=request.user, blocked_id=_existing_user_id(user_id))
        return Response({"blocked": False})


class _FollowEdgeListApi(ListAPIView):
    serializer_class = s.FollowEdgeSerializer
    queryset = Follow.objects.none()  # for the schema; get_queryset() applies the rules
    side = ""

    def get_serializer_context(self) -> dict:
        return {**super().get_serializer_context(), "side": self.side}


@extend_schema(tags=["users"])
class UserFansApi(_FollowEdgeListApi):
    """A user's fans, newest first (403 when they keep the list private)."""

    side = "follower"

    def get_queryset(self) -> QuerySet:
        return selectors.fans_list(user_id=self.kwargs["user_id"], viewer=self.request.user)


@extend_schema(tags=["users"])
class UserFollowingApi(_FollowEdgeListApi):
    """Whom a user follows, newest first (403 when they keep the list private)."""

    side = "followee"

    def get_queryset(self) -> QuerySet:
        return selectors.following_list(user_id=self.kwargs["user_id"], viewer=self.request.user)
