"""Field encryption with named keys (Fernet: AES-128-CBC + HMAC-SHA256).

A keyring is a list of ``ID:base64key`` entries: the first key encrypts, every key decrypts.
Each ciphertext carries the id of the key that made it (``k2$gAAAAA...``), so a rotation can
tell which values still use an old key, and a value made with a key that is no longer
configured fails with the key's id instead of a generic "invalid token".

The id picks the key, so decryption never tries each key in turn as ``MultiFernet`` does;
``MultiFernet``'s rule (first encrypts, all decrypt) is kept.

Error messages name the key id and the setting the keys came from, never key material or
ciphertext.
"""

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken

KEYS_VARIABLE = "OPENIOP_ENCRYPTION_KEYS"
KEYS_FILE_VARIABLE = "OPENIOP_ENCRYPTION_KEYS_FILE"

KEY_ID = re.compile(r"[A-Za-z0-9_-]{1,32}")
# Every Fernet token starts with version byte 0x80, which base64 spells "gA".
CIPHERTEXT = re.compile(r"(?P<key_id>[A-Za-z0-9_-]{1,32})\$(?P<token>gA[A-Za-z0-9_=-]+)")


class KeyringError(RuntimeError):
    """The keys are missing or malformed: raised at start-up."""


class DecryptionError(RuntimeError):
    """A stored value cannot be read with the configured keys."""


@dataclass(frozen=True)
class Keyring:
    ids: tuple[str, ...]
    source: str
    _fernets: Mapping[str, Fernet] = field(repr=False, compare=False)

    @classmethod
    def parse(cls, text: str, *, source: str) -> "Keyring":
        """Entries separated by commas or newlines; blank lines and ``#`` comments are skipped."""
        entries = [
            entry.strip()
            for line in text.splitlines()
            if not line.strip().startswith("#")
            for entry in line.split(",")
            if entry.strip()
        ]
        if not entries:
            raise KeyringError(f"{source} holds no keys; expected ID:base64key entries.")
        fernets: dict[str, Fernet] = {}
        for number, entry in enumerate(entries, start=1):
            key_id, sep, key = entry.partition(":")
            key_id, key = key_id.strip(), key.strip()
            if not sep or not KEY_ID.fullmatch(key_id):
                raise KeyringError(
                    f"{source}: entry {number} is not ID:base64key "
                    "(ID of letters, digits, '-' or '_', at most 32)."
                )
            if key_id in fernets:
                raise KeyringError(f"{source}: key id {key_id!r} appears twice.")
            try:
                fernets[key_id] = Fernet(key)
            except (ValueError, TypeError):
                raise KeyringError(
                    f"{source}: key {key_id!r} is not a Fernet key "
                    "(32 bytes in url-safe base64, e.g. from Fernet.generate_key())."
                ) from None
        return cls(ids=tuple(fernets), source=source, _fernets=fernets)

    @property
    def current_id(self) -> str:
        return self.ids[0]

    def encrypt(self, text: str) -> str:
        token = self._fernets[self.current_id].encrypt(text.encode()).decode("ascii")
        return f"{self.current_id}${token}"

    def decrypt(self, value: str) -> str:
        key_id = key_id_of(value)
        if key_id is None:
            raise DecryptionError(f"A stored value is not encrypted with any key of {self.source}.")
        fernet = self._fernets.get(key_id)
        if fernet is None:
            raise DecryptionError(
                f"A stored value was encrypted with key {key_id!r}, which is not in "
                f"{self.source} (configured: {', '.join(self.ids)})."
            )
        token = value.split("$", 1)[1]
        try:
            return fernet.decrypt(token.encode("ascii")).decode()
        except InvalidToken:
            raise DecryptionError(
                f"A stored value does not decrypt with key {key_id!r} of {self.source}: "
                "the key under that id has changed, or the value was altered."
            ) from None

    def is_current(self, value: str) -> bool:
        return key_id_of(value) == self.current_id

    def reencrypt(self, value: str) -> str:
        """`value` under the current key; plaintext (no key id) is encrypted as it is."""
        plaintext = self.decrypt(value) if key_id_of(value) is not None else value
        return self.encrypt(plaintext)


def key_id_of(value: str) -> str | None:
    """The key id of an encrypted value, or None when `value` is not one."""
    match = CIPHERTEXT.fullmatch(value)
    return match["key_id"] if match else None


def new_entry(key_id: str = "k1") -> str:
    return f"{key_id}:{Fernet.generate_key().decode('ascii')}"


def keyring_from_environment(environ: Mapping[str, str]) -> Keyring | None:
    """The keyring named by the environment, or None when neither variable is set.

    ``OPENIOP_ENCRYPTION_KEYS_FILE`` wins over ``OPENIOP_ENCRYPTION_KEYS``; a file that cannot
    be read, or entries that do not parse, raise `KeyringError` naming the variable.
    """
    path = environ.get(KEYS_FILE_VARIABLE, "").strip()
    if path:
        try:
            text = Path(path).read_text()
        except OSError as error:
            raise KeyringError(
                f"{KEYS_FILE_VARIABLE} names {path!r}, which cannot be read ({error.strerror})."
            ) from None
        return Keyring.parse(text, source=KEYS_FILE_VARIABLE)
    text = environ.get(KEYS_VARIABLE, "")
    if text.strip():
        return Keyring.parse(text, source=KEYS_VARIABLE)
    return None


def required_keyring(environ: Mapping[str, str]) -> Keyring:
    keyring = keyring_from_environment(environ)
    if keyring is None:
        raise KeyringError(
            f"{KEYS_VARIABLE} (or {KEYS_FILE_VARIABLE}) is required in production: "
            "comma-separated ID:base64key entries, the first one encrypts. Make one with "
            'python -c "from openiop.lib.crypto import new_entry; print(new_entry())"'
        )
    return keyring
