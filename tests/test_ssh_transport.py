"""The ways into a firewall (issue 14, items 1-2): old SSH, keys, jump host, ssh config.

Every test logs into the mock ASA over real SSH on 127.0.0.1; the jump host is a second
asyncssh server (mock_device/bastion.py) that forwards to 127.0.0.1 only and records it.
"""

from __future__ import annotations

import contextlib
import io
import json
from pathlib import Path

import pytest
import yaml

from mock_device import SshSpec, load_scenario
from mock_device.bastion import Forward, MockBastion
from mock_device.sshlib import asyncssh
from vpn_doctor import cli
from vpn_doctor.collect.driver import AsaSession
from vpn_doctor.collect.transport import (
    JumpHost,
    Route,
    direct_socket,
    disabled_algorithms,
    legacy_available,
    resolve_route,
)
from vpn_doctor.errors import AuthenticationFailed, ExitCode, InputError

from helpers import MockFactory, login_args, settings_for

PW_ENV, SECRET_ENV = "VPN_TEST_PW", "VPN_TEST_SECRET"
# The mock's side of diffie-hellman-group1/14-sha1 (asyncssh) uses finite-field DH, which
# cryptography deprecates: expected for an emulated old ASA, noise in the summary.
_FFDH = pytest.mark.filterwarnings("ignore:Diffie-Hellman over finite fields")


def _run(argv: list[str]) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli.main(argv)
    return code, out.getvalue() + err.getvalue()


def _key_pair(tmp_path: Path, name: str = "id_ed25519") -> tuple[Path, str]:
    """A fresh OpenSSH private key file (mode 600) and its public line."""
    key = asyncssh.generate_private_key("ssh-ed25519")
    path = tmp_path / name
    key.write_private_key(str(path))
    path.chmod(0o600)
    return path, key.export_public_key("openssh").decode().strip()


@pytest.fixture
def secrets_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(PW_ENV, "cisco123")
    monkeypatch.setenv(SECRET_ENV, "cisco123")
    monkeypatch.delenv("VPN_DOCTOR_PASSWORD", raising=False)


@pytest.fixture(autouse=True)
def _no_user_from_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("VPN_DOCTOR_USERNAME", raising=False)


def _diagnose(mock_args: list[str], *extra: str) -> tuple[int, str]:
    return _run(["diagnose", *mock_args, "--format", "json", *extra])


# ---- old SSH --------------------------------------------------------------------------------


@_FFDH
@pytest.mark.e2e
def test_legacy_ssh_needs_the_option_and_then_diagnoses(
    mock_asa: MockFactory, secrets_env: None
) -> None:
    mock = mock_asa("legacy_ssh")
    args = login_args(mock, PW_ENV, SECRET_ENV)

    code, text = _diagnose(args)
    assert code == ExitCode.UNREACHABLE == 10
    assert "no acceptable kex algorithm" in text
    assert "--legacy-ssh" in text
    assert "Traceback" not in text
    assert mock.commands() == []  # nothing was sent: the login never happened

    code, text = _diagnose(args, "--legacy-ssh")
    assert code == ExitCode.OK, text
    assert '"TUNNEL_HEALTHY"' in text
    assert "show crypto isakmp sa" in mock.commands()


def test_the_legacy_scenario_offers_only_old_algorithms() -> None:
    ssh = load_scenario("legacy_ssh").ssh
    assert set(ssh.kex_algs) == {"diffie-hellman-group1-sha1", "diffie-hellman-group14-sha1"}
    assert ssh.server_host_key_algs == ("ssh-rsa",)
    assert all(alg.endswith("-cbc") for alg in ssh.encryption_algs)


@pytest.mark.e2e
def test_legacy_ssh_does_not_prevent_a_modern_login(mock_asa: MockFactory) -> None:
    mock = mock_asa("healthy")
    with AsaSession(settings_for(mock, legacy_ssh=True)) as session:
        assert session.hostname == mock.hostname


# ---- keys -----------------------------------------------------------------------------------


@pytest.mark.e2e
def test_ssh_key_logs_in_without_a_password(
    mock_asa: MockFactory, tmp_path: Path, secrets_env: None
) -> None:
    key_file, public = _key_pair(tmp_path)
    mock = mock_asa("healthy", ssh=SshSpec(authorized_keys=(public,)))
    # No --password-env: the key logs in, the enable secret comes from its own option.
    argv = [mock.host, "--port", str(mock.port), "--username", mock.username]
    code, text = _diagnose(argv, "--secret-env", SECRET_ENV, "--ssh-key", str(key_file))
    assert code == ExitCode.OK, text
    assert "show crypto ipsec sa" in mock.commands()


@pytest.mark.e2e
def test_a_key_the_device_does_not_know_is_refused(mock_asa: MockFactory, tmp_path: Path) -> None:
    _, public = _key_pair(tmp_path, "authorized")
    other, _ = _key_pair(tmp_path, "other")
    mock = mock_asa("healthy", ssh=SshSpec(authorized_keys=(public,)))
    settings = settings_for(mock, password="", ssh_key=other)
    with pytest.raises(AuthenticationFailed), AsaSession(settings):
        pass


@pytest.mark.e2e
def test_a_missing_key_file_is_bad_input(
    mock_asa: MockFactory, tmp_path: Path, secrets_env: None
) -> None:
    mock = mock_asa("healthy")
    argv = login_args(mock, PW_ENV, SECRET_ENV)
    code, text = _diagnose(argv, "--ssh-key", str(tmp_path / "nope"))
    assert code == ExitCode.BAD_INPUT
    assert "SSH key file not found" in text
    assert mock.commands() == []


# ---- jump host ------------------------------------------------------------------------------


@pytest.mark.e2e
def test_jump_host_forwards_the_session(mock_asa: MockFactory, secrets_env: None) -> None:
    mock = mock_asa("healthy")
    with MockBastion(username="jump", password="cisco123") as bastion:
        code, text = _diagnose(
            login_args(mock, PW_ENV, SECRET_ENV),
            "--jump-host",
            f"jump@{bastion.host}:{bastion.port}",
        )
    assert code == ExitCode.OK, text
    assert bastion.forwards == [Forward("jump", "127.0.0.1", mock.port, True)]
    assert "show crypto isakmp sa" in mock.commands()


@pytest.mark.e2e
def test_jump_host_with_a_key(mock_asa: MockFactory, tmp_path: Path) -> None:
    key_file, public = _key_pair(tmp_path)
    mock = mock_asa("healthy", ssh=SshSpec(authorized_keys=(public,)))
    with MockBastion(username=mock.username, password=None, authorized_keys=(public,)) as b:
        settings = settings_for(
            mock, password="", ssh_key=key_file, jump_host=f"127.0.0.1:{b.port}"
        )
        with AsaSession(settings) as session:
            assert session.run("show version")
    assert [f.port for f in b.forwards] == [mock.port]


@pytest.mark.e2e
def test_a_bastion_that_refuses_the_login_is_an_auth_failure(mock_asa: MockFactory) -> None:
    mock = mock_asa("healthy")
    with MockBastion(password="other") as bastion:
        settings = settings_for(mock, jump_host=f"jump@127.0.0.1:{bastion.port}")
        with pytest.raises(AuthenticationFailed, match="jump host"), AsaSession(settings):
            pass
    assert bastion.forwards == []
    assert mock.commands() == []


@pytest.mark.e2e
def test_ssh_config_proxyjump_and_hostname(
    mock_asa: MockFactory, tmp_path: Path, secrets_env: None
) -> None:
    mock = mock_asa("healthy")
    with MockBastion(username="jump", password="cisco123") as bastion:
        config = tmp_path / "ssh_config"
        config.write_text(
            "Host fw-branch\n"
            "    HostName 127.0.0.1\n"
            f"    Port {mock.port}\n"
            f"    User {mock.username}\n"
            f"    ProxyJump jump@127.0.0.1:{bastion.port}\n"
        )
        argv = ["fw-branch", "--password-env", PW_ENV]  # the user comes from the config
        code, text = _diagnose(argv, "--secret-env", SECRET_ENV, "--ssh-config", str(config))
    assert code == ExitCode.OK, text
    assert bastion.forwards == [Forward("jump", "127.0.0.1", mock.port, True)]


# ---- shared options -------------------------------------------------------------------------


@pytest.mark.parametrize("command", ["diagnose", "collect", "watch", "undebug"])
def test_every_live_command_has_the_login_options(command: str) -> None:
    out = io.StringIO()
    with contextlib.redirect_stdout(out), pytest.raises(SystemExit):
        cli.main([command, "--help"])
    for option in (
        "--username", "--password-env", "--password-file", "--secret-env", "--secret-file",
        "--ssh-key", "--jump-host", "--ssh-config", "--device-type", "--legacy-ssh",
        "--strict-host-key", "--known-hosts", "--port", "--timeout",
    ):  # fmt: skip
        assert option in out.getvalue(), (command, option)


# ---- per host in the inventory --------------------------------------------------------------


@_FFDH
@pytest.mark.e2e
def test_inventory_sets_key_jump_host_and_legacy_ssh_per_host(
    mock_asa: MockFactory, tmp_path: Path, secrets_env: None
) -> None:
    key_file, public = _key_pair(tmp_path)
    keyed = mock_asa("healthy", ssh=SshSpec(authorized_keys=(public,)), hostname="fw-keyed")
    legacy = mock_asa("legacy_ssh")
    with MockBastion(username="jump", password="cisco123") as bastion:
        hosts = {
            "fw-keyed": {
                "hostname": "127.0.0.1",
                "port": keyed.port,
                "username": "admin",
                "data": {"vpn_doctor": {"ssh_key": key_file.name}},  # relative to the file
            },
            "fw-old": {
                "hostname": "127.0.0.1",
                "port": legacy.port,
                "username": "admin",
                "data": {
                    "password_env": PW_ENV,
                    "vpn_doctor": {
                        "legacy_ssh": True,
                        "jump_host": f"jump@127.0.0.1:{bastion.port}",
                    },
                },
            },
        }
        inventory = tmp_path / "hosts.yaml"
        inventory.write_text(yaml.safe_dump(hosts), encoding="utf-8")
        code, text = _run(
            ["check", "--inventory", str(inventory), "--secret-env", SECRET_ENV, "--no-state",
             "--format", "json"]
        )  # fmt: skip
    assert code == ExitCode.OK, text
    statuses = {d["host"]: d["status"] for d in json.loads(text)["devices"]}
    assert statuses == {"fw-keyed": "ok", "fw-old": "ok"}
    assert bastion.forwards == [Forward("jump", "127.0.0.1", legacy.port, True)]
    assert keyed.commands() and legacy.commands()


def test_inventory_rejects_a_bad_transport_value(tmp_path: Path) -> None:
    inventory = tmp_path / "hosts.yaml"
    inventory.write_text(
        "fw1:\n  hostname: 127.0.0.1\n  username: admin\n"
        "  data:\n    vpn_doctor:\n      legacy_ssh: yes-please\n",
        encoding="utf-8",
    )
    code, text = _run(["check", "--inventory", str(inventory)])
    assert code == ExitCode.BAD_INPUT, text
    assert "legacy_ssh must be true or false" in text


# ---- units: parsing the ways in ------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("bastion", JumpHost("bastion", 22, None)),
        ("ops@bastion:2222", JumpHost("bastion", 2222, "ops")),
        ("ops@[2001:db8::1]:22", JumpHost("2001:db8::1", 22, "ops")),
        ("127.0.0.1:0", None),
        ("a@b@c", None),
        ("", None),
    ],
)
def test_jump_host_syntax(text: str, expected: JumpHost | None) -> None:
    if expected is None:
        with pytest.raises(InputError):
            JumpHost.parse(text)
    else:
        assert JumpHost.parse(text) == expected


def test_ssh_config_route(tmp_path: Path) -> None:
    config = tmp_path / "config"
    config.write_text(
        "Host fw-*\n    User netops\n    IdentityFile ~/.ssh/fw_key\n"
        "Host fw-a\n    HostName 10.0.0.1\n    Port 2222\n    ProxyCommand nc %h %p\n"
        "Host fw-b\n    ProxyJump ops@jump:22\n"
    )
    a = resolve_route("fw-a", 22, config)
    assert (a.host, a.port, a.username, a.proxy_command) == (
        "10.0.0.1",
        2222,
        "netops",
        "nc 10.0.0.1 2222",
    )
    assert a.key_file == Path("~/.ssh/fw_key").expanduser()
    assert resolve_route("fw-a", 8022, config).port == 8022  # an explicit --port wins
    assert resolve_route("fw-b", 22, config).jump == JumpHost("jump", 22, "ops")
    assert resolve_route("other", 22, None) == Route("other", 22)
    with pytest.raises(InputError, match="not found"):
        resolve_route("fw-a", 22, tmp_path / "missing")


def test_weak_algorithms_are_off_unless_legacy() -> None:
    default = disabled_algorithms(False)
    assert "diffie-hellman-group1-sha1" in default["kex"]
    assert "diffie-hellman-group14-sha1" in default["kex"]
    assert default["keys"] == ["ssh-rsa"]
    assert disabled_algorithms(True) == {}
    assert legacy_available()  # the paramiko<5 pin is what makes --legacy-ssh possible


@pytest.mark.e2e
def test_the_direct_socket_has_nagle_off(mock_asa: MockFactory) -> None:
    import socket

    mock = mock_asa("healthy")
    sock = direct_socket(mock.host, mock.port, 5.0)
    try:
        assert sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) != 0
    finally:
        sock.close()
