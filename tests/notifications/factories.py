"""Factories for notifications tests."""

import factory

from apps.notifications.models import Notification, NotificationKind
from tests.factories import UserFactory


class NotificationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Notification

    recipient = factory.SubFactory(UserFactory)
    kind = NotificationKind.STRIKE
    payload = factory.LazyFunction(lambda: {"message": "A strike was added to your account."})
