#include "server/src/store/mailbox_usage.h"

#include "server/src/store/keys.h"

namespace securebase::server {

std::string EncodeUsage(const MailboxUsage& usage) {
  std::string out;
  keys::AppendBe64(out, static_cast<uint64_t>(usage.envelopes));
  keys::AppendBe64(out, static_cast<uint64_t>(usage.bytes));
  return out;
}

MailboxUsage DecodeUsage(std::string_view value) {
  if (value.size() != 16) return {};
  return {static_cast<int64_t>(keys::ReadBe64(value, 0)),
          static_cast<int64_t>(keys::ReadBe64(value, 8))};
}

}  // namespace securebase::server
