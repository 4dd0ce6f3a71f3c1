from __future__ import annotations

import re

from apikeys import tokens


def test_a_key_is_recognisable_and_the_right_length():
    key = tokens.generate_key()

    assert key.plaintext.startswith("rpk_")
    assert len(key.plaintext) == tokens.KEY_LENGTH == 66
    assert re.fullmatch(r"rpk_[0-9A-Za-z]{12}_[0-9A-Za-z]{49}", key.plaintext)


def test_the_stored_prefix_is_the_lookup_part_and_reveals_no_secret():
    key = tokens.generate_key()

    assert key.prefix == key.plaintext[:16]
    assert tokens.prefix_of(key.plaintext) == key.prefix
    assert key.plaintext[17:] not in key.prefix


def test_the_hash_is_the_sha256_of_the_whole_key():
    key = tokens.generate_key()

    assert re.fullmatch(r"[0-9a-f]{64}", key.hash)
    assert tokens.matches(key.plaintext, key.hash)
    assert not tokens.matches(key.plaintext + "x", key.hash)


def test_every_key_is_different():
    keys = {tokens.generate_key().plaintext for _ in range(200)}
    assert len(keys) == 200


def test_a_leaked_key_is_recognised_offline_by_its_checksum():
    key = tokens.generate_key().plaintext

    assert tokens.looks_like_key(key)
    # Any single-character change (a typo, or a random look-alike) fails the checksum.
    for position in range(4, len(key)):
        if key[position] == "_":
            continue
        replacement = "A" if key[position] != "A" else "B"
        typo = key[:position] + replacement + key[position + 1 :]
        assert not tokens.looks_like_key(typo), position


def test_strings_that_are_not_keys_are_refused_without_a_lookup():
    for candidate in ["", "rpk_", "Bearer x", "rpk_" + "a" * 62, "xyz_" + "a" * 62]:
        assert tokens.prefix_of(candidate) is None


def test_the_plaintext_never_appears_in_the_repr():
    key = tokens.generate_key()
    assert key.plaintext not in repr(key)
