"""The peer space with 5,000 posts: its pages' p50/p95 and query counts.

    .venv/bin/python bench/community_space.py [--posts 5000] [--runs 20]

Builds, in a fresh PostgreSQL database `openiop_bench_community` on DATABASE_URL's server, one
program with two groups: a small space (50 posts) and a large one (`--posts`, default 5,000:
4,000 threads, and 1,000 replies in one thread), every post encrypted as the app stores it.
Then, as a seated participant and as the group's peer specialist, in-process:

- space page: the first page of threads, and a deep page (page 100);
- thread page: the thread with 1,000 replies (first and last page of replies);
- moderation view (the moderator).

Prints p50/p95 in milliseconds and query counts, small and large; exits non-zero if any page
runs more queries in the large space than in the small one.
"""

import argparse
import os
import sys
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DATABASE = "openiop_bench_community"

from bench.support import recreate_database, timed  # noqa: E402


def fill(space, authors, *, threads: int, replies: int):
    """`threads` threads and `replies` replies in the first one, a distinct text each."""
    from django.utils import timezone

    from openiop.community import actions
    from openiop.community.models import Post

    now = timezone.now()
    made = Post.objects.bulk_create(
        [
            Post(
                space=space,
                author=authors[i % len(authors)],
                ciphertext=actions.encrypt(f"Thread {i}: what helped this week."),
                created_at=now - timedelta(minutes=i),
                last_activity_at=now - timedelta(minutes=i),
            )
            for i in range(threads)
        ],
        batch_size=1000,
    )
    Post.objects.bulk_create(
        [
            Post(
                space=space,
                parent=made[0],
                author=authors[i % len(authors)],
                ciphertext=actions.encrypt(f"Reply {i}: same here."),
                created_at=now - timedelta(days=1) + timedelta(seconds=i),
                last_activity_at=now,
            )
            for i in range(replies)
        ],
        batch_size=1000,
    )
    return made[0]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--posts", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()

    base = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")
    os.environ["DATABASE_URL"] = recreate_database(base, DATABASE)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("OPENIOP_MODE", "development")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from bench.signin import session_key_for
    from openiop.accounts.models import User
    from openiop.community import actions
    from openiop.community.access import seat_in
    from openiop.participants.models import Participant
    from openiop.programs.models import Group, GroupFacilitator, Program, Track
    from openiop.scheduling.models import Enrollment

    call_command("migrate", verbosity=0)
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]
    program = Program.objects.create(name="Bench IOP")
    track = Track.objects.create(program=program, name="Evening", starts_on=date(2026, 1, 5))
    peer = User.objects.create_user(
        "peer@bench.invalid",
        None,
        given_name="Sam",
        family_name="Peer",
        role=User.Role.CLINICIAN,
        discipline=User.Discipline.PEER_SPECIALIST,
    )
    groups = [
        Group.objects.create(track=track, name=name, curriculum_starts_on=date(2026, 1, 5))
        for name in ("Small", "Large")
    ]
    people = []
    for i in range(10):
        user = User.objects.create_user(
            f"p{i}@bench.invalid",
            None,
            given_name=f"Member{i}",
            family_name="Bench",
            role=User.Role.PARTICIPANT,
        )
        people.append(
            Participant.objects.create(
                user=user,
                program=program,
                given_name=f"Member{i}",
                family_name="Bench",
                date_of_birth=date(1990, 1, 1),
                home_state="NY",
            )
        )
    for group in groups:
        GroupFacilitator.objects.create(group=group, clinician=peer, role="peer")
        for person in people:
            Enrollment.objects.create(
                participant=person,
                group=group,
                status="seated",
                starts_on=date(2026, 11, 2),
                expected_end_on=date(2026, 12, 28),
                requested_at=timezone.now(),
                seated_at=timezone.now(),
                created_by=peer,
            )
    users = [account for p in people if (account := p.user) is not None]
    authors = [*users, peer]
    reader = users[0]
    spaces, threads = {}, {}
    for group, (count, replies) in zip(
        groups, ((40, 10), (args.posts - args.posts // 5, args.posts // 5)), strict=True
    ):
        space = actions.ensure_spaces(group, acting_user=None)[0]
        actions.accept_rules(seat_in(reader, space), acting_user=reader)
        threads[group.name] = fill(space, authors, threads=count, replies=replies)
        spaces[group.name] = space
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    settings.DEBUG = True
    member, moderator = Client(HTTP_HOST="127.0.0.1"), Client(HTTP_HOST="127.0.0.1")
    member.cookies["sessionid"] = session_key_for(reader)
    moderator.cookies["sessionid"] = session_key_for(peer)

    def get(client, url: str):
        def run() -> None:
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)

        return run

    results: dict[str, dict[str, dict[str, float]]] = {}
    for size in ("Small", "Large"):
        space, thread = spaces[size], threads[size]
        pages = {
            "space, first page": get(member, f"/community/{space.code}/"),
            "space, page 100": get(member, f"/community/{space.code}/?page=100"),
            "space, htmx poll": lambda s=space: member.get(
                f"/community/{s.code}/", HTTP_HX_REQUEST="true"
            ),
            "thread, first replies": get(member, f"/community/posts/{thread.code}/"),
            "thread, last replies": get(member, f"/community/posts/{thread.code}/?page=last"),
            "moderation view": get(moderator, f"/community/{space.code}/moderation/"),
        }
        results[size] = {name: timed(call, args.runs) for name, call in pages.items()}
    large_posts = args.posts
    print(
        f"spaces: small 50 posts, large {large_posts:,} posts ({large_posts // 5:,} replies "
        "in one thread)"
    )
    width = max(len(name) for name in results["Small"])
    print(
        f"{'':{width}}  {'small p50':>9} {'p95':>7} {'q':>3}   {'large p50':>9} {'p95':>7} {'q':>3}"
    )
    constant = True
    for name in results["Small"]:
        s, big = results["Small"][name], results["Large"][name]
        constant &= big["queries"] <= s["queries"]
        print(
            f"{name:{width}}  {s['p50_ms']:>9} {s['p95_ms']:>7} {s['queries']:>3}   "
            f"{big['p50_ms']:>9} {big['p95_ms']:>7} {big['queries']:>3}"
        )
    print("query count constant in posts:", "yes" if constant else "NO")
    return 0 if constant else 1


if __name__ == "__main__":
    raise SystemExit(main())
