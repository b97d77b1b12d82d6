from django.urls import path

from apps.core import converters  # noqa: F401  (registers <id:...>)
from apps.notes.api import views

urlpatterns = [
    path("notes", views.NoteCreateApi.as_view(), name="note-create"),
    path("notes/<id:note_id>", views.NoteDetailApi.as_view(), name="note-detail"),
    path("notes/<id:note_id>/publish", views.NotePublishApi.as_view(), name="note-publish"),
    path("notes/<id:note_id>/media", views.NoteMediaApi.as_view(), name="note-media"),
    path("notes/<id:note_id>/like", views.NoteLikeApi.as_view(), name="note-like"),
    path("notes/<id:note_id>/collect", views.NoteCollectApi.as_view(), name="note-collect"),
    path("notes/<id:note_id>/share", views.NoteShareApi.as_view(), name="note-share"),
    path("notes/<id:note_id>/comments", views.NoteCommentsApi.as_view(), name="note-comments"),
    path("comments/<id:comment_id>", views.CommentDetailApi.as_view(), name="comment-detail"),
    path(
        "comments/<id:comment_id>/replies",
        views.CommentRepliesApi.as_view(),
        name="comment-replies",
    ),
    path("comments/<id:comment_id>/like", views.CommentLikeApi.as_view(), name="comment-like"),
    path("feed/discover", views.DiscoveryFeedApi.as_view(), name="feed-discover"),
    path("feed/following", views.FollowingFeedApi.as_view(), name="feed-following"),
    path("topics/<id:topic_id>", views.TopicDetailApi.as_view(), name="topic-detail"),
    path("topics/<id:topic_id>/notes", views.TopicNotesApi.as_view(), name="topic-notes"),
    path("users/<id:user_id>/notes", views.UserNotesApi.as_view(), name="user-notes"),
    path("me/notes", views.MyNotesApi.as_view(), name="me-notes"),
    path("me/boards", views.MyBoardsApi.as_view(), name="me-boards"),
    path("me/boards/<id:board_id>", views.MyBoardDetailApi.as_view(), name="me-board-detail"),
    path("me/collects", views.MyCollectsApi.as_view(), name="me-collects"),
    path("search/notes", views.SearchNotesApi.as_view(), name="search-notes"),
    path("search/users", views.SearchUsersApi.as_view(), name="search-users"),
]
