"""Comment management routes, under /api/v1/creator/."""

from django.urls import path

from apps.core import converters  # noqa: F401  (registers <id:...>)
from apps.creators.api import comments_views as views

urlpatterns = [
    path("creator/comments", views.CreatorCommentInboxApi.as_view(), name="creator-comments"),
    path(
        "creator/comments/batch",
        views.CreatorCommentBatchApi.as_view(),
        name="creator-comments-batch",
    ),
    path(
        "creator/comments/<id:comment_id>",
        views.CreatorCommentDetailApi.as_view(),
        name="creator-comment",
    ),
    path(
        "creator/comments/<id:comment_id>/reply",
        views.CreatorCommentReplyApi.as_view(),
        name="creator-comment-reply",
    ),
    path(
        "creator/comments/<id:comment_id>/pin",
        views.CreatorCommentPinApi.as_view(),
        name="creator-comment-pin",
    ),
    path(
        "creator/comments/<id:comment_id>/hide",
        views.CreatorCommentHideApi.as_view(),
        name="creator-comment-hide",
    ),
    path(
        "creator/comments/<id:comment_id>/approve",
        views.CreatorCommentApproveApi.as_view(),
        name="creator-comment-approve",
    ),
    path(
        "creator/comments/<id:comment_id>/reject",
        views.CreatorCommentRejectApi.as_view(),
        name="creator-comment-reject",
    ),
    path(
        "creator/comments/<id:comment_id>/block-author",
        views.CreatorCommentBlockAuthorApi.as_view(),
        name="creator-comment-block-author",
    ),
    path(
        "creator/comment-filters/words",
        views.CreatorBlockedWordsApi.as_view(),
        name="creator-blocked-words",
    ),
    path(
        "creator/comment-filters/words/<id:word_id>",
        views.CreatorBlockedWordApi.as_view(),
        name="creator-blocked-word",
    ),
    path(
        "creator/comment-filters/trusted",
        views.CreatorTrustedCommentersApi.as_view(),
        name="creator-trusted-commenters",
    ),
    path(
        "creator/comment-filters/trusted/<id:user_id>",
        views.CreatorTrustedCommenterApi.as_view(),
        name="creator-trusted-commenter",
    ),
    path(
        "creator/notes/<id:note_id>/comment-settings",
        views.CreatorNoteCommentSettingsApi.as_view(),
        name="creator-note-comment-settings",
    ),
]
