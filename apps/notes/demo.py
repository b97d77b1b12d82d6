"""Demo notes for ``manage.py seed_demo``: notes with real images, topics, likes, collects,
comments with replies, shares; the ``demo`` user owns a few.

Idempotent: notes are only added up to the target count (``--notes``, default 8 per creator),
engagement is generated for new notes only, and every counter and rank is then recomputed from
the rows (``note_counters_rebuild``), so a second run changes nothing. Images are a small
palette generated once with Pillow and shared by the demo notes' media rows; videos share one
clip made by ffmpeg (skipped when ffmpeg is missing). 20,000 notes take well under a minute on
PostgreSQL.
"""

import random
import shutil
import subprocess
import tempfile
import time
from datetime import timedelta
from io import BytesIO
from itertools import accumulate, islice
from pathlib import Path

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management.base import CommandParser
from django.db import connection
from django.utils import timezone
from PIL import Image, ImageDraw, ImageOps
from tqdm import tqdm

from apps.accounts.models import Category
from apps.core.seeding import DemoContext
from apps.notes.models import (
    Collect,
    Comment,
    CommentLike,
    MediaKind,
    Note,
    NoteKind,
    NoteLike,
    NoteMedia,
    NoteStatus,
    NoteTopic,
    NoteVisibility,
    Share,
    ShareChannel,
    Topic,
)
from apps.notes.services import note_counters_rebuild
from apps.notes.text import search_document, topic_key

BATCH = 5_000
NOTES_PER_CREATOR = 8
DEMO_USER_NOTES = 6
PALETTE = [
    ("#f7c5cc", "#c9184a"),
    ("#ffe5b4", "#ff7b00"),
    ("#caf0f8", "#0077b6"),
    ("#d8f3dc", "#2d6a4f"),
    ("#e9d8fd", "#6b21a8"),
    ("#fde2e4", "#9d4edd"),
    ("#fff1c1", "#bc6c25"),
    ("#e0e1dd", "#1b263b"),
    ("#ffd6a5", "#d62828"),
    ("#bde0fe", "#3a0ca3"),
    ("#f1faee", "#e63946"),
    ("#edf6f9", "#006d77"),
]
TOPICS = {
    "beauty": ["口红试色", "秋冬妆容", "平价彩妆", "新手化妆"],
    "skincare": ["敏感肌护肤", "成分党", "防晒测评", "早C晚A"],
    "fashion": ["OOTD", "通勤穿搭", "小个子穿搭", "秋冬外套"],
    "food": ["上海美食", "探店", "家常菜", "减脂餐"],
    "travel": ["周末去哪儿", "旅行攻略", "露营", "citywalk"],
    "home": ["租房改造", "收纳整理", "家居好物"],
    "fitness": ["居家健身", "跑步打卡", "普拉提"],
    "parenting": ["辅食添加", "育儿经验", "亲子游"],
    "tech": ["数码好物", "桌面改造", "手机摄影"],
    "pets": ["猫咪日常", "新手养狗", "宠物用品"],
}
GENERIC_TOPICS = ["好物分享", "生活碎片", "今日份快乐"]
TITLE_FORMS = [
    "{topic}｜真心推荐",
    "{topic}合集来了",
    "{n}个{topic}小技巧",
    "终于找到对的{topic}",
    "{topic}避雷指南",
    "我的{topic}日记",
    "{topic}第{n}弹",
]
SENTENCES = [
    "用了一个月来说说真实感受。",
    "没有广告，纯分享～",
    "姐妹们冲！",
    "细节都在图里了。",
    "价格很友好，学生党也可以入。",
    "周末和朋友一起去的，氛围感拉满。",
    "记录一下，方便以后回看。",
    "有问题评论区问我～",
]
COMMENTS = [
    "好好看！求链接",
    "已收藏，谢谢分享",
    "请问是什么色号？",
    "太实用了",
    "这个我也买了，确实不错",
    "博主皮肤好好",
    "地址在哪里呀",
    "蹲一个后续",
    "学到了！",
    "哈哈哈哈真实",
]
REPLIES = ["在主页置顶哦", "是的～", "谢谢喜欢！", "同问", "私信你啦", "+1"]


def add_arguments(parser: CommandParser) -> None:
    parser.add_argument(
        "--notes",
        type=int,
        default=None,
        help=f"demo notes (default {NOTES_PER_CREATOR} per creator; 20,000 for benchmarks)",
    )


def _batched(items: list, size: int = BATCH):
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


# --- media ------------------------------------------------------------------------------------


def _palette_images() -> list[tuple[str, str, int, int]]:
    """(file, thumbnail, thumbnail width, height) for each palette image, stored once."""
    stored = []
    for index, (light, dark) in enumerate(PALETTE):
        name = f"notes/demo/palette_{index:02d}.jpg"
        thumb = f"notes/demo/palette_{index:02d}_thumb.jpg"
        size = (720, 960) if index % 3 else (960, 720)
        if not default_storage.exists(name):
            gradient = Image.linear_gradient("L").resize(size)
            image = ImageOps.colorize(gradient, light, dark)
            draw = ImageDraw.Draw(image)
            radius = min(size) // 4
            center = (size[0] // 2, size[1] // 2)
            draw.ellipse(
                (center[0] - radius, center[1] - radius, center[0] + radius, center[1] + radius),
                fill=light,
            )
            out = BytesIO()
            image.save(out, "JPEG", quality=85)
            default_storage.save(name, ContentFile(out.getvalue()))
            image.thumbnail((540, 1080))
            out = BytesIO()
            image.save(out, "JPEG", quality=80)
            default_storage.save(thumb, ContentFile(out.getvalue()))
        thumb_size = (540, 720) if index % 3 else (540, 405)
        stored.append((name, thumb, *thumb_size))
    return stored


def _demo_clip() -> tuple[str, str] | None:
    """A short real MP4 and its cover, made once with ffmpeg; None without ffmpeg."""
    name, cover = "notes/demo/clip.mp4", "notes/demo/clip_cover.jpg"
    if default_storage.exists(name) and default_storage.exists(cover):
        return name, cover
    ffmpeg = shutil.which(settings.NOTES_FFMPEG_BINARY)
    if ffmpeg is None:
        return None
    with tempfile.TemporaryDirectory() as workdir:
        clip = Path(workdir) / "clip.mp4"
        frame = Path(workdir) / "cover.jpg"
        source = "testsrc2=s=360x640:r=10"
        encode = ["-t", "4", "-c:v", "libx264", "-pix_fmt", "yuv420p", str(clip)]
        subprocess.run(
            [ffmpeg, "-v", "error", "-y", "-f", "lavfi", "-i", source, *encode],
            check=True,
            timeout=60,
        )
        grab = ["-frames:v", "1", "-vf", "scale=540:-2", str(frame)]
        subprocess.run(
            [ffmpeg, "-v", "error", "-y", "-ss", "1", "-i", str(clip), *grab],
            check=True,
            timeout=60,
        )
        default_storage.save(name, ContentFile(clip.read_bytes()))
        default_storage.save(cover, ContentFile(frame.read_bytes()))
    return name, cover


# --- notes ----------------------------------------------------------------------------------


def _title(rng: random.Random, topic: str) -> str:
    return rng.choice(TITLE_FORMS).format(topic=topic, n=rng.randint(2, 9))[:20]


def _body(rng: random.Random, topics: list[str]) -> str:
    sentences = " ".join(rng.sample(SENTENCES, rng.randint(2, 4)))
    return f"{sentences}\n" + " ".join(f"#{t}" for t in topics)


def _new_notes(
    *,
    rng: random.Random,
    count: int,
    authors: list[int],
    author_weights: list[float],
    categories: dict[str, int],
    now,
    with_video: bool,
) -> list[Note]:
    slugs = [slug for slug in TOPICS if slug in categories]
    notes = []
    for _ in range(count):
        author = rng.choices(authors, cum_weights=author_weights)[0]
        # Creators stay mostly in their own field.
        slug = slugs[author % len(slugs)] if rng.random() < 0.7 else rng.choice(slugs)
        topics = rng.sample(TOPICS[slug], rng.randint(1, 2))
        if rng.random() < 0.3:
            topics.append(rng.choice(GENERIC_TOPICS))
        title = _title(rng, topics[0])
        body = _body(rng, topics)
        roll = rng.random()
        status = NoteStatus.DRAFT if roll < 0.04 else NoteStatus.PUBLISHED
        visibility = NoteVisibility.PRIVATE if 0.04 <= roll < 0.07 else NoteVisibility.PUBLIC
        # Recent notes are more numerous: a quarter in the last three days.
        age = timedelta(hours=rng.expovariate(1 / (24 * 20)))
        published_at = now - min(age, timedelta(days=365))
        notes.append(
            Note(
                author_id=author,
                kind=NoteKind.VIDEO if with_video and rng.random() < 0.12 else NoteKind.IMAGE,
                title=title,
                body=body,
                category_id=categories[slug],
                visibility=visibility,
                status=status,
                published_at=published_at if status == NoteStatus.PUBLISHED else None,
                search_text=search_document(title=title, body=body, topics=topics),
                location_name=rng.choice(["", "", "上海·武康路", "杭州·西湖", "成都·太古里"]),
            )
        )
    return notes


def _attach_media(
    rng: random.Random, notes: list[Note], palette: list, clip: tuple[str, str] | None
) -> list[NoteMedia]:
    rows = []
    for note in notes:
        if note.kind == NoteKind.VIDEO and clip is not None:
            note.cover, note.cover_width, note.cover_height = clip[1], 540, 960
            rows.append(
                NoteMedia(
                    note=note,
                    kind=MediaKind.VIDEO,
                    position=0,
                    file=clip[0],
                    thumbnail=clip[1],
                    format="MP4",
                    width=360,
                    height=640,
                    size_bytes=default_storage.size(clip[0]),
                    duration_seconds=4.0,
                )
            )
            continue
        note.kind = NoteKind.IMAGE
        for position, (name, thumb, width, height) in enumerate(
            rng.sample(palette, rng.randint(1, 6))
        ):
            if position == 0:
                note.cover, note.cover_width, note.cover_height = thumb, width, height
            rows.append(
                NoteMedia(
                    note=note,
                    kind=MediaKind.IMAGE,
                    position=position,
                    file=name,
                    thumbnail=thumb,
                    format="JPEG",
                    width=width * 4 // 3,
                    height=height * 4 // 3,
                    size_bytes=120_000,
                )
            )
    return rows


def _engagement(rng: random.Random, notes: list[Note], user_ids: list[int]) -> dict[str, list]:
    """Long-tailed likes, with collects, shares and comments in proportion."""
    rows: dict[str, list] = {"likes": [], "collects": [], "shares": [], "comments": []}
    channels = ShareChannel.values
    for note in notes:
        if note.status != NoteStatus.PUBLISHED or note.visibility != NoteVisibility.PUBLIC:
            continue
        likes = min(int(rng.paretovariate(1.2) * 3) - 3, len(user_ids) - 1, 3000)
        likers = rng.sample(user_ids, max(likes, 0))
        rows["likes"] += [NoteLike(note=note, user_id=u) for u in likers if u != note.author_id]
        for user_id in likers[: int(likes * rng.uniform(0.1, 0.4))]:
            if user_id != note.author_id:
                rows["collects"].append(Collect(note=note, user_id=user_id))
        for user_id in likers[: int(likes * 0.05)]:
            rows["shares"].append(Share(note=note, user_id=user_id, channel=rng.choice(channels)))
        commenters = likers[: min(int(likes * 0.15) + rng.randint(0, 2), 40)]
        rows["comments"] += [
            Comment(
                note=note,
                note_author_id=note.author_id,
                author_id=user_id,
                body=rng.choice(COMMENTS),
            )
            for user_id in commenters
        ]
    return rows


def _replies(rng: random.Random, top_level: list[Comment]) -> list[Comment]:
    replies = []
    for comment in top_level:
        if rng.random() < 0.3:
            note_author = comment.note.author_id
            replies.append(
                Comment(
                    note_id=comment.note_id,
                    note_author_id=note_author,
                    author_id=note_author,
                    body=rng.choice(REPLIES),
                    parent=comment,
                    reply_to=comment,
                    reply_to_user_id=comment.author_id,
                )
            )
    return replies


def _topic_links(notes: list[Note]) -> list[NoteTopic]:
    names = {}
    per_note = []
    for note in notes:
        found = [part[1:] for part in note.body.split() if part.startswith("#")]
        per_note.append((note, found))
        for name in found:
            names.setdefault(topic_key(name), name)
    Topic.objects.bulk_create(
        [Topic(name=name, key=key) for key, name in names.items()], ignore_conflicts=True
    )
    ids = dict(Topic.objects.filter(key__in=list(names)).values_list("key", "id"))
    return [
        NoteTopic(note=note, topic_id=ids[topic_key(name)])
        for note, found in per_note
        if note.status == NoteStatus.PUBLISHED
        for name in found
    ]


# Rows whose ids later rows need are inserted plainly (bulk_create returns their ids).
NEED_IDS = (Note, NoteMedia, Comment)


def _insert(label: str, rows: list, progress: bool) -> None:
    if not rows:
        return
    model = type(rows[0])
    for chunk in tqdm(
        list(_batched(rows)), desc=label, disable=None if progress else True, leave=False
    ):
        model.objects.bulk_create(chunk, ignore_conflicts=model not in NEED_IDS)


def seed(ctx: DemoContext) -> None:
    started = time.monotonic()
    rng = random.Random(f"notes-{ctx.options.get('seed', 0)}")
    creators = list(ctx.creator_ids)
    target = ctx.options.get("notes")
    target = len(creators) * NOTES_PER_CREATOR if target is None else max(int(target), 0)
    categories = dict(Category.objects.values_list("slug", "id"))
    if not creators or not categories:
        return
    now = timezone.now()
    palette = _palette_images()
    clip = _demo_clip()

    creator_weights = list(accumulate(1.0 / (rank + 1) ** 0.7 for rank in range(len(creators))))
    missing = max(target - Note.objects.filter(author_id__in=creators).count(), 0)
    notes = _new_notes(
        rng=rng,
        count=missing,
        authors=creators,
        author_weights=creator_weights,
        categories=categories,
        now=now,
        with_video=clip is not None,
    )
    demo_missing = DEMO_USER_NOTES - Note.objects.filter(author_id=ctx.demo_user_id).count()
    if demo_missing > 0:
        own = _new_notes(
            rng=rng,
            count=demo_missing,
            authors=[ctx.demo_user_id],
            author_weights=[1.0],
            categories=categories,
            now=now,
            with_video=clip is not None,
        )
        own[0].status, own[0].published_at = NoteStatus.DRAFT, None
        notes += own
    if not notes:
        return

    media = _attach_media(rng, notes, palette, clip)
    _insert("notes", notes, ctx.progress)
    _insert("media", media, ctx.progress)
    _insert("topics", _topic_links(notes), ctx.progress)
    engagement = _engagement(rng, notes, ctx.user_ids)
    for label in ("likes", "collects", "shares"):
        _insert(label, engagement[label], ctx.progress)
    comments = engagement["comments"]
    _insert("comments", comments, ctx.progress)
    replies = _replies(rng, comments)
    _insert("replies", replies, ctx.progress)
    comment_likes = [
        CommentLike(comment=comment, user_id=user_id)
        for comment in comments
        if rng.random() < 0.4
        for user_id in rng.sample(ctx.user_ids, rng.randint(1, 5))
    ]
    _insert("comment likes", comment_likes, ctx.progress)

    if connection.vendor == "postgresql":  # fresh statistics before the set-based recount
        with connection.cursor() as cursor:
            for model in (Note, NoteMedia, NoteTopic, NoteLike, Collect, Share, Comment):
                cursor.execute(f'ANALYZE "{model._meta.db_table}"')
    note_counters_rebuild()
    ctx.stdout.write(
        f"notes: {len(notes):,} notes, {len(engagement['likes']):,} likes, "
        f"{len(comments) + len(replies):,} comments in {time.monotonic() - started:.1f}s"
    )
