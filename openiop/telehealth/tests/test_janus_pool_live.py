"""The pool against a real Janus: a node that answers but refuses rooms, and a dead node."""

from __future__ import annotations

import json

import pytest

from openiop.telehealth import actions, janus
from openiop.telehealth.models import JanusNode

pytestmark = [pytest.mark.janus, pytest.mark.django_db]


def test_a_refusing_node_and_a_dead_node_are_marked_then_the_room_placed(lab, settings):
    settings.TELEHEALTH_JANUS_CLIENT = "openiop.telehealth.janus.from_settings"
    settings.JANUS_TOKEN_SECRET = lab.config.token_secret
    # Janus answers, but refuses to create rooms with this key.
    settings.JANUS_ADMIN_KEY = "not-the-admin-key-0123456789"
    settings.JANUS_NODES = json.dumps(
        [
            {"name": "dead", "url": "ws://127.0.0.1:18299"},  # nothing listens (ports 18200-99)
            {"name": "real", "url": f"ws://127.0.0.1:{lab.janus_host_port}"},
        ]
    )
    with pytest.raises(actions.VideoUnavailable):
        actions.place(lambda client: client.create_room(publishers=2))
    states = dict(JanusNode.objects.values_list("name", "state"))
    assert states == {"dead": "down", "real": "refusing"}
    assert "refused a room" in JanusNode.objects.get(name="real").detail

    found = {r.name: r.state for r in actions.check_nodes(replace=False)}
    assert found == {"dead": "down", "real": "refusing"}

    settings.JANUS_ADMIN_KEY = lab.config.admin_key
    found = {r.name: r.state for r in actions.check_nodes(replace=False)}
    assert found == {"dead": "down", "real": "up"}
    node, room = actions.place(lambda client: client.create_room(publishers=2))
    assert node == "real"
    with lab.client() as client:
        assert client.room_exists(room.room_id)
        client.destroy_room(room.room_id, room.secret)
    assert janus.connect_node("real").health().ok
