"""TLS material, kubeconfig and bearer tokens."""

from __future__ import annotations

import base64
import ipaddress
import stat

import yaml
from cryptography import x509

from pyhelm.cluster.kubeapi.auth import authorized, make_credentials, write_kubeconfig


def test_server_certificate_is_signed_by_the_ca_and_names_loopback():
    creds = make_credentials()
    ca = x509.load_pem_x509_certificate(creds.ca_pem)
    cert = x509.load_pem_x509_certificate(creds.cert_pem)
    cert.verify_directly_issued_by(ca)
    names = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert ipaddress.ip_address("127.0.0.1") in names.get_values_for_type(x509.IPAddress)
    assert "localhost" in names.get_values_for_type(x509.DNSName)


def test_kubeconfig_trusts_the_ca_carries_the_token_and_is_private(tmp_path):
    creds = make_credentials()
    path = write_kubeconfig(tmp_path / "kubeconfig", "https://127.0.0.1:6443", creds)
    config = yaml.safe_load(path.read_text())
    cluster = config["clusters"][0]["cluster"]
    assert cluster["server"] == "https://127.0.0.1:6443"
    assert base64.b64decode(cluster["certificate-authority-data"]) == creds.ca_pem
    assert config["users"][0]["user"]["token"] == creds.token
    assert config["current-context"] == "pyhelm"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_only_the_exact_bearer_token_is_authorized():
    token = make_credentials().token
    assert authorized(f"Bearer {token}", token)
    assert not authorized(None, token)
    assert not authorized(f"Basic {token}", token)
    assert not authorized(f"Bearer {token}x", token)
    assert make_credentials().token != token
