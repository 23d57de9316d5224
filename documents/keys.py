"""Signing keys: the county root CA and one certificate per signing unit, kept outside the repository.

Layout of SIGNING_KEYS_DIR (default var/keys):

    root-ca.pem               the county root certificate (the trust anchor validators use)
    root-ca.key.pem           its private key (needed only to issue unit certificates)
    units/<type>-<code>.p12   one PKCS#12 per signing unit: key, certificate, chain
    trust/*.pem               extra trust anchors (e.g. the real provincial CA in production)

``python manage.py make_signing_keys`` creates the development PKI; production
replaces the files with real PKCS#12 files of the same names (docs/documents.md).
"""

import datetime as dt
import functools
import os
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from django.conf import settings

from institutions.county import current_county
from institutions.models import County

from .issuers import Issuer


def keys_dir() -> Path:
    return Path(settings.SIGNING_KEYS_DIR)


def passphrase() -> bytes:
    return os.environ.get("SIGNING_KEY_PASSPHRASE", "yiyang-dev-keys").encode()


def unit_key_path(issuer: Issuer) -> Path:
    return keys_dir() / "units" / f"{issuer.type}-{issuer.code}.p12"


def root_cert_path() -> Path:
    return keys_dir() / "root-ca.pem"


def _name(common_name: str, organisation: str, county: County) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
            x509.NameAttribute(NameOID.STATE_OR_PROVINCE_NAME, county.province),
            x509.NameAttribute(NameOID.LOCALITY_NAME, county.name),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def create_root(
    county: County | None = None, *, years: int = 20
) -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey]:
    """The county's root certificate, named after it and issued in its government's name (the county's row)."""
    county = county or current_county()
    key = ec.generate_private_key(ec.SECP256R1())
    name = _name(county.root_certificate_name, county.government, county)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(_now() - dt.timedelta(days=1))
        .not_valid_after(_now() + dt.timedelta(days=365 * years))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    return cert, key


def create_unit_certificate(
    issuer: Issuer, root_cert: x509.Certificate, root_key, *, years: int = 5
) -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey]:
    """A signing certificate for one unit: digitalSignature + nonRepudiation, the unit's Chinese name."""
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name(issuer.name, issuer.name, current_county()))
        .issuer_name(root_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(_now() - dt.timedelta(days=1))
        .not_valid_after(_now() + dt.timedelta(days=365 * years))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION, ExtendedKeyUsageOID.CODE_SIGNING]),
            critical=False,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(root_cert.public_key()), critical=False)
        .sign(root_key, hashes.SHA256())
    )
    return cert, key


def write_root(cert, key) -> None:
    directory = keys_dir()
    directory.mkdir(parents=True, exist_ok=True)
    root_cert_path().write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path = directory / "root-ca.key.pem"
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.BestAvailableEncryption(passphrase()),
        )
    )
    os.chmod(key_path, 0o600)


def load_root() -> tuple[x509.Certificate, object]:
    cert = x509.load_pem_x509_certificate(root_cert_path().read_bytes())
    key = serialization.load_pem_private_key((keys_dir() / "root-ca.key.pem").read_bytes(), passphrase())
    return cert, key


def write_unit(issuer: Issuer, cert, key, root_cert) -> Path:
    path = unit_key_path(issuer)
    path.parent.mkdir(parents=True, exist_ok=True)
    # Written aside and renamed: a worker reading the key never sees half a file.
    partial = path.with_suffix(f".{os.getpid()}.tmp")
    partial.write_bytes(
        pkcs12.serialize_key_and_certificates(
            issuer.key.encode(), key, cert, [root_cert], serialization.BestAvailableEncryption(passphrase())
        )
    )
    os.chmod(partial, 0o600)
    os.replace(partial, path)
    return path


@functools.cache
def _trust_roots_cached(signature: tuple) -> tuple:
    from asn1crypto import pem as asn1_pem
    from asn1crypto import x509 as asn1_x509

    roots = []
    for path, _mtime in signature:
        data = Path(path).read_bytes()
        for _type, _headers, der in asn1_pem.unarmor(data, multiple=True):
            roots.append(asn1_x509.Certificate.load(der))
    return tuple(roots)


def trust_root_files() -> list[Path]:
    files = [root_cert_path()] if root_cert_path().exists() else []
    extra = keys_dir() / "trust"
    if extra.is_dir():
        files += sorted(extra.glob("*.pem"))
    return files


def trust_roots() -> tuple:
    """The certificates a document's signatures must chain to (asn1crypto objects for pyHanko)."""
    files = trust_root_files()
    return _trust_roots_cached(tuple((str(p), p.stat().st_mtime_ns) for p in files))


@functools.lru_cache(maxsize=64)
def _load_signer(path: str, mtime: int):
    from pyhanko.sign import signers

    signer = signers.SimpleSigner.load_pkcs12(path, passphrase=passphrase())
    if signer is None:
        raise RuntimeError(f"cannot load signing key {path}")
    return signer


def signer_for(issuer: Issuer):
    """The unit's pyHanko signer, parsed once per worker process (parsing costs ~40 ms).

    A unit added after the keys were made (a new institution) gets its certificate here
    when this installation holds the root key, as the development PKI does; production
    keeps the root key offline, so a missing unit key fails loudly instead.
    """
    path = unit_key_path(issuer)
    if not path.exists():
        root_key = keys_dir() / "root-ca.key.pem"
        if not root_key.exists():
            raise FileNotFoundError(f"no signing key for {issuer.name}: {path}")
        root_cert, root_private = load_root()
        cert, key = create_unit_certificate(issuer, root_cert, root_private)
        write_unit(issuer, cert, key, root_cert)
    return _load_signer(str(path), path.stat().st_mtime_ns)
