// Human-readable output of the `securebase` app: items, contacts, notices.
// Everything that came from another person (names, texts) goes through
// Printable() first, so a peer cannot send terminal escape sequences or
// bidirectional-override tricks to the reader's terminal.
#ifndef SECUREBASE_CLIENT_CLI_FORMAT_H_
#define SECUREBASE_CLIENT_CLI_FORMAT_H_

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "securebase/client/client.h"

namespace securebase::cli {

enum class Lines { kSingle, kMultiple };

// `text` made safe for a terminal: ill-formed UTF-8, control characters
// (C0 except tab and, with Lines::kMultiple, newline; DEL; C1) and
// bidirectional embedding/override/isolate characters become U+FFFD; tab
// becomes a space; with Lines::kSingle a newline becomes " ↵ ".
std::string Printable(std::string_view text, Lines lines = Lines::kSingle);

// "2026-11-28 10:31" in the local time zone.
std::string LocalTime(int64_t unix_ms);

// Who is who, for "Dr. Rivera (verified) → you": a contact is always named
// with its verification state (client::ContactLabel), so a look-alike name
// from an unverified key cannot pass for the verified contact.
class Names {
 public:
  explicit Names(std::string self_user_id) : self_(std::move(self_user_id)) {}
  void Add(const client::Contact& contact);
  // `label` as it is (tests; a name without a contact).
  void Set(const std::string& user_id, const std::string& label);
  // "you", the printable label, or the first 8 hex digits of the id.
  std::string Of(const std::string& user_id) const;

 private:
  std::string self_;
  std::map<std::string, std::string> names_;
};

// "[2026-11-28 10:31] Dr. Rivera → you: check-in mood 6/10, ..." (one line).
std::string ItemLine(const client::HistoryItem& item, const Names& names);
// A header line and the content's fields, one per line, indented; ends in '\n'.
std::string ItemTranscript(const client::HistoryItem& item, const Names& names);

// "Dr. Rivera (verified)  therapist  <user id>" (one line), with "SAFETY
// NUMBER CHANGED", "sends held", "link ended" after it when they apply.
std::string ContactLine(const client::Contact& contact);

// The therapist's availability notice and the "not for emergencies" guidance
// (the library's default when the therapist gave none), as lines for stderr.
std::string AvailabilityNotice(const client::Contact& therapist);
// The notices of one command (the therapist's availability notice, the
// emergency guidance, the crisis prompt): each line is shown at most once per
// command, where it first matters, however many therapists or sends there are.
class Notices {
 public:
  // AvailabilityNotice(therapist) without the lines this command showed.
  std::string Availability(const client::Contact& therapist);
  // The crisis prompt (risk.h), once; it stands in for the library's generic
  // emergency guidance, which is then not repeated (a therapist's own
  // guidance still is: it may name a local number).
  std::string Crisis();

 private:
  std::string Once(const std::string& text);
  std::set<std::string> shown_;
};

// The safety-number-changed warning for a contact, or "" if unchanged.
std::string IdentityChangeWarning(const client::Contact& contact);

}  // namespace securebase::cli

#endif  // SECUREBASE_CLIENT_CLI_FORMAT_H_
