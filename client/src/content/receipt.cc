// A receipt: the recipient's device stored (delivered) or showed (read) up
// to 1000 messages. Sent by the library itself; folded into the states of
// the items it names, never shown as an item of its own.
#include "client/src/content/checks.h"
#include "client/src/content/content_type.h"
#include "client/src/content/ids.h"

namespace securebase::client {
namespace {

namespace pb = content::v1;

constexpr size_t kMaxReceiptIds = 1000;

const char* TypeName(ReceiptType type) {
  switch (type) {
    case ReceiptType::kDelivered:
      return "delivered";
    case ReceiptType::kRead:
      return "read";
  }
  return nullptr;
}

}  // namespace

using Rules = ContentType<Receipt>;

const char* Rules::Name() { return "receipt"; }

std::string Rules::Validate(const Receipt& r) {
  if (TypeName(r.type) == nullptr) return "Receipt type is unknown.";
  if (r.message_ids.empty()) return "Receipt lists no message ids.";
  if (r.message_ids.size() > kMaxReceiptIds) return "Receipt lists too many message ids.";
  for (const std::string& id : r.message_ids) {
    if (!IsHexId(id)) return "Receipt message ids must be 32-character hex ids.";
  }
  return std::string();
}

void Rules::Encode(const Receipt& v, pb::Content& out) {
  pb::Receipt* r = out.mutable_receipt();
  r->set_type(v.type == ReceiptType::kRead ? pb::RECEIPT_READ : pb::RECEIPT_DELIVERED);
  for (const std::string& id : v.message_ids) r->add_message_ids(IdToWire(id));
}

std::optional<Receipt> Rules::Decode(const pb::Content& in) {
  Receipt r;
  r.type = in.receipt().type() == pb::RECEIPT_READ ? ReceiptType::kRead : ReceiptType::kDelivered;
  for (const std::string& id : in.receipt().message_ids()) r.message_ids.push_back(IdFromWire(id));
  return r;
}

void Rules::WriteJson(const Receipt& r, JsonWriter& w) {
  w.Key("type");
  if (const char* name = TypeName(r.type)) {
    w.String(name);
  } else {
    w.Int(static_cast<int64_t>(r.type));
  }
  w.Key("message_ids");
  w.BeginArray();
  for (const std::string& id : r.message_ids) w.String(id);
  w.EndArray();
}

Receipt Rules::ReadJson(JsonFields& in) {
  Receipt r;
  r.type = static_cast<ReceiptType>(in.Name("type", {"delivered", "read"}, 0));
  r.message_ids = in.TextArray("message_ids");
  return r;
}

Status Rules::CheckSendable(Role) {
  return Status(ErrorCode::kInvalidArgument, "receipts are sent by the library itself");
}

void Rules::FindRiskSignals(const Receipt&, std::vector<RiskSignal>&) {}

}  // namespace securebase::client
