"""Demo data for ``manage.py seed_demo``: an agency with two signed creators, the four growth
programs with applications in each state, a class with a waitlist, a listening session.

Everything goes through the services (screening, machines, notifications, the ledger); each part
is found by its name or key on a second run and left alone.
"""

from datetime import date, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.utils import timezone

from apps.accounts import organisations as organisation_services
from apps.accounts.models import Organisation
from apps.core.errors import DomainError
from apps.core.seeding import DemoContext
from apps.ledger import services as ledger
from apps.ledger.selectors import wallet_balance
from apps.programs import services
from apps.programs.models import (
    AgencyRequirement,
    Course,
    GrowthProgram,
    Lesson,
    ListeningSession,
    ProgramApplication,
    PublicClass,
)

AGENCY = "光合 Demo MCN Agency"
CLASS = "爆款笔记公开课 (demo)"
SESSION = "创作者倾听会 · 十二月 (demo)"
PROGRAMS = [
    (
        "fast-growing",
        "快速成长计划 Fast-growing",
        1_000,
        4,
        "0.03",
        AgencyRequirement.ANY,
        5_000,
        "成长之星",
    ),
    (
        "circle-breaking",
        "破圈计划 Circle-breaking",
        10_000,
        6,
        "0.05",
        AgencyRequirement.ANY,
        10_000,
        "破圈达人",
    ),
    (
        "ip-co-creation",
        "IP 共创计划 IP co-creation",
        50_000,
        8,
        "0.04",
        AgencyRequirement.SIGNED,
        20_000,
        "IP 共创",
    ),
    (
        "star-of-tomorrow",
        "明日之星 Star of tomorrow",
        0,
        2,
        "0.08",
        AgencyRequirement.UNSIGNED,
        3_000,
        "明日之星",
    ),
]


def _agency(ctx: DemoContext, operator, creators: list) -> None:
    if Organisation.objects.filter(name=AGENCY).exists() or len(creators) < 4:
        return
    owner = creators[-1]
    agency = organisation_services.organisation_create(
        user=owner,
        kind="mcn",
        name=AGENCY,
        business_licence_number="91310000MA1DEMO777",
        contact_name="Demo",
        contact_phone="13800000000",
        contact_email="mcn@example.com",
    )
    organisation_services.organisation_verify(
        organisation_id=agency.pk, operator=operator, reason="demo: licence checked"
    )
    for index, (creator, sharing) in enumerate(((creators[0], True), (creators[1], False))):
        contract = services.contract_request(
            agency_id=agency.pk,
            actor=owner,
            creator_id=creator.pk,
            revenue_share=Decimal("0.2") - Decimal("0.05") * index,
            starts_on=date.today(),
            term_months=12,
            data_sharing=sharing,
            note="签约一年，数据共享" if sharing else "签约一年",
        )
        services.contract_accept(contract_id=contract.pk, user=creator)
    services.contract_request(
        agency_id=agency.pk,
        actor=owner,
        creator_id=creators[2].pk,
        revenue_share=Decimal("0.3"),
        starts_on=date.today() + timedelta(days=7),
        term_months=6,
        data_sharing=True,
    )


def _gifts(ctx: DemoContext, creators: list) -> None:
    """Gifts from a funded demo fan to the first signed creator: the platform earns the fee
    (which pays program credits) and the agency's share is split in each gift's transaction."""
    if not creators or GrowthProgram.objects.filter(key=PROGRAMS[0][0]).exists():
        return  # seeded before (the programs are the marker)
    # Enough fees for every approval's credits below (three per program), so none is deferred.
    needed = 3 * sum(program[6] for program in PROGRAMS)
    earned = 0
    for user_id in ctx.user_ids[8:60]:
        if earned >= needed:
            return
        if wallet_balance(owner_type="user", owner_id=user_id).available >= 60_000:
            for index in range(3):
                ledger.gift(
                    sender=ledger.Owner.user(user_id),
                    recipient=ledger.Owner.user(creators[0].pk),
                    amount=20_000,
                    fee_rate="0.5",
                    key=f"demo-programs-{user_id}-{index}",
                )
                earned += 10_000


def _programs(ctx: DemoContext, operator, creators: list) -> None:
    if GrowthProgram.objects.filter(key=PROGRAMS[0][0]).exists():
        return
    programs = []
    for key, name, fans, notes, rate, agency, credit, badge in PROGRAMS:
        programs.append(
            GrowthProgram.objects.create(
                key=key,
                name=name,
                description=f"{name}: 平台流量扶持与创作指导。",
                min_fans=fans,
                min_notes_30d=notes,
                min_engagement_rate=Decimal(rate),
                agency_requirement=agency,
                promotion_credit_fen=credit,
                badge=badge,
                boost_weight=Decimal("1.20"),
            )
        )
    # Applications in each state (written directly for the demo: the creators may not meet
    # the rules on a small demo dataset; decisions still go through the services).
    states = ["invited", "applied", "applied", "applied", "applied", "applied"]
    now = timezone.now()
    for program in programs:
        rows = []
        for creator, status in zip(creators[:6], states, strict=False):
            rows.append(
                ProgramApplication.objects.create(
                    program=program,
                    creator=creator,
                    status=status,
                    invited_at=now,
                    applied_at=now if status == "applied" else None,
                )
            )
        if len(rows) < 6:
            continue
        for action, application in zip(
            ("approve", "reject", "approve", "approve"), rows[2:], strict=True
        ):
            try:
                if action == "approve":
                    services.application_approve(application_id=application.pk, operator=operator)
                else:
                    services.application_reject(
                        application_id=application.pk, operator=operator, reason="内容方向不符"
                    )
            except DomainError as refused:
                ctx.stdout.write(f"programs demo: {refused.message}")
        services.application_leave(application_id=rows[4].pk, user=rows[4].creator)
        services.application_remove(
            application_id=rows[5].pk, operator=operator, reason="demo: 违反社区规范"
        )


def _academy(ctx: DemoContext, creators: list) -> None:
    if not Course.objects.filter(title="笔记创作入门 (demo)").exists():
        course = Course.objects.create(
            title="笔记创作入门 (demo)", summary="从选题到封面。", is_published=True
        )
        for position, title in enumerate(["选题", "标题与封面", "发布时间"]):
            Lesson.objects.create(
                course=course, position=position, title=title, kind="text", body=f"{title}的要点。"
            )
    if not PublicClass.objects.filter(title=CLASS).exists():
        starts = timezone.now() + timedelta(days=14)
        seats = PublicClass.objects.create(
            title=CLASS,
            description="线下公开课，名额有限。",
            mode="offline",
            place="上海市静安区南京西路 1266 号",
            capacity=3,
            starts_at=starts,
            ends_at=starts + timedelta(hours=2),
        )
        for creator in creators[:5]:
            services.class_register(class_id=seats.pk, user=creator)
    if not ListeningSession.objects.filter(title=SESSION).exists() and len(creators) >= 3:
        session = ListeningSession.objects.create(
            title=SESSION, held_on=date.today() + timedelta(days=10)
        )
        topics = [
            services.topic_propose(user=creators[0], title="新人如何度过冷启动？"),
            services.topic_propose(user=creators[1], title="品牌合作报价怎么定？"),
            services.topic_propose(user=creators[2], title="视频笔记的完播率"),
        ]
        for voter in creators[1:4]:
            services.topic_upvote(topic_id=topics[0].pk, user=voter)
        return_ids = [topics[0].pk, topics[1].pk]
        operator = get_user_model().objects.filter(username="admin").first()
        if operator is not None:
            services.topics_pick(session_id=session.pk, topic_ids=return_ids, operator=operator)
            services.topic_respond(
                topic_id=topics[0].pk,
                response="先固定一个垂直方向，保持每周三更。",
                operator=operator,
            )


def seed(ctx: DemoContext) -> None:
    users = get_user_model().objects
    creators = list(users.filter(pk__in=ctx.creator_ids).order_by("pk")[:8])
    operator = users.filter(username="admin").first()
    if operator is not None:
        _agency(ctx, operator, creators)
        _gifts(ctx, creators)
        _programs(ctx, operator, creators)
    _academy(ctx, creators)
