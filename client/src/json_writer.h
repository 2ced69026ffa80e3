// A small JSON writer (RFC 8259) with no dependencies, and the stable JSON
// renderings of contacts, history items and the export document that
// docs/CLIENT.md specifies.
//
// Strings are written as UTF-8: valid multi-byte sequences pass through,
// '"', '\\' and every control character (U+0000-U+001F, U+007F) are escaped,
// as are U+2028/U+2029 (valid JSON, but not valid inside JavaScript source).
// Bytes that are not well-formed UTF-8 (stray continuation bytes, overlong
// forms, surrogates, code points above U+10FFFF, truncated sequences) become
// U+FFFD, so the output is always valid JSON whatever the input.
//
// Not thread-safe; one writer per document. A writer never fails: misuse
// (a value where a key is expected, unbalanced End*) is a programming bug and
// aborts.
#ifndef SECUREBASE_CLIENT_SRC_JSON_WRITER_H_
#define SECUREBASE_CLIENT_SRC_JSON_WRITER_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "securebase/client/client.h"

namespace securebase::client {

class JsonWriter {
 public:
  enum class Layout {
    kCompact,   // No whitespace at all: one document per line.
    kIndented,  // Two spaces per level, one member or element per line.
  };

  explicit JsonWriter(Layout layout = Layout::kCompact) : layout_(layout) {}

  void BeginObject();
  void EndObject();
  void BeginArray();
  void EndArray();
  // The next value's member name. Only inside an object, before each value.
  void Key(std::string_view key);

  void String(std::string_view value);
  void Int(int64_t value);
  void Uint(uint64_t value);
  // Shortest representation that reads back as the same double. NaN and
  // infinities (which JSON cannot hold) are written as null.
  void Double(double value);
  void Bool(bool value);
  void Null();

  // Shorthands for Key(key) followed by the value.
  void Member(std::string_view key, std::string_view value) {
    Key(key);
    String(value);
  }
  void Member(std::string_view key, const char* value) {
    Key(key);
    String(value);
  }
  void Member(std::string_view key, const std::string& value) {
    Key(key);
    String(value);
  }
  void Member(std::string_view key, int64_t value) {
    Key(key);
    Int(value);
  }
  void Member(std::string_view key, uint32_t value) {
    Key(key);
    Uint(value);
  }
  void Member(std::string_view key, bool value) {
    Key(key);
    Bool(value);
  }

  // The document so far. Complete once every Begin* has its End*.
  const std::string& str() const { return out_; }
  std::string Take() { return std::move(out_); }

 private:
  struct Frame {
    bool is_object;
    bool has_members = false;
    bool expect_value = false;  // Objects only: Key() was just written.
  };
  void BeforeValue();
  void Newline(size_t depth);

  Layout layout_;
  std::string out_;
  std::vector<Frame> stack_;
  bool root_written_ = false;
};

// Appends `value` to `out` as a quoted, escaped JSON string (see above).
void AppendJsonString(std::string& out, std::string_view value);

// "1970-01-01T00:00:00.000Z": ISO-8601 UTC with milliseconds, from Unix ms.
// Years outside 0000-9999 are clamped to that range's ends.
std::string IsoUtcFromUnixMs(int64_t unix_ms);

// Stable names used in the JSON (and by the CLI).
const char* DirectionName(Direction direction);      // "incoming"/"outgoing"
const char* DeliveryStateName(DeliveryState state);  // "queued"/"sent"/"delivered"/"read"/"failed"

// The members of a contact / a history item, written into an object the
// caller has begun (so the export can add "history" to a contact).
void WriteContactMembers(JsonWriter& writer, const Contact& contact);
void WriteHistoryItemMembers(JsonWriter& writer, const HistoryItem& item);

// The export document of docs/CLIENT.md ("securebase-export", version 1),
// indented. `contacts` in the order they should appear, each with its whole
// history, oldest first.
struct ExportAccount {
  std::string user_id;
  std::string display_name;
  Role role = Role::kClient;
};
std::string ExportDocumentToJson(
    const ExportAccount& account, int64_t exported_at_unix_ms,
    const std::vector<std::pair<Contact, std::vector<HistoryItem>>>& contacts);

}  // namespace securebase::client

#endif  // SECUREBASE_CLIENT_SRC_JSON_WRITER_H_
