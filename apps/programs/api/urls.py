from django.urls import path

from apps.core import converters  # noqa: F401  (registers <id:...>)
from apps.programs.api import contract_views as contracts
from apps.programs.api import views

AGENCY = "organisations/<id:agency_id>"

urlpatterns = [
    path(
        f"{AGENCY}/contracts",
        contracts.AgencyContractListApi.as_view(),
        name="programs-agency-contracts",
    ),
    path(
        f"{AGENCY}/contracts/<id:contract_id>/withdraw",
        contracts.AgencyContractWithdrawApi.as_view(),
        name="programs-agency-contract-withdraw",
    ),
    path(
        f"{AGENCY}/contracts/<id:contract_id>/terminate",
        contracts.AgencyContractTerminateApi.as_view(),
        name="programs-agency-contract-terminate",
    ),
    path(
        f"{AGENCY}/dashboard",
        contracts.AgencyDashboardApi.as_view(),
        name="programs-agency-dashboard",
    ),
    path(
        f"{AGENCY}/dashboard/export",
        contracts.AgencyDashboardExportApi.as_view(),
        name="programs-agency-dashboard-export",
    ),
    path("contracts", contracts.MyContractListApi.as_view(), name="programs-my-contracts"),
    path(
        "contracts/<id:contract_id>/accept",
        contracts.ContractAcceptApi.as_view(),
        name="programs-contract-accept",
    ),
    path(
        "contracts/<id:contract_id>/decline",
        contracts.ContractDeclineApi.as_view(),
        name="programs-contract-decline",
    ),
    path(
        "contracts/<id:contract_id>/terminate",
        contracts.ContractTerminateApi.as_view(),
        name="programs-contract-terminate",
    ),
    path("programs", views.ProgramListApi.as_view(), name="programs-program-list"),
    path(
        "programs/<id:program_id>/apply",
        views.ProgramApplyApi.as_view(),
        name="programs-program-apply",
    ),
    path(
        "program-applications",
        views.MyApplicationListApi.as_view(),
        name="programs-my-applications",
    ),
    path(
        "program-applications/<id:application_id>/leave",
        views.ApplicationLeaveApi.as_view(),
        name="programs-application-leave",
    ),
    path(
        "users/<id:user_id>/program-badges",
        views.UserBadgesApi.as_view(),
        name="programs-user-badges",
    ),
    path("academy/courses", views.CourseListApi.as_view(), name="programs-course-list"),
    path(
        "academy/courses/<id:course_id>",
        views.CourseDetailApi.as_view(),
        name="programs-course-detail",
    ),
    path(
        "academy/lessons/<id:lesson_id>/complete",
        views.LessonCompleteApi.as_view(),
        name="programs-lesson-complete",
    ),
    path("academy/classes", views.ClassListApi.as_view(), name="programs-class-list"),
    path(
        "academy/classes/<id:class_id>/register",
        views.ClassRegisterApi.as_view(),
        name="programs-class-register",
    ),
    path(
        "academy/classes/<id:class_id>/check-in",
        views.ClassCheckInApi.as_view(),
        name="programs-class-check-in",
    ),
    path(
        "academy/registrations",
        views.MyRegistrationListApi.as_view(),
        name="programs-my-registrations",
    ),
    path(
        "academy/registrations/<id:registration_id>/cancel",
        views.RegistrationCancelApi.as_view(),
        name="programs-registration-cancel",
    ),
    path("listening/sessions", views.SessionListApi.as_view(), name="programs-listening-sessions"),
    path("listening/topics", views.TopicListApi.as_view(), name="programs-listening-topics"),
    path(
        "listening/topics/<id:topic_id>/upvote",
        views.TopicUpvoteApi.as_view(),
        name="programs-listening-topic-upvote",
    ),
]
