from django.urls import path

from apps.accounts.api import views
from apps.core import converters  # noqa: F401  (registers <id:...>)

urlpatterns = [
    path("auth/register", views.RegisterApi.as_view(), name="auth-register"),
    path("auth/login", views.LoginApi.as_view(), name="auth-login"),
    path("auth/refresh", views.RefreshApi.as_view(), name="auth-refresh"),
    path("auth/logout", views.LogoutApi.as_view(), name="auth-logout"),
    path("categories", views.CategoryListApi.as_view(), name="category-list"),
    path("regions", views.RegionListApi.as_view(), name="region-list"),
    path("me", views.MeApi.as_view(), name="me"),
    path("me/avatar", views.MeAvatarApi.as_view(), name="me-avatar"),
    path("me/blocks", views.MeBlockListApi.as_view(), name="me-blocks"),
    path("me/password", views.MePasswordApi.as_view(), name="me-password"),
    path("me/phone", views.MePhoneApi.as_view(), name="me-phone"),
    path("me/phone/verify", views.MePhoneVerifyApi.as_view(), name="me-phone-verify"),
    path("users/<id:user_id>", views.UserDetailApi.as_view(), name="user-detail"),
    path("users/<id:user_id>/follow", views.UserFollowApi.as_view(), name="user-follow"),
    path("users/<id:user_id>/block", views.UserBlockApi.as_view(), name="user-block"),
    path("users/<id:user_id>/fans", views.UserFansApi.as_view(), name="user-fans"),
    path("users/<id:user_id>/following", views.UserFollowingApi.as_view(), name="user-following"),
]
