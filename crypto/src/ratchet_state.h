// A session's state: the ratchet core and the kept receiving chains with
// their skipped keys. Private to crypto/: session.cc runs the protocol on it,
// ratchet_state.cc bounds and (de)serializes it.
#ifndef SECUREBASE_CRYPTO_SRC_RATCHET_STATE_H_
#define SECUREBASE_CRYPTO_SRC_RATCHET_STATE_H_

#include <array>
#include <cstdint>
#include <deque>
#include <optional>
#include <vector>

#include "byte_io.h"
#include "securebase/crypto/secret.h"
#include "securebase/crypto/session.h"
#include "securebase/crypto/signature.h"
#include "securebase/crypto/x3dh.h"

namespace securebase::crypto {
namespace internal {

using Key32 = SecretArray<32>;

// Everything that one message can change apart from the receiving chains'
// skipped keys. Decrypt works on a Clone() and moves it back only on success.
struct RatchetCore {
  Key32 dhs_private;
  DhPublicKey dhs_public;
  bool has_dhr = false;
  DhPublicKey dhr;
  Key32 rk;
  bool has_cks = false;
  Key32 cks;
  bool has_ckr = false;
  Key32 ckr;
  bool has_hks = false;
  Key32 hks;
  bool has_hkr = false;
  Key32 hkr;
  Key32 nhks;
  Key32 nhkr;
  uint32_t ns = 0, nr = 0, pn = 0;
  bool awaiting_reply = false;

  RatchetCore Clone() const;
};

struct SkippedKey {
  uint32_t n = 0;
  Key32 message_key;
};

// Counters first..last (inclusive) whose keys were evicted undecrypted.
struct EvictedRange {
  uint32_t first = 0;
  uint32_t last = 0;
};

// What a receiving chain knows about its counters below `end` (the number of
// message keys derived in it): each one was decrypted, is still skipped
// (key held), or was evicted. Compact: the held keys, plus a bounded list of
// evicted ranges; everything else below `end` was decrypted.
struct ReceivingChain {
  enum class Lookup { kSkipped, kDecrypted, kEvicted, kNotDerived };

  // Only for previous chains; the current chain's are core.hkr and core.nr.
  Key32 header_key;
  uint32_t end = 0;
  std::deque<SkippedKey> skipped;     // Ascending n, all < end.
  std::vector<EvictedRange> evicted;  // Ascending, disjoint, non-adjacent.

  // Where counter `n` stands, given the chain's end; for kSkipped, `index`
  // is its position in `skipped`.
  Lookup Find(uint32_t n, uint32_t chain_end, size_t& index) const;
  // Drops the oldest skipped key, remembering its counter as evicted.
  void EvictOldest();
  bool empty() const { return skipped.empty() && evicted.empty(); }
};

}  // namespace internal

struct Session::State {
  bool initiator = false;
  IdentityPublicKey local_identity;
  IdentityPublicKey remote_identity;
  DhPublicKey base_key;
  // Only meaningful while core.awaiting_reply: what the initial message names.
  uint32_t signed_prekey_id = 0;
  std::optional<uint32_t> one_time_prekey_id;
  internal::RatchetCore core;
  // The receiving chain of core.hkr (empty while there is none).
  internal::ReceivingChain current;
  // Up to kMaxPreviousReceivingChains older chains, oldest first.
  std::deque<internal::ReceivingChain> previous;

  std::array<uint8_t, kAssociatedDataSize> AssociatedData() const;
  size_t SkippedTotal() const;
  // Applies the per-chain and total skipped-key bounds (limits.h) by
  // evicting the oldest keys, and the bound on kept chains by dropping the
  // oldest chains.
  void EnforceBounds();
  // Reads v1's flat list of skipped keys into chains (ratchet_state.cc).
  [[nodiscard]] bool ReadLegacySkipped(internal::Reader& reader);
};

}  // namespace securebase::crypto

#endif  // SECUREBASE_CRYPTO_SRC_RATCHET_STATE_H_
