// What a mailbox holds (envelopes, and bytes of their stored records:
// ciphertext plus about 40 bytes each), kept in the store beside it so that
// quotas need no scan (hardening finding 5: one account filled the disk).
//
// The stored value is absolute: every change to a mailbox writes its new
// usage in the same batch, computed and submitted in commit order under the
// mailbox's lock (rocks_store.h says how). No RocksDB merge operator: a
// database with merge operands that is opened without the operator (an
// older server, a generic tool) loses records at its recovery flush, in
// other column families too (seen with RocksDB 7.8).
#ifndef SECUREBASE_SERVER_STORE_MAILBOX_USAGE_H_
#define SECUREBASE_SERVER_STORE_MAILBOX_USAGE_H_

#include <cstdint>
#include <string>
#include <string_view>

namespace securebase::server {

struct MailboxUsage {
  int64_t envelopes = 0;
  int64_t bytes = 0;

  MailboxUsage& operator+=(const MailboxUsage& other) {
    envelopes += other.envelopes;
    bytes += other.bytes;
    return *this;
  }
  MailboxUsage operator-() const { return {-envelopes, -bytes}; }
  friend bool operator==(const MailboxUsage&, const MailboxUsage&) = default;
};

// 16 bytes: both fields big-endian.
std::string EncodeUsage(const MailboxUsage& usage);
// Zero usage for anything but 16 bytes (never written otherwise).
MailboxUsage DecodeUsage(std::string_view value);

}  // namespace securebase::server

#endif  // SECUREBASE_SERVER_STORE_MAILBOX_USAGE_H_
