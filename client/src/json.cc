// JSON writer and the stable renderings specified in docs/CLIENT.md
// ("JSON formats"). Changing a key or a value name here is a format change:
// update the document and bump the export version.
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <type_traits>

#include "content/availability.h"
#include "content/content_type.h"
#include "json_writer.h"
#include "securebase/client/utf8.h"
#include "securebase/crypto/encoding.h"

namespace securebase::client {
namespace {

int64_t FloorDiv(int64_t a, int64_t b) {
  int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
  return q;
}

// Proleptic Gregorian date from days since 1970-01-01 (H. Hinnant's
// civil_from_days).
void CivilFromDays(int64_t z, int64_t& y, unsigned& m, unsigned& d) {
  z += 719468;
  const int64_t era = FloorDiv(z, 146097);
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  y = static_cast<int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  d = doy - (153 * mp + 2) / 5 + 1;
  m = mp < 10 ? mp + 3 : mp - 9;
  if (m <= 2) ++y;
}

void AppendDigits(std::string& out, int64_t value, int width) {
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), value);
  const int len = static_cast<int>(end - buf);
  for (int i = len; i < width; ++i) out.push_back('0');
  out.append(buf, end);
}

template <typename T>
void WriteEnumOrNumber(JsonWriter& writer, const char* name, T value) {
  // Out-of-range enum values (from a bad cast somewhere) are written as their
  // number rather than a made-up name.
  if (name != nullptr) {
    writer.String(name);
  } else {
    writer.Int(static_cast<int64_t>(static_cast<std::underlying_type_t<T>>(value)));
  }
}

const char* SafeRoleName(Role role) {
  const char* name = RoleName(role);
  return name != nullptr ? name : "unknown";
}

void WriteIso(JsonWriter& w, std::string_view key, int64_t unix_ms) {
  w.Key(key);
  w.String(IsoUtcFromUnixMs(unix_ms));
}

}  // namespace

// --- JsonWriter --------------------------------------------------------------

void JsonWriter::Newline(size_t depth) {
  if (layout_ != Layout::kIndented) return;
  out_.push_back('\n');
  out_.append(2 * depth, ' ');
}

void JsonWriter::BeforeValue() {
  if (stack_.empty()) {
    if (root_written_) std::abort();  // One root value per document.
    root_written_ = true;
    return;
  }
  Frame& top = stack_.back();
  if (top.is_object) {
    if (!top.expect_value) std::abort();  // Key() must come first.
    top.expect_value = false;
    return;
  }
  if (top.has_members) out_.push_back(',');
  top.has_members = true;
  Newline(stack_.size());
}

void JsonWriter::Key(std::string_view key) {
  if (stack_.empty() || !stack_.back().is_object || stack_.back().expect_value) std::abort();
  Frame& top = stack_.back();
  if (top.has_members) out_.push_back(',');
  top.has_members = true;
  top.expect_value = true;
  Newline(stack_.size());
  AppendJsonString(out_, key);
  out_.push_back(':');
  if (layout_ == Layout::kIndented) out_.push_back(' ');
}

void JsonWriter::BeginObject() {
  BeforeValue();
  out_.push_back('{');
  stack_.push_back(Frame{true});
}

void JsonWriter::EndObject() {
  if (stack_.empty() || !stack_.back().is_object || stack_.back().expect_value) std::abort();
  const bool had_members = stack_.back().has_members;
  stack_.pop_back();
  if (had_members) Newline(stack_.size());
  out_.push_back('}');
}

void JsonWriter::BeginArray() {
  BeforeValue();
  out_.push_back('[');
  stack_.push_back(Frame{false});
}

void JsonWriter::EndArray() {
  if (stack_.empty() || stack_.back().is_object) std::abort();
  const bool had_members = stack_.back().has_members;
  stack_.pop_back();
  if (had_members) Newline(stack_.size());
  out_.push_back(']');
}

void JsonWriter::String(std::string_view value) {
  BeforeValue();
  AppendJsonString(out_, value);
}

void JsonWriter::Int(int64_t value) {
  BeforeValue();
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), value);
  out_.append(buf, end);
}

void JsonWriter::Uint(uint64_t value) {
  BeforeValue();
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), value);
  out_.append(buf, end);
}

void JsonWriter::Double(double value) {
  if (!std::isfinite(value)) {
    Null();
    return;
  }
  BeforeValue();
  if (value == 0) value = 0;  // No "-0".
  char buf[32];
  auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), value);  // Shortest round trip.
  out_.append(buf, end);
}

void JsonWriter::Bool(bool value) {
  BeforeValue();
  out_.append(value ? "true" : "false");
}

void JsonWriter::Null() {
  BeforeValue();
  out_.append("null");
}

void AppendJsonString(std::string& out, std::string_view value) {
  out.reserve(out.size() + value.size() + 2);
  out.push_back('"');
  size_t i = 0;
  while (i < value.size()) {
    const unsigned char c = static_cast<unsigned char>(value[i]);
    if (c < 0x80) {
      switch (c) {
        case '"':
          out.append("\\\"");
          break;
        case '\\':
          out.append("\\\\");
          break;
        case '\b':
          out.append("\\b");
          break;
        case '\f':
          out.append("\\f");
          break;
        case '\n':
          out.append("\\n");
          break;
        case '\r':
          out.append("\\r");
          break;
        case '\t':
          out.append("\\t");
          break;
        default:
          if (c < 0x20 || c == 0x7F) {
            out.append("\\u00");
            out.append(crypto::ToHex(std::string_view(&value[i], 1)));
          } else {
            out.push_back(static_cast<char>(c));
          }
      }
      ++i;
      continue;
    }
    const Utf8Sequence sequence = DecodeUtf8(value, i);
    const size_t len = sequence.length;
    if (len == 0) {
      out.append("\xEF\xBF\xBD");  // U+FFFD for the maximal ill-formed prefix.
      i += sequence.invalid;
      continue;
    }
    // U+2028 LINE SEPARATOR / U+2029 PARAGRAPH SEPARATOR: E2 80 A8 / E2 80 A9.
    if (len == 3 && c == 0xE2 && static_cast<unsigned char>(value[i + 1]) == 0x80 &&
        (static_cast<unsigned char>(value[i + 2]) & 0xFE) == 0xA8) {
      out.append(static_cast<unsigned char>(value[i + 2]) == 0xA8 ? "\\u2028" : "\\u2029");
    } else {
      out.append(value.substr(i, len));
    }
    i += len;
  }
  out.push_back('"');
}

std::string IsoUtcFromUnixMs(int64_t unix_ms) {
  // Clamp to 0000-01-01T00:00:00.000Z .. 9999-12-31T23:59:59.999Z.
  constexpr int64_t kMin = -62167219200000;
  constexpr int64_t kMax = 253402300799999;
  if (unix_ms < kMin) unix_ms = kMin;
  if (unix_ms > kMax) unix_ms = kMax;
  const int64_t days = FloorDiv(unix_ms, 86400000);
  const int64_t ms_of_day = unix_ms - days * 86400000;
  int64_t year;
  unsigned month, day;
  CivilFromDays(days, year, month, day);
  std::string out;
  out.reserve(24);
  AppendDigits(out, year, 4);
  out.push_back('-');
  AppendDigits(out, month, 2);
  out.push_back('-');
  AppendDigits(out, day, 2);
  out.push_back('T');
  AppendDigits(out, ms_of_day / 3600000, 2);
  out.push_back(':');
  AppendDigits(out, ms_of_day / 60000 % 60, 2);
  out.push_back(':');
  AppendDigits(out, ms_of_day / 1000 % 60, 2);
  out.push_back('.');
  AppendDigits(out, ms_of_day % 1000, 3);
  out.push_back('Z');
  return out;
}

// --- Names -------------------------------------------------------------------

const char* DirectionName(Direction direction) {
  switch (direction) {
    case Direction::kIncoming:
      return "incoming";
    case Direction::kOutgoing:
      return "outgoing";
  }
  return nullptr;
}

const char* DeliveryStateName(DeliveryState state) {
  switch (state) {
    case DeliveryState::kQueued:
      return "queued";
    case DeliveryState::kSent:
      return "sent";
    case DeliveryState::kDelivered:
      return "delivered";
    case DeliveryState::kRead:
      return "read";
    case DeliveryState::kFailed:
      return "failed";
  }
  return nullptr;
}

// --- Renderings --------------------------------------------------------------

void WriteContactMembers(JsonWriter& w, const Contact& contact) {
  w.Member("user_id", contact.user_id);
  w.Member("display_name", contact.display_name);
  w.Member("label", ContactLabel(contact));
  w.Member("role", SafeRoleName(contact.role));
  w.Member("linked", contact.linked);
  w.Member("verified", contact.verified);
  w.Member("identity_changed", contact.identity_changed);
  w.Member("sends_held", contact.sends_held);
  if (contact.availability) {
    w.Key("availability");
    w.BeginObject();
    WriteAvailabilityMembers(w, *contact.availability);
    w.EndObject();
  }
}

void WriteHistoryItemMembers(JsonWriter& w, const HistoryItem& item) {
  w.Member("message_id", item.message_id);
  w.Member("type", ContentTypeName(item.content));
  w.Key("direction");
  WriteEnumOrNumber(w, DirectionName(item.direction), item.direction);
  w.Member("peer_user_id", item.peer_user_id);
  w.Member("sender_user_id", item.sender_user_id);
  w.Member("sender_device_id", item.sender_device_id);
  w.Member("sent_at_unix_ms", item.sent_at_unix_ms);
  WriteIso(w, "sent_at", item.sent_at_unix_ms);
  if (item.received_at_unix_ms != 0) {
    w.Member("received_at_unix_ms", item.received_at_unix_ms);
    WriteIso(w, "received_at", item.received_at_unix_ms);
  }
  w.Key("state");
  WriteEnumOrNumber(w, DeliveryStateName(item.state), item.state);
  w.Key("content");
  w.BeginObject();
  WriteContentMembers(w, item.content);
  w.EndObject();
}

std::string ContactToJson(const Contact& contact) {
  JsonWriter w;
  w.BeginObject();
  WriteContactMembers(w, contact);
  w.EndObject();
  return w.Take();
}

std::string HistoryItemToJson(const HistoryItem& item) {
  JsonWriter w;
  w.BeginObject();
  WriteHistoryItemMembers(w, item);
  w.EndObject();
  return w.Take();
}

std::string ExportDocumentToJson(
    const ExportAccount& account, int64_t exported_at_unix_ms,
    const std::vector<std::pair<Contact, std::vector<HistoryItem>>>& contacts) {
  JsonWriter w(JsonWriter::Layout::kIndented);
  w.BeginObject();
  w.Member("format", "securebase-export");
  w.Key("version");
  w.Int(1);
  WriteIso(w, "exported_at", exported_at_unix_ms);
  w.Member("exported_at_unix_ms", exported_at_unix_ms);
  w.Key("account");
  w.BeginObject();
  w.Member("user_id", account.user_id);
  w.Member("display_name", account.display_name);
  w.Member("role", SafeRoleName(account.role));
  w.EndObject();
  w.Key("contacts");
  w.BeginArray();
  for (const auto& [contact, history] : contacts) {
    w.BeginObject();
    WriteContactMembers(w, contact);
    w.Key("history");
    w.BeginArray();
    for (const HistoryItem& item : history) {
      w.BeginObject();
      WriteHistoryItemMembers(w, item);
      w.EndObject();
    }
    w.EndArray();
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  std::string out = w.Take();
  out.push_back('\n');
  return out;
}

}  // namespace securebase::client
