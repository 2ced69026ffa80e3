// A text message: a body of 1 byte to 64 KiB, optionally answering another.
#include "client/src/content/checks.h"
#include "client/src/content/content_type.h"
#include "client/src/content/ids.h"
#include "client/src/content/risk_words.h"

namespace securebase::client {

using Rules = ContentType<TextMessage>;

const char* Rules::Name() { return "text"; }

std::string Rules::Validate(const TextMessage& t) {
  std::string error;
  if (t.body.empty()) return "The message body is empty.";
  if (CheckText(error, "The message body", t.body, kMaxBodyBytes)) {
    CheckOptionalId(error, "The reply-to id", t.reply_to);
  }
  return error;
}

void Rules::Encode(const TextMessage& t, content::v1::Content& out) {
  out.mutable_text()->set_body(t.body);
  out.mutable_text()->set_reply_to(IdToWire(t.reply_to));
}

std::optional<TextMessage> Rules::Decode(const content::v1::Content& in) {
  return TextMessage{in.text().body(), IdFromWire(in.text().reply_to())};
}

void Rules::WriteJson(const TextMessage& t, JsonWriter& w) {
  w.Member("body", t.body);
  w.Member("reply_to", t.reply_to);
}

TextMessage Rules::ReadJson(JsonFields& in) {
  TextMessage t;
  t.body = in.Text("body", /*required=*/true);
  t.reply_to = in.Text("reply_to");
  return t;
}

Status Rules::CheckSendable(Role) { return Status::Ok(); }

void Rules::FindRiskSignals(const TextMessage& t, std::vector<RiskSignal>& out) {
  AddIfSelfHarmWords(t.body, "the message", out);
}

}  // namespace securebase::client
