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
  - the safety numbers and the identity fingerprint;
  - an invite's subkeys (libsodium's KDF: keyed BLAKE2b with the subkey id as
    salt and the context as personalisation) and the client's invite proof
    (HMAC-SHA256 over "SecureBase/v2/invite-proof" and the statement).

and, given tests/vectors/linking_v1.txt as a second argument (issue 12):

  - the link code from its private key and channel, its text (Crockford
    base32 with a BLAKE2b check, hashlib's BLAKE2b, not libsodium's);
  - both provisioning messages, opened from the link code's private key:
    X25519, HKDF-SHA256 ("SecureBase/v1/provisioning"), XChaCha20-Poly1305
    with the channel-binding AD, ISO/IEC 7816-4 padding, the inner fields;
  - the history archive, read with PyNaCl's crypto_secretstream under the
    stream key HKDF-SHA256("SecureBase/v1/archive" | header prefix): tags,
    fixed-size chunks, padding and record framing;
  - the recovery key's text, and the backup: its header, the key check and
    archive key derived from the recovery key, and its archive.

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
INVITE_KDF_CONTEXT = b"SBinvit2"
INVITE_PROOF_LABEL = b"SecureBase/v2/invite-proof"
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


def hkdf_extract(salt, ikm):
    """RFC 5869 extract with HMAC-SHA256; an empty salt is 32 zero bytes."""
    return hmac.new(salt or bytes(32), ikm, hashlib.sha256).digest()


def hkdf_expand(prk, info, length):
    out, block, counter = b"", b"", 1
    while len(out) < length:
        block = hmac.new(prk, block + info + bytes([counter]), hashlib.sha256).digest()
        out += block
        counter += 1
    return out[:length]


def hkdf(salt, ikm, info, length):
    return hkdf_expand(hkdf_extract(salt, ikm), info, length)


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

    # Invite subkeys: crypto_kdf_derive_from_key is BLAKE2b(key = invite key,
    # salt = LE64(subkey id) || 8 zero bytes, personal = context || 8 zero
    # bytes) over nothing.
    def kdf(subkey_id, size):
        return hashlib.blake2b(b"", digest_size=size, key=v["invite_key"],
                               salt=struct.pack("<Q", subkey_id) + bytes(8),
                               person=INVITE_KDF_CONTEXT + bytes(8)).digest()

    check("invite profile key (subkey 1)", kdf(1, 32) == v["invite_profile_key"])
    check("invite proof key (subkey 2)", kdf(2, 32) == v["invite_proof_key"])
    check("invite id (subkey 3)", kdf(3, 16) == v["invite_id"])
    statement = (INVITE_PROOF_LABEL + b"\x00\x01" + v["bob_user_id"] + v["bob_identity_public"] +
                 v["alice_user_id"] + v["alice_identity_public"])
    proof = hmac.new(v["invite_proof_key"], statement, hashlib.sha256).digest()
    check("invite proof (HMAC-SHA256 over the statement)", proof == v["invite_proof"])

    print("%d checks failed" % len(failures) if failures else "all checks passed")
    return 1 if failures else 0


CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def typed_code_text(label, check_size, data):
    """Crockford base32 of data | BLAKE2b-256(label | 0 | data)[:check_size], groups of 4."""
    full = data + hashlib.blake2b(label + b"\x00" + data, digest_size=32).digest()[:check_size]
    bits = "".join(format(b, "08b") for b in full)
    chars = [CROCKFORD[int(bits[i:i + 5], 2)] for i in range(0, len(bits), 5)]
    return "-".join("".join(chars[i:i + 4]) for i in range(0, len(chars), 4))


def iso_unpad(padded):
    """ISO/IEC 7816-4: data, 0x80, zeros. None if malformed."""
    stripped = padded.rstrip(b"\x00")
    if not stripped or stripped[-1] != 0x80:
        return None
    return stripped[:-1]


def read_archive(archive_key, data, kind):
    """Archive v1 -> (records, error). Each chunk is chunk size + 17 bytes."""
    header, body = data[:30], data[30:]
    if header[0] != 1 or header[1] != kind:
        return None, "header version/kind"
    chunk_size = struct.unpack(">I", header[2:6])[0]
    stream_key = hkdf(b"", archive_key, b"SecureBase/v1/archive" + header[:6], 32)
    state = nb.crypto_secretstream_xchacha20poly1305_state()
    nb.crypto_secretstream_xchacha20poly1305_init_pull(state, header[6:30], stream_key)
    wire = chunk_size + nb.crypto_secretstream_xchacha20poly1305_ABYTES
    if len(body) % wire != 0:
        return None, "not whole chunks"
    stream = b""
    count = len(body) // wire
    for i in range(count):
        try:
            plain, tag = nb.crypto_secretstream_xchacha20poly1305_pull(state, body[i * wire:(i + 1) * wire])
        except Exception:  # PyNaCl raises a RuntimeError when a chunk does not authenticate.
            return None, "chunk %d does not authenticate" % i
        final = nb.crypto_secretstream_xchacha20poly1305_TAG_FINAL
        expected = final if i == count - 1 else nb.crypto_secretstream_xchacha20poly1305_TAG_MESSAGE
        if tag != expected or len(plain) != chunk_size:
            return None, "chunk %d tag or size" % i
        stream += plain if i < count - 1 else iso_unpad(plain)
    records, pos = [], 0
    while pos < len(stream):
        (length,) = struct.unpack(">I", stream[pos:pos + 4])
        records.append(stream[pos + 4:pos + 4 + length])
        pos += 4 + length
    return (records, None) if pos == len(stream) else (None, "framing")


def main_linking(path):
    v = load(path)
    records = [v["archive_record_%d" % i].encode() for i in range(1, v["archive_record_count"] + 1)]

    # Link code v1: version | X25519 public key | channel id, and its text.
    public = nb.crypto_scalarmult_base(v["link_private"])
    check("link public key from its private key", public == v["link_public"])
    code = bytes([1]) + public + v["link_channel_id"]
    check("link code bytes", code == v["link_code"])
    check("link code text", typed_code_text(b"SecureBase/v1/link-code-check", 6, code) == v["link_code_text"],
          typed_code_text(b"SecureBase/v1/link-code-check", 6, code))

    # Provisioning messages, opened as the new device.
    def open_provisioning(message):
        if message[0] != 1 or (len(message) - 73) % 1024 != 0:
            return None
        ephemeral, nonce, ciphertext = message[1:33], message[33:57], message[57:]
        shared = x25519(v["link_private"], ephemeral)
        key = hkdf(b"", shared, b"SecureBase/v1/provisioning" + b"\x01" + ephemeral + public +
                   v["link_channel_id"], 32)
        inner = aead_open(key, nonce, ciphertext, b"\x01" + v["link_channel_id"] + ephemeral)
        return None if inner is None else iso_unpad(inner)

    inner = open_provisioning(v["provisioning_message"])
    check("provisioning message opens with the link code's key", inner is not None)
    if inner is not None:
        created_at, pid, flags = struct.unpack(">Q16sB", inner[:25])
        check("provisioning inner: created at, id, history flag",
              (created_at, pid, flags) == (v["provisioning_created_at"], v["provisioning_id"], 1))
        check("provisioning inner: history key and payload",
              inner[25:57] == v["history_key"] and inner[57:] == v["provisioning_payload"].encode())
    check("provisioning message padded to whole kilobytes", (len(v["provisioning_message"]) - 73) % 1024 == 0)
    bare = open_provisioning(v["provisioning_nohistory_message"])
    check("provisioning message without history opens",
          bare is not None and bare[8:24] == v["provisioning_nohistory_id"] and bare[24] == 0 and len(bare) == 25)
    other_channel = bytes(16)
    ephemeral = v["provisioning_message"][1:33]
    key = hkdf(b"", x25519(v["link_private"], ephemeral),
               b"SecureBase/v1/provisioning" + b"\x01" + ephemeral + public + v["link_channel_id"], 32)
    check("provisioning message does not open for another channel (AD)",
          aead_open(key, v["provisioning_message"][33:57], v["provisioning_message"][57:],
                    b"\x01" + other_channel + ephemeral) is None)

    # The history archive, under the key the provisioning message carries.
    got, error = read_archive(v["history_key"], v["archive"], 1)
    check("history archive reads with bare secretstream", error is None and got == records, str(error))
    check("history archive chunk size", struct.unpack(">I", v["archive"][2:6])[0] == v["archive_chunk_size"])

    # Recovery key text and the backup.
    recovery = v["recovery_key"]
    check("recovery key text",
          typed_code_text(b"SecureBase/v1/recovery-key-check", 7, b"\x01" + recovery) == v["recovery_key_text"])
    backup = v["backup"]
    check("backup header: version, created at, id",
          backup[0] == 1 and struct.unpack(">Q", backup[1:9])[0] == v["backup_created_at"] and
          backup[9:25] == v["backup_id"])
    prk = hkdf_extract(b"", recovery)
    check("backup key check", backup[25:41] == hkdf_expand(prk, b"SecureBase/v1/backup-key-check", 16))
    archive_key = hkdf_expand(prk, b"SecureBase/v1/backup-archive" + backup[:25], 32)
    got, error = read_archive(archive_key, backup[41:], 2)
    check("backup archive reads with bare secretstream", error is None and got == records, str(error))

    print("%d checks failed" % len(failures) if failures else "all linking checks passed")
    return 1 if failures else 0


if __name__ == "__main__":
    if len(sys.argv) not in (2, 3):
        print("usage: reference_model.py tests/vectors/crypto_v3.txt [tests/vectors/linking_v1.txt]",
              file=sys.stderr)
        sys.exit(2)
    status = main(sys.argv[1])
    if len(sys.argv) == 3:
        status |= main_linking(sys.argv[2])
    sys.exit(status)
