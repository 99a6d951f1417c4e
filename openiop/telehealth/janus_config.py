"""Write Janus's configuration folder from OpenIOP settings.

The Debian defaults are unsafe (every address, ``admin_secret = "janusoverlord"``, demo rooms with
secret ``adminpwd``, open Streaming ports), so Janus is never started with ``/etc/janus``. The
folder written here loads exactly two modules, the VideoRoom plugin and the WebSocket transport,
through private plugin/transport folders holding links to just those libraries: a module that
is not in the folder cannot be loaded by a configuration mistake.

Start Janus with ``janus -F <dir> -C <dir>/janus.jcfg`` (see ``process.py``).
"""

from __future__ import annotations

import glob
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

VIDEOROOM_LIBRARY = "libjanus_videoroom.so"
WEBSOCKETS_LIBRARY = "libjanus_websockets.so"
LIBRARY_GLOBS = (
    "/usr/lib/*/janus",
    "/usr/lib/janus",
    "/usr/local/lib/janus",
    "/opt/janus/lib/janus",
)

_PORT_RANGE = re.compile(r"^(\d{1,5})-(\d{1,5})$")


class JanusConfigError(ValueError):
    pass


@dataclass(frozen=True)
class JanusConfig:
    """Everything OpenIOP lets an operator choose about its Janus node.

    ``admin_key`` and ``token_secret`` have no defaults on purpose: a node without them would
    let anyone create rooms or join without a ticket.
    """

    admin_key: str
    token_secret: str
    ws_ip: str = "127.0.0.1"
    ws_port: int = 8188
    # Only these address prefixes may open a WebSocket (Janus ``ws_acl``); Django and the
    # reverse proxy in front of browsers.
    ws_acl: str = "127."
    # The address Janus puts in its SDP and gathers ICE candidates on. None lets Janus pick.
    media_ip: str | None = None
    rtp_port_range: str = "20000-40000"
    stun_server: str = ""
    stun_port: int = 3478
    turn_server: str = ""
    turn_port: int = 3478
    turn_type: str = "udp"
    turn_user: str = ""
    turn_password: str = ""
    # A public address for a node behind 1:1 NAT (cloud instances).
    nat_1_1_mapping: str = ""
    session_timeout: int = 60
    debug_level: int = 4
    library_dir: str | None = None

    def validate(self) -> None:
        if len(self.admin_key) < 16:
            raise JanusConfigError("JANUS_ADMIN_KEY must be at least 16 characters")
        if len(self.token_secret) < 32:
            raise JanusConfigError("JANUS_TOKEN_SECRET must be at least 32 characters")
        if self.admin_key == self.token_secret:
            raise JanusConfigError("JANUS_ADMIN_KEY and JANUS_TOKEN_SECRET must differ")
        match = _PORT_RANGE.match(self.rtp_port_range)
        if not match or not 1024 <= int(match[1]) < int(match[2]) <= 65535:
            raise JanusConfigError(f"bad rtp_port_range {self.rtp_port_range!r}")
        if not 0 < self.ws_port < 65536:
            raise JanusConfigError(f"bad ws_port {self.ws_port}")
        if self.ws_ip in ("0.0.0.0", "::", ""):  # noqa: S104 (this line refuses it)
            raise JanusConfigError("Janus must be bound to loopback or a private address")
        if self.turn_server and not (self.turn_user and self.turn_password):
            raise JanusConfigError("TURN needs a user and a password")

    @property
    def ws_url(self) -> str:
        host = f"[{self.ws_ip}]" if ":" in self.ws_ip else self.ws_ip
        return f"ws://{host}:{self.ws_port}"


def from_settings() -> JanusConfig:
    """Build the config from Django settings (read at call time, never at import)."""
    from django.conf import settings

    return JanusConfig(
        admin_key=settings.JANUS_ADMIN_KEY,
        token_secret=settings.JANUS_TOKEN_SECRET,
        ws_ip=settings.JANUS_WS_IP,
        ws_port=settings.JANUS_WS_PORT,
        ws_acl=settings.JANUS_WS_ACL,
        media_ip=settings.JANUS_MEDIA_IP or None,
        rtp_port_range=settings.JANUS_RTP_PORT_RANGE,
        stun_server=settings.JANUS_STUN_SERVER,
        stun_port=settings.JANUS_STUN_PORT,
        turn_server=settings.JANUS_TURN_SERVER,
        turn_port=settings.JANUS_TURN_PORT,
        turn_type=settings.JANUS_TURN_TYPE,
        turn_user=settings.JANUS_TURN_USER,
        turn_password=settings.JANUS_TURN_PASSWORD,
        nat_1_1_mapping=settings.JANUS_NAT_1_1_MAPPING,
    )


def find_library_dir() -> Path:
    for pattern in LIBRARY_GLOBS:
        for candidate in sorted(glob.glob(pattern)):
            if (Path(candidate) / "plugins" / VIDEOROOM_LIBRARY).exists():
                return Path(candidate)
    raise JanusConfigError("Janus libraries not found; install the Debian package 'janus'")


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    text = str(value)
    if any(c in text for c in "\n\r\0"):
        raise JanusConfigError("configuration values must be single-line")
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def render(sections: dict[str, dict[str, Any]]) -> str:
    """Render libconfig (``.jcfg``) text; ``None`` values are left out."""
    out = ["# Written by OpenIOP (openiop/telehealth/janus_config.py). Do not edit by hand."]
    for name, items in sections.items():
        out.append(f"{name}: {{")
        out.extend(f"\t{key} = {_value(val)}" for key, val in items.items() if val is not None)
        out.append("}")
    return "\n".join(out) + "\n"


def core_sections(config: JanusConfig, folder: Path) -> dict[str, dict[str, Any]]:
    nat: dict[str, Any] = {
        "ignore_mdns": True,
        "nice_debug": False,
        "ice_lite": False,
        "ice_tcp": False,
    }
    if config.media_ip:
        # Gather candidates on that address only (no surprise interfaces in the SDP).
        nat["ice_enforce_list"] = config.media_ip
    if config.stun_server:
        nat["stun_server"] = config.stun_server
        nat["stun_port"] = config.stun_port
    if config.turn_server:
        nat["turn_server"] = config.turn_server
        nat["turn_port"] = config.turn_port
        nat["turn_type"] = config.turn_type
        nat["turn_user"] = config.turn_user
        nat["turn_pwd"] = config.turn_password
    if config.nat_1_1_mapping:
        nat["nat_1_1_mapping"] = config.nat_1_1_mapping
    return {
        "general": {
            "configs_folder": str(folder),
            "plugins_folder": str(folder / "plugins"),
            "transports_folder": str(folder / "transports"),
            "events_folder": str(folder / "events"),
            "loggers_folder": str(folder / "loggers"),
            "log_to_stdout": True,
            "debug_level": config.debug_level,
            "debug_timestamps": True,
            "debug_colors": False,
            "interface": config.media_ip,
            "session_timeout": config.session_timeout,
            "reclaim_session_timeout": 0,
            "token_auth": True,
            "token_auth_secret": config.token_secret,
            "hide_dependencies": True,
            # No admin_secret and no Admin API transport: the Admin API is off.
            "protected_folders": "/bin,/boot,/dev,/etc,/initrd,/lib,/lib32,/lib64,/proc,"
            "/sbin,/sys,/usr,/var",
        },
        "certificates": {},
        "media": {
            "ipv6": False,
            "rtp_port_range": config.rtp_port_range,
            "dtls_timeout": 500,
            "nack_optimizations": False,
        },
        "nat": nat,
        "plugins": {},
        "transports": {},
        "loggers": {},
        "events": {"broadcast": False},
    }


def write_config(config: JanusConfig, folder: str | os.PathLike[str]) -> Path:
    """Write (or rewrite) the whole folder. Returns the path of ``janus.jcfg``."""
    config.validate()
    folder = Path(folder).resolve()
    library_dir = Path(config.library_dir) if config.library_dir else find_library_dir()
    for sub in ("plugins", "transports", "events", "loggers"):
        (folder / sub).mkdir(parents=True, exist_ok=True)
        for stale in (folder / sub).iterdir():
            stale.unlink()
    # Holds the admin key and the token secret, whatever the umask of the caller.
    folder.chmod(0o700)
    (folder / "plugins" / VIDEOROOM_LIBRARY).symlink_to(library_dir / "plugins" / VIDEOROOM_LIBRARY)
    (folder / "transports" / WEBSOCKETS_LIBRARY).symlink_to(
        library_dir / "transports" / WEBSOCKETS_LIBRARY
    )
    files: dict[str, dict[str, dict[str, Any]]] = {
        "janus.jcfg": core_sections(config, folder),
        "janus.plugin.videoroom.jcfg": {
            # No room sections: rooms exist only while a session runs, created through the API.
            "general": {
                "admin_key": config.admin_key,
                "lock_rtp_forward": True,
                "string_ids": True,
                "events": False,
            }
        },
        "janus.transport.websockets.jcfg": {
            "general": {
                "json": "compact",
                "ws": True,
                "ws_port": config.ws_port,
                "ws_ip": config.ws_ip,
                "ws_acl": config.ws_acl,
                "wss": False,
            },
            "admin": {"admin_ws": False, "admin_wss": False},
            "cors": {},
            "certificates": {},
        },
    }
    for name, sections in files.items():
        path = folder / name
        path.write_text(render(sections))
        # Holds the admin key and the token secret.
        path.chmod(0o600)
    return folder / "janus.jcfg"
