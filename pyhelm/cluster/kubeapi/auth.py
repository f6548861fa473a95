"""TLS and bearer-token auth for the built-in cluster's API server.

kubectl sends its bearer token only over HTTPS, so the server always speaks
TLS: ``make_credentials`` creates a self-signed CA and a server certificate
for 127.0.0.1/localhost signed by it, and a random token. ``write_kubeconfig``
writes a kubeconfig that trusts that CA and carries the token. Every request
without ``Authorization: Bearer <token>`` is refused with 401.
"""

from __future__ import annotations

import base64
import datetime as dt
import hmac
import ipaddress
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

import yaml
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

CONTEXT_NAME = "pyhelm"


@dataclass(frozen=True)
class Credentials:
    """PEM texts of the CA and of the server's certificate and key, and the bearer token."""

    ca_pem: bytes
    cert_pem: bytes
    key_pem: bytes
    token: str

    def write_tls_files(self, folder: Path) -> tuple[Path, Path]:
        """Write the server certificate (with its CA) and key, owner-only; return both paths."""
        folder.mkdir(parents=True, exist_ok=True)
        cert, key = folder / "server.crt", folder / "server.key"
        for path, data in ((cert, self.cert_pem + self.ca_pem), (key, self.key_pem)):
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
        return cert, key


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def _builder(subject: str, issuer: str, public_key: ec.EllipticCurvePublicKey,
             days: int) -> x509.CertificateBuilder:
    now = dt.datetime.now(dt.UTC)
    return (x509.CertificateBuilder()
            .subject_name(_name(subject)).issuer_name(_name(issuer))
            .public_key(public_key).serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(minutes=5))
            .not_valid_after(now + dt.timedelta(days=days)))


def make_credentials(hosts: tuple[str, ...] = ("127.0.0.1", "localhost"),
                     days: int = 365) -> Credentials:
    """A fresh CA, a server certificate for ``hosts`` signed by it, and a random token."""
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_cert = (_builder("pyhelm-ca", "pyhelm-ca", ca_key.public_key(), days)
               .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
               .add_extension(x509.KeyUsage(
                   digital_signature=True, key_cert_sign=True, crl_sign=True,
                   content_commitment=False, key_encipherment=False, data_encipherment=False,
                   key_agreement=False, encipher_only=False, decipher_only=False), critical=True)
               .sign(ca_key, hashes.SHA256()))
    key = ec.generate_private_key(ec.SECP256R1())
    names: list[x509.GeneralName] = []
    for host in hosts:
        try:
            names.append(x509.IPAddress(ipaddress.ip_address(host)))
        except ValueError:
            names.append(x509.DNSName(host))
    cert = (_builder("pyhelm-apiserver", "pyhelm-ca", key.public_key(), days)
            .add_extension(x509.SubjectAlternativeName(names), critical=False)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
            .sign(ca_key, hashes.SHA256()))
    pem = serialization.Encoding.PEM
    return Credentials(
        ca_pem=ca_cert.public_bytes(pem),
        cert_pem=cert.public_bytes(pem),
        key_pem=key.private_bytes(pem, serialization.PrivateFormat.PKCS8,
                                  serialization.NoEncryption()),
        token=secrets.token_urlsafe(32),
    )


def kubeconfig(server_url: str, credentials: Credentials, namespace: str = "default") -> dict:
    """A kubeconfig (as a dict) for ``server_url``: trusts the CA, authenticates by token."""
    return {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [{"name": CONTEXT_NAME, "cluster": {
            "server": server_url,
            "certificate-authority-data": base64.b64encode(credentials.ca_pem).decode(),
        }}],
        "users": [{"name": CONTEXT_NAME, "user": {"token": credentials.token}}],
        "contexts": [{"name": CONTEXT_NAME, "context": {
            "cluster": CONTEXT_NAME, "user": CONTEXT_NAME, "namespace": namespace}}],
        "current-context": CONTEXT_NAME,
        "preferences": {},
    }


def write_kubeconfig(path: Path, server_url: str, credentials: Credentials) -> Path:
    """Write the kubeconfig for ``server_url`` to ``path`` (owner-only: it holds the token)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        yaml.safe_dump(kubeconfig(server_url, credentials), handle, sort_keys=False)
    return path


def authorized(header: str | None, token: str) -> bool:
    """True when an Authorization header carries exactly ``Bearer <token>`` (constant time)."""
    if not header or not header.startswith("Bearer "):
        return False
    return hmac.compare_digest(header[len("Bearer "):].strip().encode(), token.encode())
