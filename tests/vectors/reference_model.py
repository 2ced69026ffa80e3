#!/usr/bin/env python3
"""Independent reference check of SecureBase's crypto vectors.

Reads tests/vectors/crypto_v3.txt (written by the C++ library from a fixed
seed) and recomputes from the documented formats alone, with PyNaCl (Debian's
python3-nacl) for the primitives and Python's own hmac/hashlib for HKDF,
HMAC chains, the safety number and the fingerprint:

  - the Ed25519 identity keys from their seeds, the prekeys from their private
    keys;
  - the device-bound signed-prekey signature ("SecureBase/v2/signed-prekey"),
    the device binding record ("SecureBase/v2/device-binding", format v1) and
    the v2 prekey bundle's bytes;
  - X3DH from the responder's private keys (with and without a one-time
    prekey): DH1..DH4, HKDF-SHA256 -> root key and the two header keys;
  - the first three messages each way, decrypted: the initial-message prefix,
    the encrypted headers (XChaCha20-Poly1305 under the header keys), the root
    and symmetric-key chains and the padded bodies;
  - the safety numbers and the identity fingerprint.

Nothing here imports or calls SecureBase code. Exit status 0 if every check
passes, 1 otherwise (each failure is printed).
"""

import hashlib
import hmac
import struct
import sys

try:
    from nacl import bindings as nb
    from nacl.exceptions import BadSignatureError, CryptoError
    from nacl.signing import VerifyKey
except ImportError:
    print("reference_model.py: PyNaCl is missing; install python3-nacl "
          "(scripts/install-deps.sh)", file=sys.stderr)
    sys.exit(1)

MESSAGE_VERSION = 0x03
RATCHET_TYPE = 0x01
INITIAL_TYPE = 0x02
X3DH_HEADER_VERSION = 0x01
X3DH_INFO = b"SecureBase/v1/x3dh"
ROOT_INFO = b"SecureBase/v1/ratchet-root"
SAFETY_LABEL = b"SecureBase/v1/safety-number"
FINGERPRINT_LABEL = b"SecureBase/v1/identity-fingerprint"
NONCE = 24
TAG = 16
INITIAL_PREFIX = 2 + 1 + 32 + 32 + 4 + 1 + 4
HEADER_END = 2 + NONCE + 40 + TAG

failures = []


def check(name, condition, detail=""):
    print(("ok     " if condition else "FAILED ") + name + (": " + detail if detail and not condition else ""))
    if not condition:
        failures.append(name)


def load(path):
    values = {}
    with open(path, encoding="ascii") as f:
        for line in f:
            line = line.rstrip("\n")
            if not line or line.startswith("#"):
                continue
            name, value = line.split(" = ", 1)
            if value.startswith('"'):
                values[name] = value[1:-1]
            elif value.isdigit() and len(value) < 12:
                values[name] = int(value)
            else:
                values[name] = bytes.fromhex(value)
    return values


def hkdf(salt, ikm, info, length):
    """RFC 5869 with HMAC-SHA256; an empty salt is 32 zero bytes."""
    prk = hmac.new(salt or bytes(32), ikm, hashlib.sha256).digest()
    out, block, counter = b"", b"", 1
    while len(out) < length:
        block = hmac.new(prk, block + info + bytes([counter]), hashlib.sha256).digest()
        out += block
        counter += 1
    return out[:length]


def chain_step(chain_key):
    """KDF_CK: (message key, next chain key)."""
    return (hmac.new(chain_key, b"\x01", hashlib.sha256).digest(),
            hmac.new(chain_key, b"\x02", hashlib.sha256).digest())


def root_step(root_key, dh_out):
    okm = hkdf(root_key, dh_out, ROOT_INFO, 96)
    return okm[:32], okm[32:64], okm[64:]


def x25519(private, public):
    return nb.crypto_scalarmult(private, public)


def identity_dh_private(seed):
    _, secret = nb.crypto_sign_seed_keypair(seed)
    return nb.crypto_sign_ed25519_sk_to_curve25519(secret)


def aead_open(key, nonce, ciphertext, ad):
    try:
        return nb.crypto_aead_xchacha20poly1305_ietf_decrypt(ciphertext, ad, nonce, key)
    except CryptoError:
        return None


def unpad(padded):
    """ISO/IEC 7816-4: the plaintext, then 0x80, then zeros."""
    stripped = padded.rstrip(b"\x00")
    if not stripped or stripped[-1] != 0x80:
        return None
    return stripped[:-1]


def verify(public, label, message, signature):
    try:
        VerifyKey(public).verify(label + b"\x00" + message, signature)
        return True
    except BadSignatureError:
        return False


def split_ratchet(message):
    """v3 ratchet message -> (lead, header nonce, enc header, prefix, body nonce, body)."""
    return (message[:2], message[2:2 + NONCE], message[2 + NONCE:HEADER_END], message[:HEADER_END],
            message[HEADER_END:HEADER_END + NONCE], message[HEADER_END + NONCE:])


def open_message(message, header_key, ad, initial_prefix=b""):
    """Decrypts the header; returns (dh, pn, n, opener) where opener(mk) gives the plaintext."""
    lead, h_nonce, h_cipher, prefix, b_nonce, body = split_ratchet(message)
    header = aead_open(header_key, h_nonce, h_cipher, ad + lead)
    if header is None or lead != bytes([MESSAGE_VERSION, RATCHET_TYPE]):
        return None
    dh, pn, n = header[:32], *struct.unpack(">II", header[32:40])

    def opener(message_key):
        padded = aead_open(message_key, b_nonce, body, ad + prefix + initial_prefix)
        return None if padded is None else (len(padded), unpad(padded))
    return dh, pn, n, opener


def main(path):
    v = load(path)

    # Identities and prekeys.
    for who in ("alice", "bob"):
        public, _ = nb.crypto_sign_seed_keypair(v[who + "_identity_seed"])
        check(who + " identity key from its seed", public == v[who + "_identity_public"])
    for key in ("bob_spk", "bob_otk"):
        check(key + " public from private", nb.crypto_scalarmult_base(v[key + "_private"]) == v[key + "_public"])

    # Device-bound signed prekey: user id || device id || prekey id || key.
    bob_device = v["bob_user_id"] + struct.pack(">I", v["bob_device_id"])
    spk_message = bob_device + struct.pack(">I", v["bob_spk_id"]) + v["bob_spk_public"]
    check("signed prekey signature (v2, device-bound)",
          verify(v["bob_identity_public"], b"SecureBase/v2/signed-prekey", spk_message, v["bob_spk_signature"]))
    other_device = v["bob_user_id"] + struct.pack(">I", v["bob_device_id"] + 1)
    check("signed prekey signature fails for another device",
          not verify(v["bob_identity_public"], b"SecureBase/v2/signed-prekey",
                     other_device + spk_message[20:], v["bob_spk_signature"]))

    # Device binding record v1.
    record = v["bob_device_binding"]
    check("device binding is 125 bytes, version 1", len(record) == 125 and record[0] == 1)
    check("device binding names bob's device and auth key",
          record[1:21] == bob_device and record[21:53] == v["bob_device_auth_public"])
    check("device binding created-at", struct.unpack(">Q", record[53:61])[0] == 1767225600)
    check("device binding signature",
          verify(v["bob_identity_public"], b"SecureBase/v2/device-binding", record[:61], record[61:]))

    # Prekey bundle v2.
    expected_bundle = (bytes([2]) + v["bob_identity_public"] + bob_device + struct.pack(">I", v["bob_spk_id"]) +
                       v["bob_spk_public"] + v["bob_spk_signature"] + b"\x01" +
                       struct.pack(">I", v["bob_otk_id"]) + v["bob_otk_public"])
    check("prekey bundle v2 bytes", v["bob_bundle"] == expected_bundle)

    # X3DH, responder side, from the first initial message's prefix.
    a1 = v["message_a1"]
    prefix = a1[:INITIAL_PREFIX]
    check("initial message: version, type, X3DH header version",
          prefix[:3] == bytes([MESSAGE_VERSION, INITIAL_TYPE, X3DH_HEADER_VERSION]))
    identity, base_key = prefix[3:35], prefix[35:67]
    spk_id, has_otk, otk_id = struct.unpack(">IBI", prefix[67:76])
    check("initial message names alice, the base key and the prekeys",
          identity == v["alice_identity_public"] and base_key == v["x3dh_base_key"] and
          spk_id == v["bob_spk_id"] and has_otk == 1 and otk_id == v["bob_otk_id"])
    alice_x = nb.crypto_sign_ed25519_pk_to_curve25519(v["alice_identity_public"])
    bob_x = identity_dh_private(v["bob_identity_seed"])

    def x3dh(base, with_otk):
        dhs = [x25519(v["bob_spk_private"], alice_x), x25519(bob_x, base), x25519(v["bob_spk_private"], base)]
        if with_otk:
            dhs.append(x25519(v["bob_otk_private"], base))
        okm = hkdf(b"", b"\xff" * 32 + b"".join(dhs), X3DH_INFO, 96)
        return okm[:32], okm[32:64], okm[64:]

    root, hka, nhkb = x3dh(base_key, True)
    check("X3DH root key (with one-time prekey)", root == v["x3dh_root_key"])
    check("X3DH initiator header key", hka == v["x3dh_initiator_header_key"])
    check("X3DH responder next header key", nhkb == v["x3dh_responder_next_header_key"])
    plain = x3dh(v["nootk_base_key"], False)
    check("X3DH without one-time prekey",
          plain == (v["nootk_root_key"], v["nootk_initiator_header_key"], v["nootk_responder_next_header_key"]))

    # Alice's first three messages, decrypted as Bob: one receiving chain from
    # Bob's DH step with his signed prekey (RatchetInitBobHE + DHRatchetHE).
    ad = v["alice_identity_public"] + v["bob_identity_public"]
    receiving_chain = None
    for i in (1, 2, 3):
        message = v["message_a%d" % i]
        check("a%d prefix is the same initial prefix" % i, message[:INITIAL_PREFIX] == prefix)
        opened = open_message(message[INITIAL_PREFIX:], hka, ad, message[:INITIAL_PREFIX])
        check("a%d header decrypts under the initiator header key" % i, opened is not None)
        if opened is None:
            continue
        dh_a, pn, n, opener = opened
        check("a%d header counters" % i, (pn, n) == (0, i - 1), "pn=%d n=%d" % (pn, n))
        if receiving_chain is None:
            root, receiving_chain, _ = root_step(root, x25519(v["bob_spk_private"], dh_a))
            alice_ratchet = dh_a
        check("a%d ratchet key unchanged within the chain" % i, dh_a == alice_ratchet)
        message_key, receiving_chain = chain_step(receiving_chain)
        result = opener(message_key)
        check("a%d body decrypts to its plaintext in a 256-byte bucket" % i,
              result == (256, v["plaintext_a%d" % i].encode()), repr(result))

    # Bob's first three replies: his new ratchet key, a root step, his sending
    # chain under the header key X3DH gave him (shared_nhkb).
    bob_ratchet = v["bob_ratchet_private"]
    root, sending_chain, _ = root_step(root, x25519(bob_ratchet, alice_ratchet))
    for i in (1, 2, 3):
        message = v["message_b%d" % i]
        opened = open_message(message, nhkb, ad)
        check("b%d header decrypts under the responder header key" % i, opened is not None)
        if opened is None:
            continue
        dh_b, pn, n, opener = opened
        check("b%d header: bob's ratchet key and counters" % i,
              dh_b == nb.crypto_scalarmult_base(bob_ratchet) and (pn, n) == (0, i - 1))
        message_key, sending_chain = chain_step(sending_chain)
        result = opener(message_key)
        check("b%d body decrypts to its plaintext" % i, result == (256, v["plaintext_b%d" % i].encode()),
              repr(result))

    # Safety numbers: per key, SHA-512 over label || key, then 5199 times over
    # digest || key; six 5-byte chunks mod 100000; halves sorted and joined.
    def half(key):
        digest = hashlib.sha512(SAFETY_LABEL + key).digest()
        for _ in range(5199):
            digest = hashlib.sha512(digest + key).digest()
        return "".join("%05d" % (int.from_bytes(digest[5 * c:5 * c + 5], "big") % 100000) for c in range(6))

    for n in (1, 2, 3):
        digits = "".join(sorted([half(v["safety_%d_a" % n]), half(v["safety_%d_b" % n])]))
        number = " ".join(digits[i:i + 5] for i in range(0, 60, 5))
        check("safety number %d" % n, number == v["safety_%d_number" % n], number)
    fingerprint = hashlib.blake2b(v["bob_identity_public"], digest_size=32, key=FINGERPRINT_LABEL).digest()
    check("identity fingerprint", fingerprint == v["bob_identity_fingerprint"])

    print("%d checks failed" % len(failures) if failures else "all checks passed")
    return 1 if failures else 0


if __name__ == "__main__":
    if len(sys.argv) != 2:
        print("usage: reference_model.py tests/vectors/crypto_v3.txt", file=sys.stderr)
        sys.exit(2)
    sys.exit(main(sys.argv[1]))
