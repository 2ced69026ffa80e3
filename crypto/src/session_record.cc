#include "securebase/crypto/session_record.h"

#include <cstdlib>
#include <utility>

#include "byte_io.h"
#include "securebase/crypto/limits.h"

namespace securebase::crypto {
namespace {

constexpr size_t kMaxSessionsPerRecord = 1 + kMaxPreviousSessions;
constexpr size_t kHeaderSize = 2;  // Version, count.
constexpr size_t kMaxRecordSize = kHeaderSize + kMaxSessionsPerRecord * (4 + kMaxSessionStateSize);

// Appends into a SecretBytes, so the serialized states never sit in memory
// that is not wiped.
struct SecretSink {
  SecretBytes& bytes;
  void Append(ByteSpan more) { bytes.Append(more); }
};

}  // namespace

SessionRecord::SessionRecord(Session current) : current_(std::move(current)) {}

Session& SessionRecord::current() {
  if (!current_) std::abort();  // Precondition: has_current().
  return *current_;
}

const Session& SessionRecord::current() const {
  if (!current_) std::abort();  // Precondition: has_current().
  return *current_;
}

void SessionRecord::Promote(Session session) {
  if (current_) {
    previous_.insert(previous_.begin(), std::move(*current_));
    if (previous_.size() > kMaxPreviousSessions) {
      previous_.erase(previous_.begin() + kMaxPreviousSessions, previous_.end());
    }
  }
  current_.emplace(std::move(session));
}

void SessionRecord::PromotePrevious(size_t index) {
  Session revived = std::move(previous_.at(index));
  previous_.erase(previous_.begin() + static_cast<std::ptrdiff_t>(index));
  if (current_) previous_.insert(previous_.begin(), std::move(*current_));
  current_.emplace(std::move(revived));
}

SecretBytes SessionRecord::Serialize() const {
  if (!current_) std::abort();  // Precondition: has_current().
  SecretBytes out;
  SecretSink sink{out};
  internal::Writer<SecretSink> writer(sink);
  writer.U8(kSessionRecordVersion);
  writer.U8(static_cast<uint8_t>(1 + previous_.size()));
  auto append = [&](const Session& session) {
    SecretBytes state = session.Serialize();
    writer.U32(static_cast<uint32_t>(state.size()));
    writer.Raw(state.span());
  };
  append(*current_);
  for (const Session& previous : previous_) append(previous);
  return out;
}

Result<SessionRecord> SessionRecord::Deserialize(ByteSpan bytes) {
  const Status malformed = Status::InvalidMessage("session record is malformed");
  if (bytes.size() > kMaxRecordSize) return malformed;
  internal::Reader reader(bytes);
  uint8_t version = 0, count = 0;
  if (!reader.U8(version) || !reader.U8(count)) return malformed;
  if (version != kSessionRecordVersion) {
    return Status::InvalidMessage("session record has an unknown version");
  }
  if (count == 0 || count > kMaxSessionsPerRecord) return malformed;
  SessionRecord record;
  for (uint8_t i = 0; i < count; ++i) {
    uint32_t length = 0;
    ByteSpan state;
    if (!reader.U32(length) || length > kMaxSessionStateSize || !reader.View(length, state)) {
      return malformed;
    }
    Result<Session> session = Session::Deserialize(state);
    if (!session.ok()) return malformed;
    if (i == 0) {
      record.current_.emplace(std::move(session).value());
    } else {
      record.previous_.push_back(std::move(session).value());
    }
  }
  if (!reader.AtEnd()) return malformed;
  return record;
}

}  // namespace securebase::crypto
