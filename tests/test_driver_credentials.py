"""Password and enable secret sources: env, file, prompt; never argv."""

from __future__ import annotations

from pathlib import Path

import pytest

from vpn_doctor.collect.credentials import CredentialSources, get_password, get_secret
from vpn_doctor.errors import InputError


def _no_prompt(text: str) -> str:
    raise AssertionError(f"unexpected prompt: {text}")


def test_password_from_named_env_var() -> None:
    sources = CredentialSources(password_env="MY_PW")
    environ = {"MY_PW": "s3cret", "VPN_DOCTOR_PASSWORD": "other"}
    assert get_password(sources, user_host="u@h", environ=environ, prompt=_no_prompt) == "s3cret"


def test_named_env_var_missing_is_a_clear_error() -> None:
    with pytest.raises(InputError, match="MY_PW"):
        get_password(CredentialSources(password_env="MY_PW"), user_host="u@h", environ={})


def test_password_file_first_line_only(tmp_path: Path) -> None:
    path = tmp_path / "pw"
    path.write_text("line one \r\nline two\n")
    sources = CredentialSources(password_file=path)
    assert get_password(sources, user_host="u@h", environ={}) == "line one "


@pytest.mark.parametrize("content", [None, "", "\nsecond"])
def test_password_file_missing_or_empty(tmp_path: Path, content: str | None) -> None:
    path = tmp_path / "pw"
    if content is not None:
        path.write_text(content)
    with pytest.raises(InputError, match="--password-file"):
        get_password(CredentialSources(password_file=path), user_host="u@h", environ={})


def test_default_env_var() -> None:
    environ = {"VPN_DOCTOR_PASSWORD": "fromenv"}
    assert get_password(CredentialSources(), user_host="u@h", environ=environ) == "fromenv"


def test_prompt_when_interactive() -> None:
    asked: list[str] = []

    def prompt(text: str) -> str:
        asked.append(text)
        return "typed"

    password = get_password(
        CredentialSources(), user_host="netops@fw1", environ={}, prompt=prompt, interactive=True
    )
    assert password == "typed"
    assert "netops@fw1" in asked[0]


def test_no_source_and_no_tty_is_input_error() -> None:
    with pytest.raises(InputError, match="--password-env"):
        get_password(CredentialSources(), user_host="u@h", environ={}, interactive=False)


def test_secret_sources_in_order(tmp_path: Path) -> None:
    path = tmp_path / "en"
    path.write_text("fromfile\n")
    environ = {"EN": "fromvar", "VPN_DOCTOR_SECRET": "default"}
    assert get_secret(CredentialSources(secret_env="EN"), password="p", environ=environ) == (
        "fromvar"
    )
    assert get_secret(CredentialSources(secret_file=path), password="p", environ=environ) == (
        "fromfile"
    )
    assert get_secret(CredentialSources(), password="p", environ=environ) == "default"


def test_secret_absent_without_tty_means_login_path() -> None:
    assert get_secret(CredentialSources(), password="p", environ={}, interactive=False) is None


def test_secret_prompt_empty_reuses_password() -> None:
    secret = get_secret(
        CredentialSources(), password="p", environ={}, prompt=lambda _t: "", interactive=True
    )
    assert secret == "p"
