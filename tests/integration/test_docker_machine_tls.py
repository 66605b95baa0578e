# Copyright: (c) 2026, runnerfleet maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The docker_machine_tls role on stand-in managers (a temporary host root each), with its CA in the sandbox's SSM:
the four files docker-machine expects, with their modes; the CA kept as one SecureString and restored from it onto
a fresh host; a real mutual-TLS handshake with the files, and the refusal of a client certificate from another CA
and of an expired one; renewal of the client certificate and of the CA; idempotence and check mode; no key material
in -vvv output; and state absent.

Each test converges its own fleet (named after the test), so that the tests share the session's sandbox without
meeting. The role's result comes back through a JSON file that the converge playbook writes.
"""

from __future__ import annotations

import dataclasses
import datetime
import ipaddress
import re
import shutil
import socket
import ssl
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from stand_in import GROUP, OWNER, Converged, StandInManager, fleet_name, mode_of, owner_of, ssm_has

STORAGE_PATH = "root/.docker/machine"  # the role's default MACHINE_STORAGE_PATH, under the host root
MODES = {"ca.pem": 0o644, "cert.pem": 0o644, "ca-key.pem": 0o600, "key.pem": 0o600}
TLS_TIMEOUT = 10.0
PING = b"ping"
REPLY = b"pong:" + PING
PEM_BLOCK = re.compile(r"-----BEGIN ([A-Z0-9 ]+)-----\r?\n(.*?)-----END \1-----", re.DOTALL)
BASE64_LINE = re.compile(r"^[A-Za-z0-9+/=]+$")


# --- the role, run on a stand-in manager -------------------------------------------------------------------------


@dataclasses.dataclass
class Manager(StandInManager):
    """A stand-in runner manager, and the fleet whose CA it gets."""

    PLAYBOOK = Path(__file__).parent / "playbooks" / "docker_machine_tls" / "converge.yml"

    @property
    def certs(self) -> Path:
        return self.root / STORAGE_PATH / "certs"

    @property
    def parameter(self) -> str:
        return f"/runnerfleet/{self.fleet}/docker-machine/ca"

    def read(self, name: str) -> bytes:
        return (self.certs / name).read_bytes()

    def files(self) -> dict[str, bytes]:
        return {name: self.read(name) for name in MODES}

    def converge(self, *args: str, json_report: bool = True, **settings: Any) -> Converged:
        """Run the role; settings are docker_machine_tls_* variables without the prefix. The run must succeed."""
        extra_vars = {
            "docker_machine_tls_fleet_name": self.fleet,
            "docker_machine_tls_region": self.region,
            "docker_machine_tls_host_root": str(self.root),
            "docker_machine_tls_owner": OWNER,
            "docker_machine_tls_group": GROUP,
        }
        extra_vars.update({f"docker_machine_tls_{key}": value for key, value in settings.items()})
        converged = self.play(*args, extra_vars=extra_vars, json_report=json_report)
        assert converged.run.returncode == 0, converged.run.failure_text()
        if settings.get("state", "present") == "present":
            result = converged.result
            assert result is not None, f"the role set no docker_machine_tls_result\n{converged.run.failure_text()}"
            assert {"ca", "ca_not_after", "client", "client_not_after"} <= set(result), result
        return converged


@pytest.fixture
def new_manager(request: pytest.FixtureRequest, playbook, sandbox, tmp_path: Path) -> Callable[..., Manager]:
    """Make a stand-in manager with a fleet of its own: tls-<the test's name, shortened>-<a hash of the test id>."""

    def make(label: str = "a") -> Manager:
        fleet = fleet_name(request, "tls", label, words_length=16)
        manager = Manager(fleet, tmp_path / label, sandbox.endpoints["AWS_DEFAULT_REGION"], playbook)
        manager.root.mkdir(parents=True)
        return manager

    return make


# --- certificates and keys ---------------------------------------------------------------------------------------


@dataclasses.dataclass
class StoredCA:
    """The CA's SSM parameter: one SecureString, the certificate's PEM followed by the private key's PEM."""

    type: str
    version: int
    value: str
    certificate: x509.Certificate
    key: Any


def stored_ca(ssm, manager: Manager) -> StoredCA:
    parameter = ssm.get_parameter(Name=manager.parameter, WithDecryption=True)["Parameter"]
    blocks = [(match.group(1), match.group(0)) for match in PEM_BLOCK.finditer(parameter["Value"])]
    labels = [label for label, _block in blocks]
    assert len(blocks) == 2 and labels[0] == "CERTIFICATE" and labels[1].endswith("PRIVATE KEY"), labels
    return StoredCA(
        type=parameter["Type"],
        version=parameter["Version"],
        value=parameter["Value"],
        certificate=x509.load_pem_x509_certificate(blocks[0][1].encode()),
        key=serialization.load_pem_private_key(blocks[1][1].encode(), password=None),
    )


def only_certificate(data: bytes) -> x509.Certificate:
    certificates = x509.load_pem_x509_certificates(data)
    assert len(certificates) == 1, f"expected one certificate, found {len(certificates)}"
    return certificates[0]


def private_key(data: bytes):
    return serialization.load_pem_private_key(data, password=None)


def public_der(public_key) -> bytes:
    return public_key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)


def der(certificate: x509.Certificate) -> bytes:
    return certificate.public_bytes(serialization.Encoding.DER)


def days_left(certificate: x509.Certificate) -> float:
    remaining = certificate.not_valid_after_utc - datetime.datetime.now(datetime.UTC)
    return remaining.total_seconds() / 86400


def key_lines(pem: bytes | str) -> set[str]:
    """The base64 body lines of every private key in a PEM text. Lines shorter than 16 characters (the last line of
    a body can be a few characters) are left out: they could turn up in any output by chance."""
    text = pem.decode() if isinstance(pem, bytes) else pem
    return {
        line.strip()
        for match in PEM_BLOCK.finditer(text)
        if match.group(1).endswith("PRIVATE KEY")
        for line in match.group(2).splitlines()
        if len(line.strip()) >= 16 and BASE64_LINE.match(line.strip())
    }


def new_rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def issue(
    subject: x509.Name,
    public_key,
    issuer: x509.Name,
    issuer_key,
    *,
    days: tuple[int, int] = (-1, 365),
    ca: bool = False,
    usage: x509.ObjectIdentifier | None = None,
    ip: str | None = None,
) -> x509.Certificate:
    """A certificate valid from days[0] to days[1] days from now."""
    now = datetime.datetime.now(datetime.UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now + datetime.timedelta(days=days[0]))
        .not_valid_after(now + datetime.timedelta(days=days[1]))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=0 if ca else None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=not ca,
                content_commitment=False,
                key_encipherment=not ca,
                data_encipherment=False,
                key_agreement=not ca,
                key_cert_sign=ca,
                crl_sign=ca,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
    )
    if usage is not None:
        builder = builder.add_extension(x509.ExtendedKeyUsage([usage]), critical=False)
    if ip is not None:
        builder = builder.add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address(ip))]), False)
    return builder.sign(issuer_key, hashes.SHA256())


def name(common_name: str = "", organization: str = "") -> x509.Name:
    attributes = [x509.NameAttribute(NameOID.COMMON_NAME, common_name)] if common_name else []
    if organization:
        attributes.append(x509.NameAttribute(NameOID.ORGANIZATION_NAME, organization))
    return x509.Name(attributes)


def write_pair(directory: Path, stem: str, certificate: x509.Certificate, key) -> tuple[Path, Path]:
    cert_path, key_path = directory / f"{stem}.pem", directory / f"{stem}-key.pem"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    key_path.chmod(0o600)
    return cert_path, key_path


def machine_server_certificate(certs: Path, workdir: Path) -> tuple[Path, Path]:
    """What docker-machine makes for each machine (libmachine/cert GenerateCert, as provision.ConfigureAuth calls it):
    a 2048-bit RSA key, a certificate with O=<user>.<machine> and no common name, the machine's IP address as its
    subject alternative name, server authentication, valid 1080 days, signed with ca.pem's certificate and
    ca-key.pem's key."""
    ca = only_certificate((certs / "ca.pem").read_bytes())
    ca_key = private_key((certs / "ca-key.pem").read_bytes())
    key = new_rsa_key()
    certificate = issue(
        name(organization="root.tls-machine-1"),
        key.public_key(),
        ca.subject,
        ca_key,
        days=(0, 1080),
        usage=ExtendedKeyUsageOID.SERVER_AUTH,
        ip="127.0.0.1",
    )
    return write_pair(workdir, "machine-server", certificate, key)


# --- mutual TLS on the loopback ----------------------------------------------------------------------------------


@dataclasses.dataclass
class Handshake:
    server_error: str | None = None
    client_error: str | None = None
    peer_certificate: bytes | None = dataclasses.field(default=None, repr=False)  # the accepted client's, DER
    reply: bytes = b""

    @property
    def succeeded(self) -> bool:
        return self.server_error is None and self.client_error is None and self.reply == REPLY

    @property
    def refused(self) -> bool:
        """The server rejected the client in the handshake: it never took the connection, and the client got no
        reply (with TLS 1.3 the client may finish its side first and learn of the refusal on its first read)."""
        return self.server_error is not None and self.peer_certificate is None and self.reply != REPLY


def mutual_tls(server: tuple[Path, Path], ca_file: Path, client: tuple[Path, Path]) -> Handshake:
    """Serve TLS on 127.0.0.1 with the server pair, requiring a client certificate that ca_file vouches for, as
    dockerd --tlsverify does; connect with the client pair, trusting ca_file and checking the server's IP address,
    as docker-machine does; send a ping and read the server's reply."""
    server_context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_context.load_cert_chain(*server)
    server_context.verify_mode = ssl.CERT_REQUIRED
    server_context.load_verify_locations(ca_file)
    client_context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)  # CERT_REQUIRED and check_hostname
    client_context.load_verify_locations(ca_file)
    client_context.load_cert_chain(*client)
    outcome = Handshake()

    with socket.create_server(("127.0.0.1", 0)) as listener:
        listener.settimeout(TLS_TIMEOUT)
        port = listener.getsockname()[1]

        def serve() -> None:
            try:
                connection, _address = listener.accept()
                connection.settimeout(TLS_TIMEOUT)
                with connection, server_context.wrap_socket(connection, server_side=True) as tls:
                    outcome.peer_certificate = tls.getpeercert(binary_form=True)
                    tls.sendall(b"pong:" + tls.recv(len(PING)))
            except OSError as error:  # ssl.SSLError, a reset or a timeout
                outcome.server_error = repr(error)

        thread = threading.Thread(target=serve, name="mtls-server", daemon=True)
        thread.start()
        try:
            with (
                socket.create_connection(("127.0.0.1", port), timeout=TLS_TIMEOUT) as raw,
                client_context.wrap_socket(raw, server_hostname="127.0.0.1") as tls,
            ):
                tls.sendall(PING)
                while len(outcome.reply) < len(REPLY):
                    chunk = tls.recv(len(REPLY))
                    if not chunk:
                        break
                    outcome.reply += chunk
        except OSError as error:  # ssl.SSLError, ConnectionResetError, BrokenPipeError, a timeout
            outcome.client_error = repr(error)
        finally:
            thread.join(TLS_TIMEOUT * 2)
        assert not thread.is_alive(), "the TLS server thread did not finish"
    return outcome


def assert_mutual_tls_works(manager: Manager) -> None:
    certs = manager.certs
    server = machine_server_certificate(certs, manager.workdir)
    handshake = mutual_tls(server, certs / "ca.pem", (certs / "cert.pem", certs / "key.pem"))
    assert handshake.succeeded, handshake
    assert handshake.peer_certificate == der(only_certificate(manager.read("cert.pem")))


# --- the tests ---------------------------------------------------------------------------------------------------


def test_converge_places_the_files_keeps_the_ca_in_ssm_and_a_second_run_changes_nothing(new_manager, ssm) -> None:
    manager = new_manager()

    first = manager.converge()

    assert first.result["ca"] == "created" and first.result["client"] == "created", first.result
    assert first.changed > 0
    assert mode_of(manager.certs) == 0o700
    assert owner_of(manager.certs) == (OWNER, GROUP)
    for file_name, mode in MODES.items():
        assert mode_of(manager.certs / file_name) == mode, f"{file_name}: {oct(mode_of(manager.certs / file_name))}"
        assert owner_of(manager.certs / file_name) == (OWNER, GROUP), file_name

    ca = only_certificate(manager.read("ca.pem"))
    stored = stored_ca(ssm, manager)
    assert stored.type == "SecureString"
    assert der(stored.certificate) == der(ca)
    assert public_der(stored.key.public_key()) == public_der(ca.public_key())
    assert public_der(private_key(manager.read("ca-key.pem")).public_key()) == public_der(ca.public_key())
    client = only_certificate(manager.read("cert.pem"))
    assert public_der(private_key(manager.read("key.pem")).public_key()) == public_der(client.public_key())
    lines = first.run.messages("docker-machine TLS:")
    assert len(lines) == 1 and "created" in lines[0], lines
    files = manager.files()

    second = manager.converge()

    assert second.changed == 0, second.run.changed_tasks()
    assert (second.result["ca"], second.result["client"]) == ("kept", "kept"), second.result
    assert second.result["ca_not_after"] == first.result["ca_not_after"]
    assert second.result["client_not_after"] == first.result["client_not_after"]
    assert manager.files() == files
    assert stored_ca(ssm, manager).version == stored.version

    checked = manager.converge("--check", "--diff")

    assert checked.changed == 0, checked.run.changed_tasks()
    assert (checked.result["ca"], checked.result["client"]) == ("kept", "kept"), checked.result
    assert manager.files() == files
    assert "PRIVATE KEY" not in checked.run.output


@pytest.mark.parametrize(
    ("settings", "key_check"),
    [
        ({}, lambda key: isinstance(key, rsa.RSAPublicKey) and key.key_size == 2048),
        (
            {"key_type": "ECC", "ecc_curve": "secp256r1"},
            lambda key: isinstance(key, ec.EllipticCurvePublicKey) and key.curve.name == "secp256r1",
        ),
    ],
    ids=["rsa-default", "ecc"],
)
def test_the_ca_and_client_certificates_have_the_extensions_docker_machine_needs(
    new_manager, settings: dict, key_check: Callable
) -> None:
    manager = new_manager()

    converged = manager.converge(**settings)

    ca = only_certificate(manager.read("ca.pem"))
    constraints = ca.extensions.get_extension_for_class(x509.BasicConstraints)
    assert constraints.critical and constraints.value.ca and constraints.value.path_length is not None
    usage = ca.extensions.get_extension_for_class(x509.KeyUsage).value
    assert usage.key_cert_sign and usage.crl_sign
    assert ca.subject == ca.issuer
    ca.verify_directly_issued_by(ca)
    assert abs(days_left(ca) - 3650) < 2, ca.not_valid_after_utc
    assert str(ca.not_valid_after_utc.year) in converged.result["ca_not_after"], converged.result

    client = only_certificate(manager.read("cert.pem"))
    extended_usage = client.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    assert ExtendedKeyUsageOID.CLIENT_AUTH in extended_usage
    client_constraints = [ext.value for ext in client.extensions if isinstance(ext.value, x509.BasicConstraints)]
    assert not any(constraint.ca for constraint in client_constraints)
    assert client.issuer == ca.subject
    client.verify_directly_issued_by(ca)
    assert abs(days_left(client) - 365) < 2, client.not_valid_after_utc
    assert str(client.not_valid_after_utc.year) in converged.result["client_not_after"], converged.result

    assert key_check(ca.public_key()), ca.public_key()
    assert key_check(client.public_key()), client.public_key()


def test_a_real_mutual_tls_handshake_accepts_the_client_and_refuses_others(new_manager, tmp_path: Path) -> None:
    manager = new_manager()
    manager.converge()
    certs = manager.certs
    ca = only_certificate(manager.read("ca.pem"))
    ca_key = private_key(manager.read("ca-key.pem"))
    server = machine_server_certificate(certs, tmp_path)

    accepted = mutual_tls(server, certs / "ca.pem", (certs / "cert.pem", certs / "key.pem"))

    assert accepted.succeeded, accepted
    assert accepted.peer_certificate == der(only_certificate(manager.read("cert.pem")))

    # A client certificate from another CA, valid in every other way.
    other_ca_key = new_rsa_key()
    other_ca_name = name("another docker-machine CA")
    other_ca = issue(other_ca_name, other_ca_key.public_key(), other_ca_name, other_ca_key, days=(-1, 3650), ca=True)
    write_pair(tmp_path, "other-ca", other_ca, other_ca_key)
    stranger_key = new_rsa_key()
    stranger = issue(
        name("stranger"),
        stranger_key.public_key(),
        other_ca.subject,
        other_ca_key,
        usage=ExtendedKeyUsageOID.CLIENT_AUTH,
    )

    foreign = mutual_tls(server, certs / "ca.pem", write_pair(tmp_path, "foreign-client", stranger, stranger_key))

    assert foreign.refused, foreign
    assert "CERTIFICATE_VERIFY_FAILED" in foreign.server_error, foreign

    # Client certificates the test signs with the fleet's CA: a current one is accepted, so the expired one is
    # refused for its dates alone.
    current_key, expired_key = new_rsa_key(), new_rsa_key()
    current = issue(
        name("current"), current_key.public_key(), ca.subject, ca_key, usage=ExtendedKeyUsageOID.CLIENT_AUTH
    )
    expired = issue(
        name("expired"),
        expired_key.public_key(),
        ca.subject,
        ca_key,
        days=(-40, -10),
        usage=ExtendedKeyUsageOID.CLIENT_AUTH,
    )

    still_valid = mutual_tls(server, certs / "ca.pem", write_pair(tmp_path, "current-client", current, current_key))
    too_old = mutual_tls(server, certs / "ca.pem", write_pair(tmp_path, "expired-client", expired, expired_key))

    assert still_valid.succeeded, still_valid
    assert too_old.refused, too_old
    assert "expired" in too_old.server_error, too_old


def test_a_short_lived_client_certificate_and_ca_are_renewed(new_manager, ssm) -> None:
    # The client certificate: issued for 10 days, then renewed by a run whose window (30 days, the default) is wider.
    client_side = new_manager("client")
    client_side.converge(client_validity_days=10, client_renew_days=5)
    ca_pem, old_client = client_side.read("ca.pem"), only_certificate(client_side.read("cert.pem"))
    version = stored_ca(ssm, client_side).version
    assert abs(days_left(old_client) - 10) < 1, old_client.not_valid_after_utc

    renewed = client_side.converge()

    assert (renewed.result["ca"], renewed.result["client"]) == ("kept", "renewed"), renewed.result
    assert client_side.read("ca.pem") == ca_pem
    assert stored_ca(ssm, client_side).version == version
    client = only_certificate(client_side.read("cert.pem"))
    assert der(client) != der(old_client)
    assert abs(days_left(client) - 365) < 2, client.not_valid_after_utc
    client.verify_directly_issued_by(only_certificate(ca_pem))
    assert public_der(private_key(client_side.read("key.pem")).public_key()) == public_der(client.public_key())

    again = client_side.converge()

    assert again.changed == 0, again.run.changed_tasks()
    assert (again.result["ca"], again.result["client"]) == ("kept", "kept"), again.result

    # The CA: issued for 100 days, then renewed by a run whose window (365 days, the default) is wider.
    ca_side = new_manager("ca")
    ca_side.converge(ca_validity_days=100, ca_renew_days=30)
    old_ca, old_client = only_certificate(ca_side.read("ca.pem")), only_certificate(ca_side.read("cert.pem"))
    old_version = stored_ca(ssm, ca_side).version
    assert abs(days_left(old_ca) - 100) < 2, old_ca.not_valid_after_utc

    rotated = ca_side.converge()

    assert (rotated.result["ca"], rotated.result["client"]) == ("renewed", "renewed"), rotated.result
    stored = stored_ca(ssm, ca_side)
    assert stored.version > old_version
    assert der(stored.certificate) != der(old_ca)
    assert abs(days_left(stored.certificate) - 3650) < 2, stored.certificate.not_valid_after_utc
    new_ca = only_certificate(ca_side.read("ca.pem"))
    assert der(new_ca) == der(stored.certificate)
    assert public_der(private_key(ca_side.read("ca-key.pem")).public_key()) == public_der(new_ca.public_key())
    client = only_certificate(ca_side.read("cert.pem"))
    assert der(client) != der(old_client)
    assert client.issuer == new_ca.subject
    client.verify_directly_issued_by(new_ca)
    assert_mutual_tls_works(ca_side)


def test_a_fresh_host_root_gets_the_ca_back_from_ssm(new_manager, ssm) -> None:
    manager = new_manager()
    manager.converge()
    ca_pem, ca_key_pem = manager.read("ca.pem"), manager.read("ca-key.pem")
    version = stored_ca(ssm, manager).version

    shutil.rmtree(manager.root)
    manager.root.mkdir()
    restored = manager.converge()

    assert (restored.result["ca"], restored.result["client"]) == ("kept", "created"), restored.result
    assert manager.read("ca.pem") == ca_pem
    ca = only_certificate(ca_pem)
    assert public_der(private_key(manager.read("ca-key.pem")).public_key()) == public_der(ca.public_key())
    assert public_der(private_key(ca_key_pem).public_key()) == public_der(ca.public_key())
    assert stored_ca(ssm, manager).version == version
    only_certificate(manager.read("cert.pem")).verify_directly_issued_by(ca)
    for file_name, mode in MODES.items():
        assert mode_of(manager.certs / file_name) == mode, file_name


def test_no_key_material_in_verbose_output(new_manager, ssm) -> None:
    manager = new_manager()
    runs, secrets = [], set()

    def converge(expected: tuple[str, str], **settings: Any) -> None:
        converged = manager.converge("-vvv", json_report=False, **settings)
        assert (converged.result["ca"], converged.result["client"]) == expected, converged.result
        assert "docker-machine TLS:" in converged.run.output
        runs.append(converged.run)
        secrets.update(key_lines(manager.read("ca-key.pem")), key_lines(manager.read("key.pem")))
        secrets.update(key_lines(stored_ca(ssm, manager).value))

    converge(("created", "created"))
    converge(("kept", "kept"))
    # Renew both now: windows wider than what remains (3650 and 365 days), with validities wider still.
    converge(
        ("renewed", "renewed"),
        ca_renew_days=4000,
        ca_validity_days=5000,
        client_renew_days=400,
        client_validity_days=500,
    )

    assert len(secrets) > 20  # the keys' bodies were found
    for number, run in enumerate(runs, start=1):
        text = run.output + run.stderr
        assert "PRIVATE KEY" not in text, f"run {number}"
        leaked = [line for line in secrets if line in text]
        assert not leaked, f"run {number} printed {len(leaked)} line(s) of a private key"
        # Pipelined: no module file carrying key material was written to disk to be run.
        assert not re.search(r"PUT .*AnsiballZ_(openssl|x509|ssm)", text), f"run {number} wrote a module file"


def test_state_absent_removes_the_files_and_on_request_the_ca(new_manager, ssm) -> None:
    manager = new_manager()
    manager.converge()

    removed = manager.converge(state="absent")

    assert removed.changed > 0
    assert not [file_name for file_name in MODES if (manager.certs / file_name).exists()]
    assert ssm_has(ssm, manager.parameter), "the CA was removed from SSM without docker_machine_tls_remove_ca"

    forgotten = manager.converge(state="absent", remove_ca=True)

    assert forgotten.changed > 0
    assert not ssm_has(ssm, manager.parameter)

    again = manager.converge(state="absent", remove_ca=True)

    assert again.changed == 0, again.run.changed_tasks()


def test_check_mode_on_a_new_fleet_predicts_the_creation_and_makes_nothing(new_manager, ssm) -> None:
    manager = new_manager()

    predicted = manager.converge("--check", "--diff")

    assert predicted.changed > 0
    assert (predicted.result["ca"], predicted.result["client"]) == ("created", "created")
    assert not manager.certs.exists()
    assert not ssm_has(ssm, manager.parameter)


@pytest.mark.parametrize(
    ("settings", "expected"),
    [
        ({"client_renew_days": 400}, "the renew_days must be at least 1 and less than the matching validity_days"),
        ({"ssm_path": "runnerfleet/no-leading-slash"}, "docker_machine_tls_ssm_path must be an SSM path"),
        ({"key_type": "DSA"}, "docker_machine_tls_key_type"),
    ],
    ids=["renew-beyond-validity", "ssm-path", "key-type"],
)
def test_bad_input_fails_before_any_aws_call(new_manager, ssm, settings: dict, expected: str) -> None:
    manager = new_manager()
    extra_vars = {
        "docker_machine_tls_fleet_name": manager.fleet,
        "docker_machine_tls_host_root": str(manager.root),
        "docker_machine_tls_owner": OWNER,
        "docker_machine_tls_group": GROUP,
        **{f"docker_machine_tls_{key}": value for key, value in settings.items()},
    }

    run = manager.playbook(manager.PLAYBOOK, extra_vars=extra_vars)

    assert run.returncode != 0
    assert expected in run.final_failure
    assert not ssm_has(ssm, manager.parameter)
    assert not manager.certs.exists()
