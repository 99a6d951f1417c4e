"""A tiny local web server for the media tests: one room page per ticket, plus /static/.

It sends the same kind of strict Content-Security-Policy as the app, so the room client is
proven to work without inline scripts.
"""

from __future__ import annotations

import html
import json
import mimetypes
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

STATIC = Path(__file__).resolve().parents[3] / "static"

PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Group room</title>
<script src="/static/vendor/webrtc-adapter/adapter.min.js" defer></script>
<script src="/static/vendor/janus-gateway/janus.min.js" defer></script>
<script src="/static/js/telehealth_room.js" defer></script>
</head>
<body>
<main>
<h1>Group room</h1>
<p id="video-status" role="status">Starting…</p>
<video id="local-video" autoplay muted playsinline></video>
<section id="remote-grid" aria-label="Participants"></section>
</main>
<script type="application/json" id="janus-ticket">{ticket}</script>
</body>
</html>
"""


class PageServer:
    def __init__(self, janus_url: str) -> None:
        self.tickets: dict[str, dict[str, Any]] = {}
        # key -> a function returning a fresh ticket (what Django's refresh view does).
        self.refreshers: dict[str, Callable[[], dict[str, Any]]] = {}
        self.csp = (
            "default-src 'self'; script-src 'self'; "
            f"connect-src 'self' {janus_url}; img-src 'self'; media-src 'self' blob:"
        )
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_POST(self) -> None:
                refresh = server.refreshers.get(self.path.removeprefix("/ticket/"))
                if refresh is None:
                    return self.send_error(404)
                try:
                    body = json.dumps(refresh()).encode()
                except Exception:
                    return self.send_error(503)
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
                return None

            def do_GET(self) -> None:
                if self.path.startswith("/room/"):
                    ticket = server.tickets.get(self.path.removeprefix("/room/"))
                    if ticket is None:
                        return self.send_error(404)
                    # json in a data block: escape '<' so no value can close the element.
                    data = json.dumps(ticket).replace("<", "\\u003c")
                    body = PAGE.format(ticket=data).encode()
                    ctype = "text/html; charset=utf-8"
                elif self.path.startswith("/static/"):
                    path = (STATIC / self.path.removeprefix("/static/")).resolve()
                    if not path.is_relative_to(STATIC) or not path.is_file():
                        return self.send_error(404)
                    body = path.read_bytes()
                    ctype = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
                else:
                    return self.send_error(404, html.escape(self.path))
                self.send_response(200)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                self.send_header("Content-Security-Policy", server.csp)
                self.end_headers()
                self.wfile.write(body)
                return None

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
