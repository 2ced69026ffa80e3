#include "securebase/crypto/sealed_storage.h"

#include <sodium.h>

#include <string_view>

#include "byte_io.h"
#include "securebase/crypto/limits.h"

namespace securebase::crypto {

// The one place that reads a VaultKey's bytes.
class VaultKeyAccess {
 public:
  static ByteSpan Bytes(const VaultKey& key) { return key.key_.span(); }
  static VaultKey Make(SecureBuffer bytes) { return VaultKey(std::move(bytes)); }
};

namespace {

constexpr uint8_t kWrappedKeyVersion = 1;
constexpr uint8_t kSealedRecordVersion = 1;
constexpr size_t kSaltSize = crypto_pwhash_SALTBYTES;
constexpr size_t kNonceSize = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;
constexpr size_t kTagSize = crypto_aead_xchacha20poly1305_ietf_ABYTES;
constexpr size_t kWrappedHeaderSize = 1 + 8 + 8 + kSaltSize;
constexpr size_t kWrappedKeySize = kWrappedHeaderSize + kNonceSize + kVaultKeySize + kTagSize;
constexpr size_t kRecordOverhead = 1 + kNonceSize + kTagSize;

constexpr std::string_view kWrapLabel = "SecureBase/v1/vault-key";
constexpr std::string_view kRecordLabel = "SecureBase/v1/vault-record";
// crypto_kdf contexts are exactly 8 bytes.
constexpr char kSubkeyContext[crypto_kdf_CONTEXTBYTES] = {'S', 'B', 'v', 'a', 'u', 'l', 't', '1'};
constexpr uint64_t kRecordSubkeyId = 1;
constexpr uint64_t kNameTagSubkeyId = 2;

SecretArray<32> Subkey(const VaultKey& key, uint64_t id) {
  SecretArray<32> subkey;
  crypto_kdf_derive_from_key(subkey.data(), subkey.size(), id, kSubkeyContext,
                             VaultKeyAccess::Bytes(key).data());
  return subkey;
}

static_assert(kMinPassphraseOpsLimit == crypto_pwhash_OPSLIMIT_INTERACTIVE);
static_assert(kMinPassphraseMemLimit == crypto_pwhash_MEMLIMIT_INTERACTIVE);
static_assert(kMaxPassphraseOpsLimit <= crypto_pwhash_OPSLIMIT_MAX);
static_assert(kMaxPassphraseMemLimit <= crypto_pwhash_MEMLIMIT_MAX);

#ifdef SECUREBASE_TEST_PASSPHRASE_COST
// Test builds only (see sealed_storage.h): libsodium's absolute minimum.
constexpr uint64_t kLowestOps = crypto_pwhash_OPSLIMIT_MIN;
constexpr uint64_t kLowestMem = crypto_pwhash_MEMLIMIT_MIN;
#else
constexpr uint64_t kLowestOps = kMinPassphraseOpsLimit;
constexpr uint64_t kLowestMem = kMinPassphraseMemLimit;
#endif

bool ParamsInBounds(uint64_t ops, uint64_t mem) {
  return ops >= kLowestOps && ops <= kMaxPassphraseOpsLimit && mem >= kLowestMem &&
         mem <= kMaxPassphraseMemLimit;
}

Bytes LabelledAd(std::string_view label, ByteSpan rest) {
  Bytes ad(label.begin(), label.end());
  ad.insert(ad.end(), rest.begin(), rest.end());
  return ad;
}

}  // namespace

bool TestPassphraseCostCompiledIn() {
#ifdef SECUREBASE_TEST_PASSPHRASE_COST
  return true;
#else
  return false;
#endif
}

VaultKey VaultKey::Generate(RandomSource& rng) {
  SecureBuffer key(kVaultKeySize);
  rng.Fill(key.mutable_span());
  return VaultKey(std::move(key));
}

Result<Bytes> WrapVaultKey(const VaultKey& key, ByteSpan passphrase,
                           const PassphraseHashParams& params, RandomSource& rng) {
  EnsureSodiumInitialized();
  if (passphrase.empty()) return Status::InvalidArgument("passphrase must not be empty");
  if (!ParamsInBounds(params.ops_limit, params.mem_limit)) {
    return Status::InvalidArgument(
        TestPassphraseCostCompiledIn()
            ? "Argon2id parameters out of bounds (at most 4 passes over 256 MiB)"
            : "Argon2id parameters out of bounds (at least 2 passes over 64 MiB, at most 4 "
              "passes over 256 MiB; the test cost exists only in test builds)");
  }
  Bytes out;
  out.reserve(kWrappedKeySize);
  internal::BytesSink sink{out};
  internal::Writer writer(sink);
  writer.U8(kWrappedKeyVersion);
  writer.U64(params.ops_limit);
  writer.U64(params.mem_limit);
  uint8_t salt[kSaltSize];
  rng.Fill(salt);
  writer.Raw(salt);
  uint8_t nonce[kNonceSize];
  rng.Fill(nonce);
  writer.Raw(nonce);

  SecretArray<kVaultKeySize> kek;
  if (crypto_pwhash(kek.data(), kek.size(), reinterpret_cast<const char*>(passphrase.data()),
                    passphrase.size(), salt, params.ops_limit, params.mem_limit,
                    crypto_pwhash_ALG_ARGON2ID13) != 0) {
    return Status::InvalidState("Argon2id failed (not enough memory?)");
  }
  Bytes ad = LabelledAd(kWrapLabel, ByteSpan(out.data(), kWrappedHeaderSize));
  const size_t ct_offset = out.size();
  out.resize(kWrappedKeySize);
  ByteSpan plain = VaultKeyAccess::Bytes(key);
  crypto_aead_xchacha20poly1305_ietf_encrypt(out.data() + ct_offset, nullptr, plain.data(),
                                             plain.size(), ad.data(), ad.size(), nullptr, nonce,
                                             kek.data());
  return out;
}

Result<VaultKey> UnwrapVaultKey(ByteSpan wrapped, ByteSpan passphrase) {
  EnsureSodiumInitialized();
  internal::Reader reader(wrapped);
  uint8_t version = 0;
  uint64_t ops = 0, mem = 0;
  ByteSpan salt, nonce, ciphertext;
  if (wrapped.size() != kWrappedKeySize || !reader.U8(version) || !reader.U64(ops) ||
      !reader.U64(mem) || !reader.View(kSaltSize, salt) || !reader.View(kNonceSize, nonce) ||
      !reader.View(kVaultKeySize + kTagSize, ciphertext) || !reader.AtEnd()) {
    return Status::InvalidMessage("wrapped vault key is malformed");
  }
  if (version != kWrappedKeyVersion) {
    return Status::InvalidMessage("wrapped vault key has an unknown version");
  }
  if (!ParamsInBounds(ops, mem)) {
    return Status::InvalidMessage(
        "wrapped vault key asks for Argon2id parameters out of bounds (edited or written by a "
        "test build): refused before deriving anything");
  }
  // No key is ever wrapped under an empty passphrase.
  if (passphrase.empty()) return Status::WrongPassphrase("the passphrase does not open this vault");
  SecretArray<kVaultKeySize> kek;
  if (crypto_pwhash(kek.data(), kek.size(), reinterpret_cast<const char*>(passphrase.data()),
                    passphrase.size(), salt.data(), ops, mem, crypto_pwhash_ALG_ARGON2ID13) != 0) {
    return Status::InvalidState("Argon2id failed (not enough memory?)");
  }
  Bytes ad = LabelledAd(kWrapLabel, wrapped.first(kWrappedHeaderSize));
  SecureBuffer key(kVaultKeySize);
  if (crypto_aead_xchacha20poly1305_ietf_decrypt(key.data(), nullptr, nullptr, ciphertext.data(),
                                                 ciphertext.size(), ad.data(), ad.size(),
                                                 nonce.data(), kek.data()) != 0) {
    // Wrong passphrase and a modified file are indistinguishable here.
    return Status::WrongPassphrase("the passphrase does not open this vault");
  }
  return VaultKeyAccess::Make(std::move(key));
}

Result<Bytes> SealRecord(const VaultKey& key, std::string_view name, ByteSpan plaintext,
                         RandomSource& rng) {
  EnsureSodiumInitialized();
  if (plaintext.size() > kMaxSealedRecordSize - kRecordOverhead) {
    return Status::InvalidArgument("record too large to seal");
  }
  SecretArray<32> subkey = Subkey(key, kRecordSubkeyId);
  Bytes out(kRecordOverhead + plaintext.size());
  out[0] = kSealedRecordVersion;
  rng.Fill(std::span<uint8_t>(out.data() + 1, kNonceSize));
  uint8_t version = kSealedRecordVersion;
  Bytes ad = LabelledAd(kRecordLabel, ByteSpan(&version, 1));
  ad.insert(ad.end(), name.begin(), name.end());
  crypto_aead_xchacha20poly1305_ietf_encrypt(out.data() + 1 + kNonceSize, nullptr,
                                             plaintext.data(), plaintext.size(), ad.data(),
                                             ad.size(), nullptr, out.data() + 1, subkey.data());
  return out;
}

Result<SecretBytes> OpenRecord(const VaultKey& key, std::string_view name, ByteSpan sealed) {
  EnsureSodiumInitialized();
  if (sealed.size() < kRecordOverhead || sealed.size() > kMaxSealedRecordSize) {
    return Status::InvalidMessage("sealed record is malformed");
  }
  if (sealed[0] != kSealedRecordVersion) {
    return Status::InvalidMessage("sealed record has an unknown version");
  }
  SecretArray<32> subkey = Subkey(key, kRecordSubkeyId);
  Bytes ad = LabelledAd(kRecordLabel, sealed.first(1));
  ad.insert(ad.end(), name.begin(), name.end());
  const ByteSpan ciphertext = sealed.subspan(1 + kNonceSize);
  SecretBytes plaintext(ciphertext.size() - kTagSize);
  // libsodium checks the tag before writing any plaintext.
  if (crypto_aead_xchacha20poly1305_ietf_decrypt(plaintext.data(), nullptr, nullptr,
                                                 ciphertext.data(), ciphertext.size(), ad.data(),
                                                 ad.size(), sealed.data() + 1,
                                                 subkey.data()) != 0) {
    return Status::InvalidMessage("sealed record does not authenticate");
  }
  return plaintext;
}

std::array<uint8_t, kRecordNameTagSize> RecordNameTag(const VaultKey& key,
                                                      std::string_view name) {
  EnsureSodiumInitialized();
  SecretArray<32> subkey = Subkey(key, kNameTagSubkeyId);
  std::array<uint8_t, kRecordNameTagSize> tag{};
  crypto_generichash(tag.data(), tag.size(), reinterpret_cast<const uint8_t*>(name.data()),
                     name.size(), subkey.data(), subkey.size());
  return tag;
}

}  // namespace securebase::crypto
