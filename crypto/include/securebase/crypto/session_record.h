// Everything one device keeps about its sessions with one other device: the
// current session and the sessions it replaced, newest first (at most
// kMaxPreviousSessions of them).
//
// Why keep replaced sessions: when both sides start a session at the same
// moment, each side's first messages arrive on a session the other side has
// just replaced. The session cipher tries the previous sessions too, and the
// one that decrypts becomes current again, so both sides converge on one
// session (libsignal keeps "archived states" for the same reason).
//
// Format v1 (sealed by the caller before it touches disk):
//   0x01 | count(1) | count x [ length(4 BE) | Session::Serialize() ]
// with the current session first; 1 <= count <= 1 + kMaxPreviousSessions.
//
// Thread-safety: none; a value owned by one caller at a time. Move-only.
#ifndef SECUREBASE_CRYPTO_SESSION_RECORD_H_
#define SECUREBASE_CRYPTO_SESSION_RECORD_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "securebase/crypto/secret.h"
#include "securebase/crypto/session.h"
#include "securebase/crypto/status.h"

namespace securebase::crypto {

inline constexpr uint8_t kSessionRecordVersion = 1;

class SessionRecord {
 public:
  // A record without any session (what the cipher starts from for a device
  // it never talked to). Not storable until a session was promoted into it.
  SessionRecord() = default;
  explicit SessionRecord(Session current);
  SessionRecord(SessionRecord&&) noexcept = default;
  SessionRecord& operator=(SessionRecord&&) noexcept = default;

  // kInvalidMessage when the blob is malformed, truncated, oversized, of an
  // unknown version, holds no session or more than the bound, or any session
  // in it does not deserialize.
  static Result<SessionRecord> Deserialize(ByteSpan bytes);
  // The format above. Precondition: has_current() (aborts otherwise).
  SecretBytes Serialize() const;

  bool has_current() const { return current_.has_value(); }
  // Precondition: has_current() (aborts otherwise).
  Session& current();
  const Session& current() const;

  // Newest first.
  size_t previous_count() const { return previous_.size(); }
  Session& previous(size_t index) { return previous_.at(index); }
  const Session& previous(size_t index) const { return previous_.at(index); }

  // Makes `session` current. The session it replaces becomes the newest
  // previous one; beyond kMaxPreviousSessions the oldest is dropped.
  void Promote(Session session);
  // Makes previous(index) current again; the current one becomes the newest
  // previous one (so nothing is dropped).
  void PromotePrevious(size_t index);

 private:
  std::optional<Session> current_;
  std::vector<Session> previous_;
};

}  // namespace securebase::crypto

#endif  // SECUREBASE_CRYPTO_SESSION_RECORD_H_
