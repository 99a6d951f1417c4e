"""The peer-space demo: an active space with threads, replies and a report."""

from datetime import UTC, datetime

import time_machine
from django.utils import timezone

from openiop.community.demo import load_community_demo
from openiop.community.models import Post, Report, Space
from openiop.core import demo
from openiop.scheduling import demo as schedule_demo
from openiop.testing import TransactionalTestCase


@time_machine.travel(datetime(2026, 12, 8, 14, 0, tzinfo=UTC), tick=True)
class CommunityDemoTest(TransactionalTestCase):
    def test_it_loads_an_active_peer_space(self):
        program = demo.load(participants=20)
        schedule_demo.load(program, weeks_back=2, weeks_ahead=1)
        space = load_community_demo(program, now=timezone.now())
        assert space is not None
        self.assertEqual(space.kind, Space.Kind.GROUP)
        self.assertGreaterEqual(Post.objects.filter(space=space, parent__isnull=True).count(), 3)
        self.assertTrue(Post.objects.filter(space=space, parent__isnull=False).exists())
        self.assertFalse(Post.objects.exclude(status=Post.Status.VISIBLE).exists())
        self.assertEqual(Report.objects.count(), 1)
