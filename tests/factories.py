"""factory_boy factories shared by every app's tests."""

import factory

from apps.accounts.models import Block, Follow, Profile, User

TEST_PASSWORD = "correct-horse-battery-9"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n:05d}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")

    @classmethod
    def _create(cls, model_class: type[User], *args: object, **kwargs: object) -> User:
        # Through the manager, so the profile row exists as it does for real users.
        return model_class.objects.create_user(*args, password=TEST_PASSWORD, **kwargs)

    @factory.post_generation
    def profile(self, create: bool, extracted: dict | None, **kwargs: object) -> None:
        if create and (extracted or kwargs):
            Profile.objects.filter(user=self).update(**(extracted or {}), **kwargs)


class FollowFactory(factory.django.DjangoModelFactory):
    """Raw edges for list tests; counters are not touched (use the service for those)."""

    class Meta:
        model = Follow

    follower = factory.SubFactory(UserFactory)
    followee = factory.SubFactory(UserFactory)


class BlockFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Block

    blocker = factory.SubFactory(UserFactory)
    blocked = factory.SubFactory(UserFactory)
