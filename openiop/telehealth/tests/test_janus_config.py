from typing import Any

import pytest

from openiop.telehealth.janus_config import JanusConfig, JanusConfigError, write_config

GOOD: dict[str, Any] = {"admin_key": "k" * 20, "token_secret": "s" * 40}


@pytest.fixture
def written(tmp_path):
    write_config(JanusConfig(**GOOD), tmp_path)
    return tmp_path


def test_it_loads_only_videoroom_and_websockets(written):
    assert [p.name for p in (written / "plugins").iterdir()] == ["libjanus_videoroom.so"]
    assert [p.name for p in (written / "transports").iterdir()] == ["libjanus_websockets.so"]
    assert list((written / "events").iterdir()) == []
    assert list((written / "loggers").iterdir()) == []
    core = (written / "janus.jcfg").read_text()
    assert f'plugins_folder = "{written}/plugins"' in core
    assert f'transports_folder = "{written}/transports"' in core


def test_it_requires_signed_tokens_and_an_admin_key(written):
    core = (written / "janus.jcfg").read_text()
    assert "token_auth = true" in core
    assert f'token_auth_secret = "{"s" * 40}"' in core
    room = (written / "janus.plugin.videoroom.jcfg").read_text()
    assert f'admin_key = "{"k" * 20}"' in room
    assert "string_ids = true" in room


def test_it_ships_no_demo_rooms_no_default_secrets_and_no_admin_api(written):
    text = "".join(p.read_text() for p in written.glob("*.jcfg"))
    for unsafe in ("janusoverlord", "adminpwd", "room-1234", "admin_secret", "api_secret"):
        assert unsafe not in text
    ws = (written / "janus.transport.websockets.jcfg").read_text()
    assert "admin_ws = false" in ws
    assert "wss = false" in ws
    assert 'ws_ip = "127.0.0.1"' in ws
    assert 'ws_acl = "127."' in ws


def test_it_sets_ports_mdns_and_no_stun_or_turn_by_default(written):
    core = (written / "janus.jcfg").read_text()
    assert 'rtp_port_range = "20000-40000"' in core
    assert "ignore_mdns = true" in core
    assert "stun_server" not in core
    assert "turn_server" not in core
    assert "interface =" not in core


def test_it_writes_stun_turn_and_media_address_when_configured(tmp_path):
    config = JanusConfig(
        **GOOD,
        media_ip="10.1.2.3",
        stun_server="stun.example.org",
        turn_server="turn.example.org",
        turn_user="janus",
        turn_password="pw",
    )
    core = write_config(config, tmp_path).read_text()
    assert 'interface = "10.1.2.3"' in core
    assert 'ice_enforce_list = "10.1.2.3"' in core
    assert 'stun_server = "stun.example.org"' in core
    assert 'turn_server = "turn.example.org"' in core


def test_config_files_are_private(written):
    for path in written.glob("*.jcfg"):
        assert path.stat().st_mode & 0o077 == 0


def test_rewriting_replaces_the_folder_contents(written):
    (written / "plugins" / "libjanus_streaming.so").touch()
    write_config(JanusConfig(**GOOD), written)
    assert [p.name for p in (written / "plugins").iterdir()] == ["libjanus_videoroom.so"]


def test_quotes_cannot_break_out_of_a_value(tmp_path):
    config = JanusConfig(admin_key='k"; admin_secret = "x', token_secret="s" * 40)
    text = write_config(config, tmp_path).parent.joinpath("janus.plugin.videoroom.jcfg").read_text()
    assert 'admin_key = "k\\"; admin_secret = \\"x"' in text


@pytest.mark.parametrize(
    "change",
    [
        {"admin_key": ""},
        {"token_secret": "short"},
        {"ws_ip": "0.0.0.0"},
        {"rtp_port_range": "80-90"},
        {"rtp_port_range": "30000-20000"},
        {"turn_server": "turn.example.org"},
        {"admin_key": "x" * 40, "token_secret": "x" * 40},
    ],
)
def test_it_refuses_unsafe_settings(tmp_path, change):
    with pytest.raises(JanusConfigError):
        write_config(JanusConfig(**{**GOOD, **change}), tmp_path)
