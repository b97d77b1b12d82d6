"""Request and response shapes for the organisations API (organisations and their members)."""

from rest_framework import serializers

from apps.accounts.api.serializers import PHONE_REGEX
from apps.accounts.organisation_models import (
    Membership,
    MembershipRole,
    OrganisationKind,
    VerificationStatus,
)
from apps.core.serializers import StrictCharField

# Unified social credit code: 18 characters, digits and capital letters (checked loosely: the
# operator verifies the licence itself).
LICENCE_REGEX = r"^[0-9A-Za-z]{15,20}$"


class OrganisationCreateSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=OrganisationKind.choices)
    name = StrictCharField(min_length=2, max_length=60)
    business_licence_number = serializers.RegexField(
        LICENCE_REGEX, help_text="Unified social credit code (15-20 letters and digits)."
    )
    contact_name = StrictCharField(min_length=1, max_length=40)
    contact_phone = serializers.RegexField(PHONE_REGEX)
    contact_email = serializers.EmailField(required=False, allow_blank=True)


class OrganisationSerializer(serializers.Serializer):
    """An organisation as its members see it, with the requester's own role."""

    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=OrganisationKind.choices)
    name = serializers.CharField()
    logo = serializers.SerializerMethodField()
    business_licence_number = serializers.CharField()
    contact_name = serializers.CharField()
    contact_phone = serializers.CharField()
    contact_email = serializers.CharField()
    verification_status = serializers.ChoiceField(choices=VerificationStatus.choices)
    rejection_reason = serializers.CharField()
    my_role = serializers.ChoiceField(choices=MembershipRole.choices, source="membership.role")
    verified_at = serializers.DateTimeField(allow_null=True)
    created_at = serializers.DateTimeField()

    def get_logo(self, organisation: object) -> str | None:
        logo = organisation.logo
        return logo.url if logo else None


class MemberSerializer(serializers.ModelSerializer):
    user_id = serializers.IntegerField()
    username = serializers.CharField(source="user.username")
    display_name = serializers.CharField(source="user.profile.display_name")
    role = serializers.ChoiceField(choices=MembershipRole.choices)

    class Meta:
        model = Membership
        fields = ("user_id", "username", "display_name", "role", "created_at", "updated_at")


class MemberInviteSerializer(serializers.Serializer):
    username = serializers.CharField(min_length=1, max_length=150)
    role = serializers.ChoiceField(choices=MembershipRole.choices)


class MemberRoleSerializer(serializers.Serializer):
    role = serializers.ChoiceField(choices=MembershipRole.choices)
