from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from apps.accounts.models import Block, Category, Follow, Profile, User

# Counters change only through services, under row locks; operators read them.
PROFILE_COUNTERS = (
    "fans_count",
    "following_count",
    "notes_count",
    "likes_received_count",
    "collects_received_count",
)


class ProfileInline(admin.StackedInline):
    model = Profile
    can_delete = False
    filter_horizontal = ("interests",)
    readonly_fields = PROFILE_COUNTERS


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    inlines = (ProfileInline,)
    list_display = ("username", "display_name", "phone", "email", "is_active", "date_joined")
    list_filter = ("is_active", "is_staff", "is_superuser", "profile__gender", "profile__region")
    search_fields = ("username", "phone", "email", "profile__display_name")
    list_select_related = ("profile",)
    fieldsets = (*DjangoUserAdmin.fieldsets, ("Contact", {"fields": ("phone",)}))

    @admin.display(description="Display name", ordering="profile__display_name")
    def display_name(self, obj: User) -> str:
        return obj.profile.display_name if hasattr(obj, "profile") else ""

    def save_model(self, request, obj, form, change) -> None:
        super().save_model(request, obj, form, change)
        Profile.objects.get_or_create(user=obj, defaults={"display_name": obj.username})


@admin.register(Profile)
class ProfileAdmin(admin.ModelAdmin):
    list_display = ("user", "display_name", "gender", "region", "fans_count", "following_count")
    list_filter = ("gender", "region", "hide_fans_list")
    search_fields = ("display_name", "user__username", "user__phone")
    list_select_related = ("user",)
    raw_id_fields = ("user",)
    filter_horizontal = ("interests",)
    readonly_fields = PROFILE_COUNTERS


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ("slug", "name", "name_zh", "position")
    search_fields = ("slug", "name", "name_zh")
    ordering = ("position",)


@admin.register(Follow)
class FollowAdmin(admin.ModelAdmin):
    list_display = ("follower", "followee", "source", "source_id", "created_at")
    list_filter = ("source",)
    search_fields = ("follower__username", "followee__username")
    raw_id_fields = ("follower", "followee")
    list_select_related = ("follower", "followee")
    date_hierarchy = "created_at"
    show_full_result_count = False

    def has_change_permission(self, request, obj=None) -> bool:
        return False  # edges change only through the follow services (counters)

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(Block)
class BlockAdmin(admin.ModelAdmin):
    list_display = ("blocker", "blocked", "created_at")
    search_fields = ("blocker__username", "blocked__username")
    raw_id_fields = ("blocker", "blocked")
    list_select_related = ("blocker", "blocked")
    show_full_result_count = False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_add_permission(self, request) -> bool:
        return False


from apps.accounts import organisation_admin  # noqa: E402, F401  (registers organisation screens)
