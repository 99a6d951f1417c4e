import tempfile

from cryptography.fernet import Fernet
from django.test import SimpleTestCase
from hypothesis import given
from hypothesis import strategies as st

from openiop.lib.crypto import (
    DecryptionError,
    Keyring,
    KeyringError,
    key_id_of,
    keyring_from_environment,
    new_entry,
    required_keyring,
)

OLD = new_entry("k1")
NEW = new_entry("k2")


class KeyringTestCase(SimpleTestCase):
    def test_the_first_key_encrypts_and_every_key_decrypts(self):
        old = Keyring.parse(OLD, source="X")
        both = Keyring.parse(f"{NEW},{OLD}", source="X")
        value = old.encrypt("JBSWY3DPEHPK3PXP")
        self.assertEqual(key_id_of(value), "k1")
        self.assertEqual(both.decrypt(value), "JBSWY3DPEHPK3PXP")
        self.assertEqual(key_id_of(both.encrypt("x")), "k2")

    def test_ciphertext_carries_no_plaintext(self):
        value = Keyring.parse(OLD, source="X").encrypt("JBSWY3DPEHPK3PXP")
        self.assertTrue(value.startswith("k1$gA"))
        self.assertNotIn("JBSWY3DPEHPK3PXP", value)

    def test_it_reencrypts_under_the_current_key(self):
        value = Keyring.parse(OLD, source="X").encrypt("seed")
        both = Keyring.parse(f"{NEW},{OLD}", source="X")
        self.assertFalse(both.is_current(value))
        rotated = both.reencrypt(value)
        self.assertTrue(both.is_current(rotated))
        self.assertEqual(Keyring.parse(NEW, source="X").decrypt(rotated), "seed")
        self.assertTrue(both.is_current(both.reencrypt("plain")))

    def test_an_unknown_key_id_names_the_id_and_the_variable(self):
        value = Keyring.parse(OLD, source="X").encrypt("seed")
        ring = Keyring.parse(NEW, source="OPENIOP_ENCRYPTION_KEYS")
        with self.assertRaisesMessage(DecryptionError, "key 'k1'") as caught:
            ring.decrypt(value)
        self.assertIn("OPENIOP_ENCRYPTION_KEYS", str(caught.exception))

    def test_a_changed_key_under_the_same_id_is_a_clear_error(self):
        value = Keyring.parse(OLD, source="X").encrypt("seed")
        other = Keyring.parse(new_entry("k1"), source="OPENIOP_ENCRYPTION_KEYS_FILE")
        with self.assertRaisesMessage(DecryptionError, "does not decrypt with key 'k1'") as caught:
            other.decrypt(value)
        self.assertIn("OPENIOP_ENCRYPTION_KEYS_FILE", str(caught.exception))
        self.assertNotIn("seed", str(caught.exception))

    def test_plaintext_is_never_returned_as_if_decrypted(self):
        with self.assertRaises(DecryptionError):
            Keyring.parse(OLD, source="X").decrypt("JBSWY3DPEHPK3PXP")

    def test_its_repr_shows_ids_not_keys(self):
        ring = Keyring.parse(OLD, source="X")
        self.assertIn("k1", repr(ring))
        self.assertNotIn(OLD.split(":", 1)[1], repr(ring))

    @given(st.text())
    def test_any_text_survives_a_round_trip(self, text):
        ring = Keyring.parse(OLD, source="X")
        self.assertEqual(ring.decrypt(ring.encrypt(text)), text)


class KeyringParsingTestCase(SimpleTestCase):
    def test_it_reads_a_file_of_one_entry_a_line_with_comments(self):
        ring = Keyring.parse(f"# rotated 2026-11\n{NEW}\n\n{OLD}\n", source="F")
        self.assertEqual(ring.ids, ("k2", "k1"))
        self.assertEqual(ring.current_id, "k2")

    def test_malformed_entries_name_the_variable_and_never_the_key(self):
        key = Fernet.generate_key().decode()
        cases = {
            "": "holds no keys",
            " , ": "holds no keys",
            key: "entry 1 is not ID:base64key",
            f"k 1:{key}": "entry 1 is not ID:base64key",
            f"{OLD},k2:not-a-key": "key 'k2' is not a Fernet key",
            f"k1:{key[:-4]}": "key 'k1' is not a Fernet key",
            f"{OLD},{OLD}": "key id 'k1' appears twice",
        }
        for text, message in cases.items():
            with self.subTest(text=text), self.assertRaises(KeyringError) as caught:
                Keyring.parse(text, source="OPENIOP_ENCRYPTION_KEYS")
            self.assertIn("OPENIOP_ENCRYPTION_KEYS", str(caught.exception))
            self.assertIn(message, str(caught.exception))
            self.assertNotIn(key[:-4], str(caught.exception))

    def test_keyring_errors_stop_start_up(self):
        self.assertTrue(issubclass(KeyringError, RuntimeError))


class EnvironmentTestCase(SimpleTestCase):
    def test_neither_variable_means_no_keyring(self):
        self.assertIsNone(keyring_from_environment({}))
        self.assertIsNone(keyring_from_environment({"OPENIOP_ENCRYPTION_KEYS": " "}))

    def test_production_requires_a_keyring_and_names_both_variables(self):
        with self.assertRaises(KeyringError) as caught:
            required_keyring({})
        self.assertIn(
            "OPENIOP_ENCRYPTION_KEYS (or OPENIOP_ENCRYPTION_KEYS_FILE)", str(caught.exception)
        )

    def test_the_variable_holds_comma_separated_entries(self):
        ring = required_keyring({"OPENIOP_ENCRYPTION_KEYS": f"{NEW}, {OLD}"})
        self.assertEqual((ring.ids, ring.source), (("k2", "k1"), "OPENIOP_ENCRYPTION_KEYS"))

    def test_the_file_wins_over_the_variable(self):
        with tempfile.NamedTemporaryFile("w", suffix=".keys") as file:
            file.write(f"{NEW}\n{OLD}\n")
            file.flush()
            ring = required_keyring(
                {"OPENIOP_ENCRYPTION_KEYS_FILE": file.name, "OPENIOP_ENCRYPTION_KEYS": "junk"}
            )
        self.assertEqual((ring.ids, ring.source), (("k2", "k1"), "OPENIOP_ENCRYPTION_KEYS_FILE"))

    def test_an_unreadable_file_names_the_variable(self):
        with self.assertRaises(KeyringError) as caught:
            required_keyring({"OPENIOP_ENCRYPTION_KEYS_FILE": "/nonexistent/keys"})
        self.assertIn(
            "OPENIOP_ENCRYPTION_KEYS_FILE names '/nonexistent/keys'", str(caught.exception)
        )
