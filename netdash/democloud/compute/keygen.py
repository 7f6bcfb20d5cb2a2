"""SSH key material without third-party libraries: fingerprints of imported keys, and RSA key generation.

Nova generates a key pair when the create request carries no public key (before 2.92) and answers the
private key once; a stdlib-only cloud has to do the number theory itself.
"""

from __future__ import annotations

import base64
import hashlib
import math
import secrets

SMALL_PRIMES = [p for p in range(3, 2000, 2) if all(p % d for d in range(3, int(p ** 0.5) + 1, 2))]
SSH_TYPES = ("ssh-rsa", "ssh-dss", "ssh-ed25519", "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384",
             "ecdsa-sha2-nistp521", "sk-ssh-ed25519@openssh.com", "sk-ecdsa-sha2-nistp256@openssh.com")


class InvalidKey(ValueError):
    """The public key cannot be parsed (Nova: 'failed to generate fingerprint')."""


def colon_hex(digest: bytes) -> str:
    return ":".join(f"{b:02x}" for b in digest)


def ssh_fingerprint(public_key: str) -> str:
    """MD5 of the key blob, as `ssh-keygen -l -E md5` and Nova show it."""
    parts = public_key.strip().split()
    if len(parts) < 2 or parts[0] not in SSH_TYPES:
        raise InvalidKey(public_key)
    try:
        blob = base64.b64decode(parts[1], validate=True)
    except ValueError:
        raise InvalidKey(public_key) from None
    if not blob.startswith(_ssh_string(parts[0].encode())):
        raise InvalidKey(public_key)
    return colon_hex(hashlib.md5(blob).digest())


def x509_fingerprint(certificate: str) -> str:
    body = certificate.strip()
    if not body.startswith("-----BEGIN CERTIFICATE-----") or "-----END CERTIFICATE-----" not in body:
        raise InvalidKey(certificate)
    inner = body.split("-----BEGIN CERTIFICATE-----", 1)[1].split("-----END CERTIFICATE-----", 1)[0]
    try:
        der = base64.b64decode("".join(inner.split()), validate=True)
    except ValueError:
        raise InvalidKey(certificate) from None
    return colon_hex(hashlib.sha1(der).digest())


def generate_rsa(bits: int = 2048) -> tuple[str, str]:
    """A fresh RSA key pair: (PKCS#1 PEM private key, OpenSSH public key)."""
    e = 65537
    while True:
        p, q = _prime(bits // 2), _prime(bits // 2)
        n, phi = p * q, (p - 1) * (q - 1)
        if p != q and n.bit_length() == bits and math.gcd(e, phi) == 1:
            break
    d = pow(e, -1, phi)
    fields = [0, n, e, d, p, q, d % (p - 1), d % (q - 1), pow(q, -1, p)]
    der = _der(0x30, b"".join(_der(0x02, _unsigned(v)) for v in fields))
    pem_body = base64.b64encode(der).decode()
    lines = [pem_body[i:i + 64] for i in range(0, len(pem_body), 64)]
    private = "-----BEGIN RSA PRIVATE KEY-----\n" + "\n".join(lines) + "\n-----END RSA PRIVATE KEY-----\n"
    blob = _ssh_string(b"ssh-rsa") + _ssh_string(_unsigned(e)) + _ssh_string(_unsigned(n))
    return private, f"ssh-rsa {base64.b64encode(blob).decode()} Generated-by-Nova"


def _prime(bits: int) -> int:
    while True:
        candidate = secrets.randbits(bits) | (3 << (bits - 2)) | 1
        if all(candidate % p for p in SMALL_PRIMES) and _probably_prime(candidate):
            return candidate


def _probably_prime(n: int, rounds: int = 16) -> bool:
    d, r = n - 1, 0
    while d % 2 == 0:
        d, r = d // 2, r + 1
    for _ in range(rounds):
        x = pow(secrets.randbelow(n - 3) + 2, d, n)
        if x in (1, n - 1):
            continue
        for _ in range(r - 1):
            x = pow(x, 2, n)
            if x == n - 1:
                break
        else:
            return False
    return True


def _unsigned(value: int) -> bytes:
    """Big-endian two's-complement-safe bytes (a leading zero when the top bit is set)."""
    return value.to_bytes(value.bit_length() // 8 + 1, "big")


def _der(tag: int, content: bytes) -> bytes:
    size = len(content)
    if size < 0x80:
        return bytes([tag, size]) + content
    encoded = size.to_bytes((size.bit_length() + 7) // 8, "big")
    return bytes([tag, 0x80 | len(encoded)]) + encoded + content


def _ssh_string(data: bytes) -> bytes:
    return len(data).to_bytes(4, "big") + data
