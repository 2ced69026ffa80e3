// Content that did not parse or validate: kept as an item with the reason,
// never sent, never dropped.
#include "client/src/content/content_type.h"

namespace securebase::client {

namespace pb = content::v1;

using Rules = ContentType<InvalidContent>;

const char* Rules::Name() { return "invalid"; }

std::string Rules::Validate(const InvalidContent&) {
  return "The content is invalid and cannot be sent.";
}

void Rules::Encode(const InvalidContent&, pb::Content&) {}  // Never called: not sendable.

std::optional<InvalidContent> Rules::Decode(const pb::Content&) { return std::nullopt; }

void Rules::WriteJson(const InvalidContent& i, JsonWriter& w) { w.Member("reason", i.reason); }

InvalidContent Rules::ReadJson(JsonFields& in) { return InvalidContent{in.Text("reason")}; }

Status Rules::CheckSendable(Role) {
  return Status(ErrorCode::kInvalidArgument, "invalid content cannot be sent");
}

void Rules::FindRiskSignals(const InvalidContent&, std::vector<RiskSignal>&) {}

}  // namespace securebase::client
