from django.urls import reverse

from openiop.accounts.models import User
from openiop.core import demo
from openiop.programs.models import Group, Track
from openiop.scheduling import demo as schedule_demo
from openiop.testing import BaseTestCase


class SetupDemoTestCase(BaseTestCase):
    def test_the_demo_director_sees_the_demo_programs_tracks_and_groups(self):
        program = demo.load(participants=24, weeks=4)
        schedule_demo.load(program)
        director = User.objects.get(
            role=User.Role.PROGRAM_DIRECTOR, program_memberships__program=program
        )
        self.login(director)
        response = self.client.get(reverse("programs:index"), follow=True)
        self.assertEqual(
            response.redirect_chain[-1][0], reverse("programs:setup", args=[program.code])
        )
        tracks = Track.objects.filter(program=program)
        self.assertGreaterEqual(tracks.count(), 2)
        for track in tracks:
            self.assertContains(response, track.name)
        group = Group.objects.filter(track__program=program).first()
        assert group is not None
        topic = group.topics.first()
        assert topic is not None
        response = self.client.get(reverse("programs:group", args=[group.code]))
        self.assertContains(response, topic.title)
