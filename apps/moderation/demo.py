"""Demo data for moderation: rules in every category, a few reports, one open case, and a
strike under appeal (rejected by ``admin``, so another operator must decide the appeal).

Idempotent: rules are looked up by their normalised term, category and action; cases are seeded
only for users who have none.
"""

from apps.accounts.models import User
from apps.core.seeding import DemoContext
from apps.moderation import services
from apps.moderation.models import Appeal, Case, KeywordRule, Strike
from apps.moderation.normalize import normalize
from apps.moderation.screening import Surface

ALL = list(Surface.values)
TEXT = [Surface.NOTE, Surface.COMMENT, Surface.LIVE_CHAT]
# (term, category, action, surfaces, whole_word)
RULES = [
    ("法轮功", "politics", "block", ALL, False),
    ("台独", "politics", "block", ALL, False),
    ("翻墙软件", "politics", "review", ALL, False),
    ("约炮", "porn", "block", ALL, False),
    ("裸聊", "porn", "block", ALL, False),
    ("成人视频", "porn", "block", ALL, False),
    ("porn", "porn", "block", ALL, True),
    ("onlyfans", "porn", "review", ALL, False),
    ("网赌", "gambling", "block", ALL, False),
    ("百家乐", "gambling", "block", ALL, False),
    ("六合彩", "gambling", "block", ALL, False),
    ("bet365", "gambling", "block", ALL, False),
    ("casino", "gambling", "review", ALL, True),
    ("刷单返利", "fraud", "block", ALL, False),
    ("代开发票", "fraud", "block", ALL, False),
    ("信用卡套现", "fraud", "block", ALL, False),
    ("高仿", "fraud", "review", TEXT, False),
    ("官方客服", "fraud", "block", [Surface.USERNAME, Surface.PROFILE], False),
    ("傻逼", "abuse", "mask", ALL, False),
    ("脑残", "abuse", "mask", ALL, False),
    ("去死", "abuse", "review", TEXT, False),
    ("fuck", "abuse", "mask", ALL, False),
    ("idiot", "abuse", "mask", ALL, True),
    ("加微信", "contact", "mask", TEXT, False),
    ("加v", "contact", "mask", TEXT, False),
    ("qq号", "contact", "mask", TEXT, False),
    ("weixin", "contact", "mask", [*TEXT, Surface.USERNAME], False),
    ("代购", "ads", "review", TEXT, False),
    ("引流", "ads", "review", TEXT, False),
    ("兼职日结", "ads", "block", ALL, False),
    ("点击链接领取", "ads", "review", TEXT, False),
]


def _seed_rules(admin: User) -> int:
    created = 0
    for term, category, action, surfaces, whole_word in RULES:
        key = normalize(term)
        if KeywordRule.objects.filter(
            normalized_term=key, category=category, action=action
        ).exists():
            continue
        services.keyword_rule_create(
            term=term,
            category=category,
            action=action,
            surfaces=surfaces,
            whole_word=whole_word,
            note="Demo rule",
            actor=admin,
        )
        created += 1
    return created


def _report(reporter_id: int, reported_id: int, reason: str, detail: str = "") -> None:
    services.report_create(
        reporter=User.objects.get(pk=reporter_id),
        target_key="user",
        object_id=reported_id,
        reason=reason,
        detail=detail,
    )


def seed(ctx: DemoContext) -> None:
    admin = User.objects.get(username="admin")
    rules = _seed_rules(admin)

    creators, fans = ctx.creator_ids, ctx.user_ids[len(ctx.creator_ids) :]
    if len(creators) < 5 or len(fans) < 6:
        return
    open_target, struck, kept = creators[3], creators[4], creators[2]

    # One open case: the demo user and a fan report a creator's profile.
    if not Case.objects.filter(target_key="user", object_id=open_target).exists():
        _report(ctx.demo_user_id, open_target, "spam", "简介里一直在引流")
        _report(fans[0], open_target, "fraud", "冒充官方客服")

    # A case rejected by the admin: a strike, which its author has appealed.
    if not Case.objects.filter(target_key="user", object_id=struck).exists():
        for index, fan in enumerate(fans[1:4]):
            _report(fan, struck, "abuse", "辱骂评论区的粉丝" if index == 0 else "")
        case = Case.objects.get(target_key="user", object_id=struck)
        services.case_reject(
            case_id=case.pk,
            operator=admin,
            reason="Insulting other users in the profile text.",
            category="abuse",
        )
        strike = Strike.objects.get(case=case)
        if not Appeal.objects.filter(strike=strike).exists():
            services.appeal_create(
                user=User.objects.get(pk=struck),
                strike_id=strike.pk,
                reason="那是一句歌词，不是在骂人，请再看一下。",
            )

    # A case approved: the report was mistaken.
    if not Case.objects.filter(target_key="user", object_id=kept).exists():
        _report(fans[4], kept, "other", "看着像广告")
        case = Case.objects.get(target_key="user", object_id=kept)
        services.case_approve(
            case_id=case.pk, operator=admin, reason="A real creator; no advertising."
        )

    if ctx.progress or rules:
        ctx.stdout.write(
            f"moderation: {KeywordRule.objects.count()} rules, "
            f"{Case.objects.count()} cases ({Case.objects.filter(status='open').count()} open)"
        )
