import base64

import pytest
from django.core.management import call_command

from badges.signing import InvalidCode, public_keys, sign_badge, verify_code


def test_signed_code_is_116_characters_that_verify():
    code = sign_badge(1234, 2)

    verified = verify_code(code)

    assert len(code) == 116
    assert (verified.badge_id, verified.serial) == (1234, 2)


def test_tampered_code_fails_verification():
    code = sign_badge(1234, 2)
    # Change the badge id in the signed header (characters 2-12 of the base32 text).
    tampered = code[:5] + ("A" if code[5] != "A" else "B") + code[6:]

    with pytest.raises(InvalidCode):
        verify_code(tampered)


def test_truncated_or_foreign_text_fails_verification():
    with pytest.raises(InvalidCode):
        verify_code(sign_badge(1, 1)[:-1])
    with pytest.raises(InvalidCode):
        verify_code("https://example.org/")


def test_code_read_in_lower_case_or_with_spaces_verifies():
    # Some scanners type what they read in lower case, or add a space or a line break.
    code = sign_badge(1234, 2)

    assert verify_code(f"  {code.lower()}\n").badge_id == 1234


def test_code_of_another_format_version_fails_even_when_signed():
    from badges.signing import CONTEXT, HEADER, signing_keys

    key_id, key = next(iter(signing_keys().items()))
    header = HEADER.pack(2, key_id, 1234, 2)  # a later format, signed by our key
    code = base64.b32encode(header + key.sign(CONTEXT + header)).decode().rstrip("=")

    with pytest.raises(InvalidCode, match="unknown format version"):
        verify_code(code)


@pytest.mark.parametrize(("badge_id", "serial"), [(0, 1), (1, 0), (2**32, 1), (1, 2**16)])
def test_sign_badge_refuses_ids_and_serials_out_of_range(badge_id, serial):
    with pytest.raises(ValueError, match="out of range"):
        sign_badge(badge_id, serial)


def test_badge_key_command_prints_a_key_that_signs_and_rotates(settings, capsys):
    old_code = sign_badge(7, 1)
    old_keys = f"1:{base64.b64encode(_private_key_of_secret(settings)).decode()}"

    call_command("badge_key", "--id", "2")
    new_item = capsys.readouterr().out.strip()
    settings.BADGE_SIGNING_KEYS = f"{new_item},{old_keys}"
    new_code = sign_badge(7, 2)

    assert new_item.startswith("2:")
    assert len(base64.b64decode(new_item[2:])) == 32
    assert verify_code(new_code).key_id == 2
    assert verify_code(old_code).key_id == 1
    assert sorted(public_keys()) == [1, 2]


def test_code_signed_with_a_retired_key_fails(settings):
    code = sign_badge(7, 1)
    settings.BADGE_SIGNING_KEYS = "1:" + base64.b64encode(bytes(32)).decode()

    with pytest.raises(InvalidCode):
        verify_code(code)


def _private_key_of_secret(settings) -> bytes:
    # The development key derived from SECRET_KEY (badges/signing.py), configured explicitly.
    import hashlib

    return hashlib.sha256(b"bayline-badge-key:" + settings.SECRET_KEY.encode()).digest()
