"""Validate an 837 with pyx12 (the 005010 implementation guides' maps), as a test helper."""

import io
import logging

import pyx12.error_handler
import pyx12.params
import pyx12.x12n_document


def validate(text: str) -> tuple[bool, str]:
    """(valid, the 999 acknowledgement pyx12 wrote)."""
    logging.getLogger("pyx12").setLevel(logging.CRITICAL)
    ack = io.StringIO()
    ok = pyx12.x12n_document.x12n_document(
        param=pyx12.params.params(), src_file=io.StringIO(text), fd_997=ack, fd_html=None
    )
    return bool(ok), ack.getvalue()
