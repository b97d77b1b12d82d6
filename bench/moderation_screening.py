"""Keyword screening throughput: the Aho-Corasick service against one big regular expression.

Generates ``--rules`` keyword rules (Chinese phrases of 3-4 characters, Latin words, and
alphanumeric spam tokens, with a few hundred terms nested inside longer ones) and stores them
as rule rows, then:

1. rebuilds the automaton (rules read from the database and compiled), three times;
2. screens ``--texts`` generated texts through ``screen_text`` (the service every write uses:
   normalisation, the automaton, whole-word checks, contact details, masking);
3. compiles the same normalised terms into one Python regular expression alternation
   (longest first) and screens a sample of ``--regex-sample`` texts with it: the same
   normalisation, then ``finditer`` with a look-ahead so every start position is tried;
4. compares, on ``--compare-sample`` texts, the hits of both: for each start position in the
   original text, the longest term found there (a regex reports one match per position).

Texts are 20 to 120 characters of everyday Chinese with some English, emoji and punctuation;
about 2% carry a rule term, half of those with an evasion (spaces, punctuation, zero-width
characters, full-width letters). Texts are generated in chunks outside the timed sections.

Everything runs in one transaction that is rolled back: no rule is left behind. Without
``DATABASE_URL`` a temporary SQLite database is created and migrated.

    .venv/bin/python bench/moderation_screening.py [--texts 1000000] [--rules 10000] \\
        [--regex-sample 20000] [--compare-sample 10000] [--seed 2026]
"""

import argparse
import os
import random
import re
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

CHUNK = 10_000
# Everyday characters the texts are written in.
COMMON = (
    "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能"
    "下过子说产种面而方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量"
    "都两体制机当使点从业本去把性好应开它合还因由其些然前外天政四日那社义事平形相全表间样与关各"
    "重新线内数正心反你明看原又么利比或但质气第向道命此变条只没结解问意建月公无系军很情者最立代"
    "想已通并提直题党程展五果料象员革位入常文总次品式活设及管特件长求老头基资边流路级少图山统接"
    "知较将组见计别她手角期根论运农指几九区强放决西被干做必战先回则任取据处队南给色光门即保治北"
    "造百规热领七海口东导器压志世金增争济阶油思术极交受联什认六共权收证改清己美再采转更单风切打"
    "今天分享好物推荐真的超级喜欢姐妹们冲周末一起去吃探店打卡穿搭护肤口红色号旅行攻略拍照氛围感"
)
# Characters rule terms are made of: mostly everyday ones, so terms look like real phrases.
RULE_CHARS = COMMON + "赌博彩票裸聊约炮刷单返利套现代购引流兼职日结高仿诈骗骂死蠢贱"
LATIN_WORDS = [
    "good",
    "nice",
    "love",
    "sale",
    "cute",
    "daily",
    "vlog",
    "outfit",
    "makeup",
    "coffee",
    "travel",
    "weekend",
    "photo",
    "look",
    "style",
    "share",
    "review",
    "haul",
    "skincare",
    "link",
    "shop",
    "price",
    "deal",
    "free",
    "gift",
    "new",
    "best",
    "top",
    "happy",
]
FILLERS = ["，", "。", "！", "～", " ", "、", "？", "😊", "✨", "❤️", "#", "…"]
EVASION_JOINERS = [" ", ".", "-", "\u200b", "\u200d", "、", "*"]
FULL_WIDTH = {chr(c): chr(c + 0xFEE0) for c in range(0x21, 0x7F)}


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    temporary = not os.environ.get("DATABASE_URL")
    if temporary:
        os.environ["SQLITE_PATH"] = str(Path(tempfile.mkdtemp()) / "bench.sqlite3")
    import django

    django.setup()
    if temporary:
        from django.core.management import call_command

        call_command("migrate", verbosity=0)


# --- data -------------------------------------------------------------------------------------


def make_terms(rng: random.Random, count: int) -> list[str]:
    """Distinct normalised terms: 70% Chinese phrases, 15% Latin words, 15% spam tokens."""
    from apps.moderation.normalize import normalize

    alphabet = "abcdefghijklmnopqrstuvwxyz"
    terms: dict[str, None] = {}
    while len(terms) < count:
        roll = rng.random()
        if roll < 0.70:
            term = "".join(rng.choices(RULE_CHARS, k=rng.choice((3, 3, 4, 4, 5))))
        elif roll < 0.85:
            term = "".join(rng.choices(alphabet, k=rng.randint(5, 10)))
        else:
            term = "".join(rng.choices(alphabet, k=rng.randint(2, 4))) + str(rng.randint(10, 9999))
        if rng.random() < 0.03 and terms:  # nested terms: a longer one containing a shorter one
            term = rng.choice(list(terms)[-50:]) + "".join(rng.choices(RULE_CHARS, k=2))
        key = normalize(term)
        if len(key) >= 3:
            terms[key] = None
    return list(terms)


def store_rules(terms: list[str], rng: random.Random) -> None:
    from apps.moderation.models import KeywordRule, RuleAction, RuleCategory

    categories = [c for c in RuleCategory.values if c != "contact"]
    actions = [RuleAction.MASK] * 5 + [RuleAction.REVIEW] * 3 + [RuleAction.BLOCK] * 2
    KeywordRule.objects.bulk_create(
        [
            KeywordRule(
                term=term,
                normalized_term=term,
                category=rng.choice(categories),
                action=rng.choice(actions),
            )
            for term in terms
        ],
        batch_size=2000,
    )


def _evade(rng: random.Random, term: str) -> str:
    style = rng.randrange(3)
    if style == 0:
        return rng.choice(EVASION_JOINERS).join(term)
    if style == 1:
        return "".join(FULL_WIDTH.get(char, char) for char in term.upper())
    return "\u200b".join(term)


def texts(rng: random.Random, count: int, terms: list[str]) -> Iterator[list[str]]:
    """Generated texts in chunks, so a million never sit in memory at once."""
    made = 0
    while made < count:
        size = min(CHUNK, count - made)
        chunk = []
        for _ in range(size):
            parts = []
            length = 0
            target = rng.randint(20, 120)
            while length < target:
                roll = rng.random()
                if roll < 0.70:
                    part = "".join(rng.choices(COMMON, k=rng.randint(2, 8)))
                elif roll < 0.82:
                    part = f" {rng.choice(LATIN_WORDS)} "
                else:
                    part = rng.choice(FILLERS)
                parts.append(part)
                length += len(part)
            if rng.random() < 0.02:
                term = rng.choice(terms)
                parts.insert(
                    rng.randrange(len(parts) + 1), _evade(rng, term) if rng.random() < 0.5 else term
                )
            chunk.append("".join(parts))
        made += size
        yield chunk


# --- the regular-expression baseline -------------------------------------------------------------


def compile_regex(terms: list[str]) -> re.Pattern:
    alternation = "|".join(re.escape(term) for term in sorted(terms, key=len, reverse=True))
    return re.compile(f"(?=({alternation}))")


def regex_spans(pattern: re.Pattern, text: str) -> set[tuple[int, int]]:
    """Longest term at each start position, in original offsets."""
    from apps.moderation.normalize import normalize, normalize_with_offsets

    found = [(m.start(1), m.end(1)) for m in pattern.finditer(normalize(text))]
    if not found:
        return set()
    mapped = normalize_with_offsets(text)
    return {mapped.original_span(start, end) for start, end in found}


def service_spans(text: str) -> set[tuple[int, int]]:
    """The service's keyword hits reduced to the longest at each start position."""
    from apps.moderation.screening import Surface, screen_text

    longest: dict[int, int] = {}
    for hit in screen_text(surface=Surface.COMMENT, text=text).hits:
        if hit.rule_id is not None:  # keyword rules only: contact details are not in the regex
            longest[hit.start] = max(longest.get(hit.start, 0), hit.end)
    return set(longest.items())


# --- run ----------------------------------------------------------------------------------------


def run(args: argparse.Namespace) -> dict:
    from django.db import transaction

    from apps.moderation import matcher
    from apps.moderation.normalize import normalize
    from apps.moderation.screening import Surface, screen_text

    rng = random.Random(args.seed)
    results: dict = {}

    class Rollback(Exception):
        pass

    try:
        with transaction.atomic():
            terms = make_terms(rng, args.rules)
            store_rules(terms, rng)

            rebuilds, compiles = [], []
            for _ in range(3):
                started = time.perf_counter()
                compiled = matcher.rebuild()
                rebuilds.append(time.perf_counter() - started)
                entries = matcher.load_entries()
                started = time.perf_counter()
                matcher.CompiledRules(entries)
                compiles.append(time.perf_counter() - started)
            assert compiled.rule_count == len(terms)
            results["rebuild_seconds"] = statistics.median(rebuilds)
            results["compile_seconds"] = statistics.median(compiles)

            # 1. The service over every text.
            actions: Counter = Counter()
            screened, elapsed, chars = 0, 0.0, 0
            sample: list[str] = []
            for chunk in texts(rng, args.texts, terms):
                if len(sample) < max(args.regex_sample, args.compare_sample):
                    sample.extend(
                        chunk[: max(args.regex_sample, args.compare_sample) - len(sample)]
                    )
                started = time.perf_counter()
                for text in chunk:
                    actions[screen_text(surface=Surface.COMMENT, text=text).action] += 1
                elapsed += time.perf_counter() - started
                screened += len(chunk)
                chars += sum(map(len, chunk))
            results.update(
                texts=screened,
                service_seconds=elapsed,
                service_rate=screened / elapsed,
                mean_length=chars / screened,
                actions={str(action): n for action, n in actions.items()},
            )

            # 2. The same rules as one regular expression, on a sample.
            started = time.perf_counter()
            pattern = compile_regex(terms)
            results["regex_compile_seconds"] = time.perf_counter() - started
            regex_sample = sample[: args.regex_sample]
            started = time.perf_counter()
            for text in regex_sample:
                pattern.findall(normalize(text))
            regex_elapsed = time.perf_counter() - started
            started = time.perf_counter()
            for text in regex_sample:
                screen_text(surface=Surface.COMMENT, text=text)
            service_on_sample = time.perf_counter() - started
            results.update(
                regex_texts=len(regex_sample),
                regex_rate=len(regex_sample) / regex_elapsed,
                service_rate_on_sample=len(regex_sample) / service_on_sample,
            )

            # 3. Identical hits?
            compare = sample[: args.compare_sample]
            differing = [t for t in compare if regex_spans(pattern, t) != service_spans(t)]
            with_hits = sum(1 for t in compare if service_spans(t))
            results.update(
                compared=len(compare), compared_with_hits=with_hits, differing=len(differing)
            )
            if differing:
                results["first_difference"] = differing[0]
            raise Rollback
    except Rollback:
        pass
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--texts", type=int, default=1_000_000)
    parser.add_argument("--rules", type=int, default=10_000)
    parser.add_argument("--regex-sample", type=int, default=20_000)
    parser.add_argument("--compare-sample", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument(
        "--min-speedup", type=float, default=0.0, help="exit 1 below this speed-up (smoke runs)"
    )
    args = parser.parse_args()
    _setup_django()
    r = run(args)

    # The conservative figure: the service's rate on the very texts the regex screened, or over
    # the whole run, whichever is lower.
    speedup = min(r["service_rate"], r["service_rate_on_sample"]) / r["regex_rate"]
    print(
        f"Keyword screening: {r['texts']:,} texts (mean {r['mean_length']:.0f} characters), "
        f"{args.rules:,} rules"
    )
    print(
        f"  automaton rebuild (read rules + compile): {r['rebuild_seconds'] * 1000:8.1f} ms"
        f"   (compile alone {r['compile_seconds'] * 1000:.1f} ms)"
    )
    print(
        f"  service screen_text():  {r['service_rate']:12,.0f} texts/s"
        f"   ({r['texts']:,} in {r['service_seconds']:.1f} s)"
    )
    print(
        f"  one regex alternation:  {r['regex_rate']:12,.0f} texts/s"
        f"   ({r['regex_texts']:,}-text sample; compiled in {r['regex_compile_seconds']:.1f} s;"
        f" the service did {r['service_rate_on_sample']:,.0f}/s on it)"
    )
    print(f"  speed-up: {speedup:.1f}x  (goal: at least 10x)")
    print(
        f"  identical hits: {r['compared'] - r['differing']:,} of {r['compared']:,} sampled texts"
        f" ({r['compared_with_hits']:,} with hits)"
    )
    print(f"  actions: {r['actions']}")
    if r["differing"]:
        print(f"  first difference: {r['first_difference']!r}")
        sys.exit(1)
    if speedup < args.min_speedup:
        print(f"  speed-up below {args.min_speedup}x")
        sys.exit(1)


if __name__ == "__main__":
    main()
