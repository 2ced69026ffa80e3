// Session state: the skipped-key bounds and the state blob formats.
//
// State blob v2 (written), integers big-endian:
//   version(1) = 2 | flags(1) | local identity(32) | remote identity(32) |
//   base key(32) | dhs private(32) | dhr(32) | rk cks ckr hks hkr nhks nhkr
//   (32 each) | ns(4) | nr(4) | pn(4) | spk id(4) | otk id(4) |
//   current chain | previous count(1) | previous chains, oldest first
// where a chain is
//   [header key(32) | end(4), previous chains only] | skipped count(4) |
//   skipped count x [n(4) | message key(32)] | evicted count(1) |
//   evicted count x [first(4) | last(4)]
// The current chain's header key and end are hkr and nr. Absent optional
// fields are zeros and must be zeros on load, counts and orders are checked
// (ascending, disjoint, within bounds), so every accepted v2 blob
// re-serializes to the same bytes.
//
// State blob v1 (commit e8ce7d0, read only): the same fixed part, then
//   skipped count(4) | skipped count x [header key(32) | n(4) | message key(32)]
// with each chain's keys contiguous and ascending. Loading groups them into
// chains. v1 did not record evictions; it evicted the oldest keys first, so
// only the oldest chain in the blob can have lost keys (its counters below
// its oldest kept key), and so can the current chain when the blob holds no
// key at all (all of them may have been evicted). Those counters load as
// evicted: a replay of one reads as kUndecryptableMessage, never as a
// duplicate of a message that was never shown. Chains whose keys v1 dropped
// entirely are not in the blob; their messages no longer authenticate.
#include "ratchet_state.h"

#include <sodium.h>

#include <algorithm>

#include "byte_io.h"
#include "securebase/crypto/limits.h"

namespace securebase::crypto {
namespace internal {

RatchetCore RatchetCore::Clone() const {
  RatchetCore c;
  c.dhs_private = dhs_private.Clone();
  c.dhs_public = dhs_public;
  c.has_dhr = has_dhr;
  c.dhr = dhr;
  c.rk = rk.Clone();
  c.has_cks = has_cks;
  c.cks = cks.Clone();
  c.has_ckr = has_ckr;
  c.ckr = ckr.Clone();
  c.has_hks = has_hks;
  c.hks = hks.Clone();
  c.has_hkr = has_hkr;
  c.hkr = hkr.Clone();
  c.nhks = nhks.Clone();
  c.nhkr = nhkr.Clone();
  c.ns = ns;
  c.nr = nr;
  c.pn = pn;
  c.awaiting_reply = awaiting_reply;
  return c;
}

ReceivingChain::Lookup ReceivingChain::Find(uint32_t n, uint32_t chain_end, size_t& index) const {
  if (n >= chain_end) return Lookup::kNotDerived;
  auto key = std::lower_bound(skipped.begin(), skipped.end(), n,
                              [](const SkippedKey& k, uint32_t value) { return k.n < value; });
  if (key != skipped.end() && key->n == n) {
    index = static_cast<size_t>(key - skipped.begin());
    return Lookup::kSkipped;
  }
  auto range =
      std::lower_bound(evicted.begin(), evicted.end(), n,
                       [](const EvictedRange& r, uint32_t value) { return r.last < value; });
  if (range != evicted.end() && range->first <= n) return Lookup::kEvicted;
  return Lookup::kDecrypted;
}

void ReceivingChain::EvictOldest() {
  const uint32_t n = skipped.front().n;
  skipped.pop_front();  // SecretArray wipes the message key.
  // Keys are evicted in ascending order, so n lies above every range.
  if (!evicted.empty() && evicted.back().last + 1 == n) {
    evicted.back().last = n;
  } else {
    evicted.push_back(EvictedRange{n, n});
  }
  if (evicted.size() <= kMaxEvictedRangesPerChain) return;
  // Merge the two closest ranges (see kMaxEvictedRangesPerChain): the
  // decrypted counters between them then read as evicted, never the reverse.
  size_t closest = 0;
  for (size_t i = 1; i + 1 < evicted.size(); ++i) {
    if (evicted[i + 1].first - evicted[i].last <
        evicted[closest + 1].first - evicted[closest].last) {
      closest = i;
    }
  }
  evicted[closest].last = evicted[closest + 1].last;
  evicted.erase(evicted.begin() + static_cast<std::ptrdiff_t>(closest) + 1);
}

}  // namespace internal

using internal::ReceivingChain;

std::array<uint8_t, kAssociatedDataSize> Session::State::AssociatedData() const {
  std::array<uint8_t, kAssociatedDataSize> ad{};
  const IdentityPublicKey& first = initiator ? local_identity : remote_identity;
  const IdentityPublicKey& second = initiator ? remote_identity : local_identity;
  std::copy(first.array().begin(), first.array().end(), ad.begin());
  std::copy(second.array().begin(), second.array().end(), ad.begin() + 32);
  return ad;
}

size_t Session::State::SkippedTotal() const {
  size_t total = current.skipped.size();
  for (const ReceivingChain& chain : previous) total += chain.skipped.size();
  return total;
}

void Session::State::EnforceBounds() {
  while (previous.size() > kMaxPreviousReceivingChains) previous.pop_front();
  auto per_chain = [](ReceivingChain& chain) {
    while (chain.skipped.size() > kMaxSkipPerChain) chain.EvictOldest();
  };
  for (ReceivingChain& chain : previous) per_chain(chain);
  per_chain(current);
  size_t total = SkippedTotal();
  // Oldest keys first: the oldest chain's, then newer ones', the current last.
  for (ReceivingChain& chain : previous) {
    while (total > kMaxSkippedKeysTotal && !chain.skipped.empty()) {
      chain.EvictOldest();
      --total;
    }
  }
  while (total > kMaxSkippedKeysTotal) {
    current.EvictOldest();
    --total;
  }
}

namespace {

enum StateFlag : uint8_t {
  kFlagInitiator = 1 << 0,
  kFlagHasDhr = 1 << 1,
  kFlagHasCks = 1 << 2,
  kFlagHasCkr = 1 << 3,
  kFlagHasHks = 1 << 4,
  kFlagHasHkr = 1 << 5,
  kFlagAwaitingReply = 1 << 6,
  kFlagHasOtk = 1 << 7,
};
constexpr size_t kStateFixedSize = 2 + 32 * 3 + 32 * 9 + 4 * 5;
constexpr size_t kLegacySkippedEntrySize = 32 + 4 + 32;

bool AllZero(ByteSpan bytes) {
  return std::all_of(bytes.begin(), bytes.end(), [](uint8_t b) { return b == 0; });
}

template <typename Sink>
void WriteChain(internal::Writer<Sink>& writer, const ReceivingChain& chain, bool previous) {
  if (previous) {
    writer.Raw(chain.header_key.span());
    writer.U32(chain.end);
  }
  writer.U32(static_cast<uint32_t>(chain.skipped.size()));
  for (const internal::SkippedKey& key : chain.skipped) {
    writer.U32(key.n);
    writer.Raw(key.message_key.span());
  }
  writer.U8(static_cast<uint8_t>(chain.evicted.size()));
  for (const internal::EvictedRange& range : chain.evicted) {
    writer.U32(range.first);
    writer.U32(range.last);
  }
}

// Reads one chain of a v2 blob and checks it is canonical: ascending,
// disjoint, below the chain's end and within the bounds.
[[nodiscard]] bool ReadChain(internal::Reader& reader, ReceivingChain& chain, bool previous,
                             uint32_t current_end) {
  if (previous) {
    if (!reader.Raw(chain.header_key.mutable_span()) || !reader.U32(chain.end)) return false;
  }
  const uint32_t end = previous ? chain.end : current_end;
  uint32_t skipped_count = 0;
  if (!reader.U32(skipped_count) || skipped_count > kMaxSkipPerChain ||
      reader.remaining() < size_t{skipped_count} * (4 + 32)) {
    return false;
  }
  for (uint32_t i = 0; i < skipped_count; ++i) {
    internal::SkippedKey key;
    if (!reader.U32(key.n) || !reader.Raw(key.message_key.mutable_span()) || key.n >= end ||
        (!chain.skipped.empty() && key.n <= chain.skipped.back().n)) {
      return false;
    }
    chain.skipped.push_back(std::move(key));
  }
  uint8_t evicted_count = 0;
  if (!reader.U8(evicted_count) || evicted_count > kMaxEvictedRangesPerChain) return false;
  size_t next_skipped = 0;
  for (uint8_t i = 0; i < evicted_count; ++i) {
    internal::EvictedRange range;
    if (!reader.U32(range.first) || !reader.U32(range.last) || range.first > range.last ||
        range.last >= end ||
        (!chain.evicted.empty() && uint64_t{chain.evicted.back().last} + 1 >= range.first)) {
      return false;
    }
    while (next_skipped < chain.skipped.size() && chain.skipped[next_skipped].n < range.first) {
      ++next_skipped;
    }
    if (next_skipped < chain.skipped.size() && chain.skipped[next_skipped].n <= range.last) {
      return false;  // A held key inside an evicted range.
    }
    chain.evicted.push_back(range);
  }
  return true;
}

}  // namespace

// v1's flat list of skipped keys, grouped into chains (see the top of this file).
bool Session::State::ReadLegacySkipped(internal::Reader& reader) {
  State& s = *this;
  uint32_t count = 0;
  if (!reader.U32(count) || count > kMaxSkippedKeysTotal ||
      reader.remaining() != size_t{count} * kLegacySkippedEntrySize) {
    return false;
  }
  std::vector<ReceivingChain> chains;
  for (uint32_t i = 0; i < count; ++i) {
    internal::Key32 header_key;
    internal::SkippedKey key;
    if (!reader.Raw(header_key.mutable_span()) || !reader.U32(key.n) ||
        !reader.Raw(key.message_key.mutable_span())) {
      return false;
    }
    if (chains.empty() || !chains.back().header_key.Equals(header_key)) {
      for (const ReceivingChain& earlier : chains) {
        if (earlier.header_key.Equals(header_key)) return false;  // Not contiguous.
      }
      chains.emplace_back();
      chains.back().header_key = std::move(header_key);
    }
    ReceivingChain& chain = chains.back();
    if (!chain.skipped.empty() && key.n <= chain.skipped.back().n) return false;
    chain.skipped.push_back(std::move(key));
  }
  for (size_t i = 0; i < chains.size(); ++i) {
    ReceivingChain& chain = chains[i];
    const bool is_current = s.core.has_hkr && chain.header_key.Equals(s.core.hkr);
    if (is_current && i + 1 != chains.size()) return false;  // v1 appended it last.
    chain.end = is_current ? s.core.nr : chain.skipped.back().n + 1;
    if (chain.skipped.back().n >= chain.end) return false;
    if (i == 0 && chain.skipped.front().n > 0) {
      chain.evicted.push_back(internal::EvictedRange{0, chain.skipped.front().n - 1});
    }
    if (is_current) {
      s.current = std::move(chain);
      s.current.header_key = internal::Key32();
      s.current.end = 0;
    } else {
      s.previous.push_back(std::move(chain));
    }
  }
  if (chains.empty() && s.core.has_hkr && s.core.nr > 0) {
    s.current.evicted.push_back(internal::EvictedRange{0, s.core.nr - 1});
  }
  s.EnforceBounds();
  return true;
}

SecretBytes Session::Serialize() const {
  const State& s = *state_;
  const internal::RatchetCore& c = s.core;
  SecretBytes out;
  out.Reserve(kStateFixedSize + 16 + s.SkippedTotal() * 36 + s.previous.size() * 48);
  internal::Writer writer(out);
  uint8_t flags = (s.initiator ? kFlagInitiator : 0) | (c.has_dhr ? kFlagHasDhr : 0) |
                  (c.has_cks ? kFlagHasCks : 0) | (c.has_ckr ? kFlagHasCkr : 0) |
                  (c.has_hks ? kFlagHasHks : 0) | (c.has_hkr ? kFlagHasHkr : 0) |
                  (c.awaiting_reply ? kFlagAwaitingReply : 0) |
                  (c.awaiting_reply && s.one_time_prekey_id ? kFlagHasOtk : 0);
  writer.U8(kSessionStateVersion);
  writer.U8(flags);
  writer.Raw(s.local_identity.span());
  writer.Raw(s.remote_identity.span());
  writer.Raw(s.base_key.span());
  writer.Raw(c.dhs_private.span());
  const internal::Key32 zero;
  writer.Raw(c.has_dhr ? c.dhr.span() : zero.span());
  writer.Raw(c.rk.span());
  writer.Raw(c.has_cks ? c.cks.span() : zero.span());
  writer.Raw(c.has_ckr ? c.ckr.span() : zero.span());
  writer.Raw(c.has_hks ? c.hks.span() : zero.span());
  writer.Raw(c.has_hkr ? c.hkr.span() : zero.span());
  writer.Raw(c.nhks.span());
  writer.Raw(c.nhkr.span());
  writer.U32(c.ns);
  writer.U32(c.nr);
  writer.U32(c.pn);
  writer.U32(c.awaiting_reply ? s.signed_prekey_id : 0);
  writer.U32(c.awaiting_reply ? s.one_time_prekey_id.value_or(0) : 0);
  WriteChain(writer, s.current, /*previous=*/false);
  writer.U8(static_cast<uint8_t>(s.previous.size()));
  for (const ReceivingChain& chain : s.previous) WriteChain(writer, chain, /*previous=*/true);
  return out;
}

Result<Session> Session::Deserialize(ByteSpan blob) {
  EnsureSodiumInitialized();
  const Status malformed = Status::InvalidMessage("session state is malformed");
  if (blob.size() < kStateFixedSize || blob.size() > kMaxSessionStateSize) return malformed;
  internal::Reader reader(blob);
  auto state = std::make_unique<State>();
  State& s = *state;
  internal::RatchetCore& c = s.core;
  uint8_t version = 0, flags = 0;
  if (!reader.U8(version) ||
      (version != kSessionStateVersion && version != kLegacySessionStateVersion)) {
    return Status::InvalidMessage("session state has an unknown version");
  }
  auto read_key = [&reader](std::span<uint8_t> out) { return reader.Raw(out); };
  auto read_optional = [&reader](bool present, std::span<uint8_t> out) {
    if (!reader.Raw(out)) return false;
    return present || AllZero(out);
  };
  uint32_t spk_id = 0, otk_id = 0;
  bool ok = reader.U8(flags);
  s.initiator = flags & kFlagInitiator;
  c.has_dhr = flags & kFlagHasDhr;
  c.has_cks = flags & kFlagHasCks;
  c.has_ckr = flags & kFlagHasCkr;
  c.has_hks = flags & kFlagHasHks;
  c.has_hkr = flags & kFlagHasHkr;
  c.awaiting_reply = flags & kFlagAwaitingReply;
  const bool has_otk = flags & kFlagHasOtk;
  ok = ok && read_key(std::span<uint8_t>(s.local_identity.data(), 32)) &&
       read_key(std::span<uint8_t>(s.remote_identity.data(), 32)) &&
       read_key(std::span<uint8_t>(s.base_key.data(), 32)) &&
       read_key(c.dhs_private.mutable_span()) &&
       read_optional(c.has_dhr, std::span<uint8_t>(c.dhr.data(), 32)) &&
       read_key(c.rk.mutable_span()) && read_optional(c.has_cks, c.cks.mutable_span()) &&
       read_optional(c.has_ckr, c.ckr.mutable_span()) &&
       read_optional(c.has_hks, c.hks.mutable_span()) &&
       read_optional(c.has_hkr, c.hkr.mutable_span()) && read_key(c.nhks.mutable_span()) &&
       read_key(c.nhkr.mutable_span()) && reader.U32(c.ns) && reader.U32(c.nr) &&
       reader.U32(c.pn) && reader.U32(spk_id) && reader.U32(otk_id);
  if (!ok) return malformed;
  // Consistency: only an initiator awaits a reply; the initial-message fields
  // exist only then; a sending chain needs a header key; a receiving chain
  // needs a header key and a remote ratchet key.
  if ((c.awaiting_reply && !s.initiator) || (!c.awaiting_reply && (spk_id != 0 || has_otk)) ||
      (!has_otk && otk_id != 0) || c.has_cks != c.has_hks || (c.has_ckr && !c.has_hkr) ||
      (c.has_ckr && !c.has_dhr)) {
    return malformed;
  }
  s.signed_prekey_id = spk_id;
  if (has_otk) s.one_time_prekey_id = otk_id;
  crypto_scalarmult_base(c.dhs_public.data(), c.dhs_private.data());

  if (version == kLegacySessionStateVersion) {
    if (!s.ReadLegacySkipped(reader)) return malformed;
  } else {
    uint8_t previous_count = 0;
    if (!ReadChain(reader, s.current, /*previous=*/false, c.nr) ||
        (!c.has_hkr && !s.current.empty()) || !reader.U8(previous_count) ||
        previous_count > kMaxPreviousReceivingChains) {
      return malformed;
    }
    for (uint8_t i = 0; i < previous_count; ++i) {
      s.previous.emplace_back();
      if (!ReadChain(reader, s.previous.back(), /*previous=*/true, 0)) return malformed;
    }
    if (s.SkippedTotal() > kMaxSkippedKeysTotal) return malformed;
  }
  if (!reader.AtEnd()) return malformed;
  return Session(std::move(state));
}

}  // namespace securebase::crypto
