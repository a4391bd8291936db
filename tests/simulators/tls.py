# Copyright (c) sso.oidc contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Test PKI for the simulators: a CA and server certificates, made fresh per harness.

Besides the good server certificate (127.0.0.1 and localhost), it can make the
broken ones the fault suite needs: an expired certificate, one for another
host name, and one signed by a CA that nobody trusts.
"""

import datetime
import ipaddress
import os
import ssl

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID


def _key():
    return ec.generate_private_key(ec.SECP256R1())


def _pem_key(key):
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


def _now():
    return datetime.datetime.now(datetime.timezone.utc)


class CertificateAuthority(object):
    def __init__(self, name="sso.oidc test CA"):
        self.key = _key()
        subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
        self.cert = (
            x509.CertificateBuilder()
            .subject_name(subject).issuer_name(subject)
            .public_key(self.key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(_now() - datetime.timedelta(days=1))
            .not_valid_after(_now() + datetime.timedelta(days=30))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True,
                                         content_commitment=False, key_encipherment=False,
                                         data_encipherment=False, key_agreement=False,
                                         encipher_only=False, decipher_only=False), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(self.key.public_key()), critical=False)
            .sign(self.key, hashes.SHA256())
        )

    def pem(self):
        return self.cert.public_bytes(serialization.Encoding.PEM)

    def issue(self, hosts=("127.0.0.1", "localhost"), expired=False):
        """A server certificate for ``hosts``; ``expired`` makes one that ran out yesterday."""
        key = _key()
        names = []
        for host in hosts:
            try:
                names.append(x509.IPAddress(ipaddress.ip_address(host)))
            except ValueError:
                names.append(x509.DNSName(host))
        if expired:
            start, end = _now() - datetime.timedelta(days=10), _now() - datetime.timedelta(days=1)
        else:
            start, end = _now() - datetime.timedelta(days=1), _now() + datetime.timedelta(days=30)
        cert = (
            x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, hosts[0])]))
            .issuer_name(self.cert.subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(start).not_valid_after(end)
            .add_extension(x509.SubjectAlternativeName(names), critical=False)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(self.key.public_key()), critical=False)
            .sign(self.key, hashes.SHA256())
        )
        return cert.public_bytes(serialization.Encoding.PEM), _pem_key(key)


class TestPKI(object):
    """Writes the CA bundle and server certificates under ``directory``."""

    def __init__(self, directory):
        self.directory = directory
        os.makedirs(directory, exist_ok=True)
        self.ca = CertificateAuthority()
        self.ca_path = self._write("ca.pem", self.ca.pem())
        self.other_ca = CertificateAuthority("untrusted test CA")
        self.other_ca_path = self._write("other-ca.pem", self.other_ca.pem())
        self._contexts = {}

    def _write(self, name, data):
        path = os.path.join(self.directory, name)
        with open(path, "wb") as handle:
            handle.write(data)
        os.chmod(path, 0o600)
        return path

    def server_context(self, profile="good"):
        """An SSL server context: good, expired, wrong_host or untrusted."""
        if profile in self._contexts:
            return self._contexts[profile]
        if profile == "good":
            cert, key = self.ca.issue()
        elif profile == "expired":
            cert, key = self.ca.issue(expired=True)
        elif profile == "wrong_host":
            cert, key = self.ca.issue(hosts=("wrong-host.invalid",))
        elif profile == "untrusted":
            cert, key = self.other_ca.issue()
        else:
            raise ValueError("unknown TLS profile %r" % profile)
        cert_path = self._write("server-%s.pem" % profile, cert)
        key_path = self._write("server-%s.key" % profile, key)
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(cert_path, key_path)
        self._contexts[profile] = ctx
        return ctx

    def client_context(self):
        ctx = ssl.create_default_context(cafile=self.ca_path)
        return ctx
