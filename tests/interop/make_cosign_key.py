#!/usr/bin/env python3
"""Writes a cosign-format encrypted key pair (PREFIX.key, PREFIX.pub) without cosign.

The format is go-securesystemslib's `encrypted` package as cosign uses it: PEM
`ENCRYPTED SIGSTORE PRIVATE KEY` around JSON {kdf: scrypt(N, r, p, salt),
cipher: nacl/secretbox(nonce), ciphertext} sealing a PKCS#8 DER private key.
Crypto comes from independent implementations (OpenSSL's scrypt via hashlib,
libsodium's secretbox via PyNaCl, the key from `cryptography`), so agentsec's
importer is checked against something other than itself. Used to make
fixtures/sign/cosign-p256.{key,pub}.

Usage: make_cosign_key.py PREFIX PASSWORD
"""
import base64
import hashlib
import json
import os
import sys

import nacl.secret
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec


def main() -> None:
    prefix, password = sys.argv[1], sys.argv[2]
    key = ec.generate_private_key(ec.SECP256R1())
    der = key.private_bytes(
        serialization.Encoding.DER,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    n, r, p = 32768, 8, 1  # cosign's defaults
    salt = os.urandom(32)
    secret = hashlib.scrypt(password.encode(), salt=salt, n=n, r=r, p=p, dklen=32, maxmem=64 * 1024 * 1024)
    nonce = os.urandom(24)
    sealed = nacl.secret.SecretBox(secret).encrypt(der, nonce).ciphertext  # tag || ciphertext
    doc = {
        "kdf": {"name": "scrypt", "params": {"N": n, "r": r, "p": p}, "salt": base64.b64encode(salt).decode()},
        "cipher": {"name": "nacl/secretbox", "nonce": base64.b64encode(nonce).decode()},
        "ciphertext": base64.b64encode(sealed).decode(),
    }
    body = base64.b64encode(json.dumps(doc, separators=(",", ":")).encode()).decode()
    lines = [body[i : i + 64] for i in range(0, len(body), 64)]
    pem = "-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----\n" + "\n".join(lines) + "\n-----END ENCRYPTED SIGSTORE PRIVATE KEY-----\n"
    with open(prefix + ".key", "w") as f:
        f.write(pem)
    with open(prefix + ".pub", "wb") as f:
        f.write(key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo))


if __name__ == "__main__":
    main()
