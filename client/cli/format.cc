#include "format.h"

#include <charconv>
#include <ctime>
#include <utility>
#include <variant>

#include "securebase/client/risk.h"

namespace securebase::cli {
namespace {

using client::HistoryItem;

constexpr char kReplacement[] = "\xEF\xBF\xBD";  // U+FFFD

// Decodes one well-formed UTF-8 sequence at s[i]; returns its length (0 if
// ill-formed, then `bad` bytes are skipped) and the code point.
size_t Decode(std::string_view s, size_t i, uint32_t& cp, size_t& bad) {
  const auto at = [&](size_t k) -> unsigned {
    return i + k < s.size() ? static_cast<unsigned char>(s[i + k]) : 0x100;
  };
  const unsigned b0 = at(0);
  bad = 1;
  if (b0 < 0x80) {
    cp = b0;
    return 1;
  }
  size_t need;
  unsigned lo = 0x80, hi = 0xBF;
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    need = 1, cp = b0 & 0x1F;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    need = 2, cp = b0 & 0x0F;
    if (b0 == 0xE0) lo = 0xA0;
    if (b0 == 0xED) hi = 0x9F;
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    need = 3, cp = b0 & 0x07;
    if (b0 == 0xF0) lo = 0x90;
    if (b0 == 0xF4) hi = 0x8F;
  } else {
    return 0;
  }
  for (size_t k = 1; k <= need; ++k) {
    const unsigned b = at(k);
    if (b < (k == 1 ? lo : 0x80) || b > (k == 1 ? hi : 0xBF)) {
      bad = k;
      return 0;
    }
    cp = (cp << 6) | (b & 0x3F);
  }
  return need + 1;
}

bool IsBidiControl(uint32_t cp) {
  return (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069);
}

std::string FormatDouble(double value) {
  char buf[32];
  auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), value);
  return std::string(buf, end);
}

std::string Emotions(const std::vector<client::Emotion>& emotions) {
  std::string out;
  for (const client::Emotion& e : emotions) {
    if (!out.empty()) out += ", ";
    out += e.name + " " + std::to_string(e.intensity);
  }
  return out;
}

// A content's headline ("check-in", "reflection (thought-record)", ...) and
// its fields as (label, value) pairs; empty values are left out. Values are
// raw: the caller makes them printable.
struct Rendered {
  std::string headline;
  std::vector<std::pair<std::string, std::string>> fields;

  void Add(std::string label, std::string value) {
    if (!value.empty()) fields.emplace_back(std::move(label), std::move(value));
  }
};

struct Renderer {
  Rendered& r;

  void operator()(const client::TextMessage& t) const {
    r.headline = "";
    r.Add("", t.body);
    if (!t.reply_to.empty()) r.Add("in reply to", t.reply_to);
  }
  void operator()(const client::CheckIn& c) const {
    r.headline = "check-in";
    r.Add("mood", std::to_string(c.mood) + "/10");
    if (c.energy) r.Add("energy", std::to_string(*c.energy) + "/10");
    if (c.sleep_hours) r.Add("sleep", FormatDouble(*c.sleep_hours) + " h");
    r.Add("emotions", Emotions(c.emotions));
    r.Add("what helped", c.helped);
    r.Add("note", c.note);
    for (const client::QuestionnaireAnswers& q : c.questionnaires) {
      const bool phq9 = q.questionnaire == client::Questionnaire::kPhq9;
      uint32_t total = 0;
      std::string items;
      for (uint32_t s : q.item_scores) {
        total += s;
        items += (items.empty() ? "" : ",") + std::to_string(s);
      }
      const size_t max = q.item_scores.size() * 3;
      r.Add(phq9 ? "PHQ-9" : "GAD-7",
            std::to_string(total) + "/" + std::to_string(max) + " (items " + items + ")");
    }
    if (!c.exercise_id.empty()) r.Add("answers exercise", c.exercise_id);
  }
  void operator()(const client::Reflection& x) const {
    r.headline = "reflection (" + x.kind + ")";
    r.Add("prompt", x.prompt);
    r.Add("", x.body);
    // In the kind's order, with its labels (the library's schema).
    if (const client::ReflectionKindSchema* kind = client::FindReflectionKind(x.kind)) {
      for (const client::ReflectionFieldSchema& field : kind->fields) {
        r.Add(field.label, field.type == client::ReflectionFieldType::kText
                               ? x.Text(field.key)
                               : Emotions(x.Emotions(field.key)));
      }
    }
    if (!x.exercise_id.empty()) r.Add("answers exercise", x.exercise_id);
  }
  void operator()(const client::Exercise& e) const {
    r.headline = "exercise";
    r.Add("title", e.title);
    r.Add("answer as", e.kind);
    if (e.recurrence == client::Recurrence::kDaily) r.Add("repeats", "daily");
    if (e.recurrence == client::Recurrence::kWeekly) r.Add("repeats", "weekly");
    r.Add("due", e.due_date);
    r.Add("instructions", e.instructions);
  }
  void operator()(const client::Availability& a) const {
    r.headline = "availability";
    r.Add("", a.text);
    r.Add("emergencies", a.emergency_guidance);
  }
  void operator()(const client::Receipt& x) const {
    r.headline = x.type == client::ReceiptType::kRead ? "read receipt" : "delivery receipt";
    r.Add("messages", std::to_string(x.message_ids.size()));
  }
  void operator()(const client::Profile& p) const {
    r.headline = "profile";
    r.Add("name", p.display_name);
    if (p.availability) {
      r.Add("availability", p.availability->text);
      r.Add("emergencies", p.availability->emergency_guidance);
    }
  }
  void operator()(const client::InvalidContent& i) const {
    r.headline = "could not be read";
    r.Add("reason", i.reason);
  }
};

Rendered Render(const HistoryItem& item) {
  Rendered r;
  std::visit(Renderer{r}, item.content);
  // The library's risk signals (risk.h), so a reader cannot miss them.
  for (const client::RiskSignal& signal : client::DetectRiskSignals(item.content)) {
    r.Add("attention", signal.kind == client::RiskSignalKind::kSelfHarmItem
                           ? signal.where + " (thoughts of self-harm) is above 0"
                           : signal.where + " may speak of self-harm or suicide");
  }
  return r;
}

std::string Arrow(const HistoryItem& item, const Names& names) {
  const std::string from = names.Of(item.sender_user_id);
  const std::string to = item.direction == client::Direction::kIncoming
                             ? std::string("you")
                             : names.Of(item.peer_user_id);
  return "[" + LocalTime(item.sent_at_unix_ms) + "] " + from + " \u2192 " + to;
}

const char* StateName(client::DeliveryState state) {
  switch (state) {
    case client::DeliveryState::kQueued:
      return "queued";
    case client::DeliveryState::kSent:
      return "sent";
    case client::DeliveryState::kDelivered:
      return "delivered";
    case client::DeliveryState::kRead:
      return "read";
    case client::DeliveryState::kFailed:
      return "not delivered: refused by the server";
  }
  return "unknown";
}

}  // namespace

std::string Printable(std::string_view text, Lines lines) {
  std::string out;
  out.reserve(text.size());
  size_t i = 0;
  while (i < text.size()) {
    uint32_t cp = 0;
    size_t bad = 0;
    const size_t len = Decode(text, i, cp, bad);
    if (len == 0) {
      out += kReplacement;
      i += bad;
      continue;
    }
    if (cp == '\n') {
      out += lines == Lines::kMultiple ? "\n" : " \u21B5 ";
    } else if (cp == '\t') {
      out += ' ';
    } else if (cp < 0x20 || (cp >= 0x7F && cp <= 0x9F) || IsBidiControl(cp)) {
      out += kReplacement;
    } else {
      out.append(text.substr(i, len));
    }
    i += len;
  }
  return out;
}

std::string LocalTime(int64_t unix_ms) {
  const std::time_t seconds = static_cast<std::time_t>(unix_ms / 1000);
  std::tm tm{};
  if (localtime_r(&seconds, &tm) == nullptr) return "(unknown time)";
  char buf[32];
  if (std::strftime(buf, sizeof(buf), "%Y-%m-%d %H:%M", &tm) == 0) return "(unknown time)";
  return buf;
}

void Names::Add(const client::Contact& contact) {
  Set(contact.user_id, client::ContactLabel(contact));
}

void Names::Set(const std::string& user_id, const std::string& label) {
  if (!label.empty()) names_[user_id] = label;
}

std::string Names::Of(const std::string& user_id) const {
  if (user_id == self_) return "you";
  auto it = names_.find(user_id);
  if (it != names_.end()) return Printable(it->second);
  return Printable(user_id.substr(0, 8)) + "\u2026";
}

std::string ItemLine(const HistoryItem& item, const Names& names) {
  const Rendered r = Render(item);
  std::string line = Arrow(item, names) + ":";
  if (!r.headline.empty()) line += " " + r.headline;
  bool first = true;
  for (const auto& [label, value] : r.fields) {
    line += first ? (r.headline.empty() ? " " : " \u2014 ") : "; ";
    first = false;
    if (!label.empty()) line += label + ": ";
    line += Printable(value, Lines::kSingle);
  }
  return line;
}

std::string ItemTranscript(const HistoryItem& item, const Names& names) {
  const Rendered r = Render(item);
  std::string out = Arrow(item, names);
  if (!r.headline.empty()) out += " \u00B7 " + r.headline;
  if (item.direction == client::Direction::kOutgoing) {
    out += std::string(" (") + StateName(item.state) + ")";
  }
  out += '\n';
  for (const auto& [label, value] : r.fields) {
    std::string text = Printable(value, Lines::kMultiple);
    std::string indented = "    ";
    if (!label.empty()) indented += label + ": ";
    for (char c : text) {
      indented += c;
      if (c == '\n') indented += "    ";
    }
    out += indented + '\n';
  }
  return out;
}

std::string ContactLine(const client::Contact& contact) {
  std::string line = Printable(client::ContactLabel(contact));
  line += "  ";
  line += client::RoleName(contact.role);
  line += "  " + Printable(contact.user_id);
  if (contact.identity_changed) line += "  SAFETY NUMBER CHANGED";
  if (contact.sends_held) line += "  sends held";
  if (!contact.linked) line += "  link ended";
  return line;
}

std::string AvailabilityNotice(const client::Contact& therapist) {
  const std::string name = therapist.display_name.empty() ? std::string("Your therapist")
                                                          : Printable(therapist.display_name);
  std::string out;
  std::string guidance(client::CrisisResources().emergency_guidance);
  if (therapist.availability) {
    if (!therapist.availability->text.empty()) {
      out += name + "'s availability: " + Printable(therapist.availability->text) + "\n";
    }
    if (!therapist.availability->emergency_guidance.empty()) {
      guidance = Printable(therapist.availability->emergency_guidance);
    }
  }
  out += guidance + "\n";
  return out;
}

std::string Notices::Once(const std::string& text) {
  std::string out;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    end = end == std::string::npos ? text.size() : end + 1;
    std::string line = text.substr(start, end - start);
    if (shown_.insert(line).second) out += line;
    start = end;
  }
  return out;
}

std::string Notices::Availability(const client::Contact& therapist) {
  return Once(AvailabilityNotice(therapist));
}

std::string Notices::Crisis() {
  shown_.insert(std::string(client::CrisisResources().emergency_guidance) + "\n");
  return Once(std::string(client::CrisisResources().message) + "\n");
}

std::string IdentityChangeWarning(const client::Contact& contact) {
  if (!contact.identity_changed) return "";
  const std::string name =
      contact.display_name.empty() ? Printable(contact.user_id) : Printable(contact.display_name);
  std::string out = "warning: " + name +
                    "'s safety number has changed (a new key: a new device, a reinstall, or "
                    "someone in between). Compare it again with `securebase safety-number`, "
                    "then run `securebase trust`.";
  if (contact.sends_held) out += " Messages to them are held until then.";
  return out;
}

}  // namespace securebase::cli
