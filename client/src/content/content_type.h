// The content registry: each content type's rules, one file per type in this
// directory, and the dispatch over ContentBody that every other part of the
// library uses (registry.cc). Private to client/.
//
// A type's file defines ContentType<T>:
//   Name()          its stable name (JSON "type", ContentTypeName)
//   kWireCase       its member of content.proto's Content.body
//   Validate()      the rules of docs/CLIENT.md "Content limits" (a sentence
//                   naming the field, or "")
//   Encode/Decode   to and from content.proto (Decode: nullopt for a value
//                   the public struct cannot hold, e.g. an unknown enum)
//   WriteJson/ReadJson  its members in the content JSON (docs/CLIENT.md)
//   kReceipt        whether receiving it owes the sender a delivered receipt
//   CheckSendable() who may send it through Client::Send
//   FindRiskSignals()  what in it should bring up crisis resources (risk.h)
//
// Adding a content type: its struct and variant member in content.h, its
// line below, its file here, its member in content.proto, docs and tests.
// Adding a structured reflection kind needs only content.proto
// (reflection_kinds.h).
#ifndef SECUREBASE_CLIENT_SRC_CONTENT_CONTENT_TYPE_H_
#define SECUREBASE_CLIENT_SRC_CONTENT_CONTENT_TYPE_H_

#include <optional>
#include <string>
#include <vector>

#include "client/src/content/json_fields.h"
#include "client/src/json_writer.h"
#include "securebase/client/content.h"
#include "securebase/client/risk.h"
#include "securebase/client/role.h"
#include "securebase/client/status.h"
#include "securebase/v1/content.pb.h"

namespace securebase::client {

template <typename T>
struct ContentType;

#define SECUREBASE_CONTENT_TYPE(T, wire_case, receipt)                         \
  template <>                                                                  \
  struct ContentType<T> {                                                      \
    static constexpr content::v1::Content::BodyCase kWireCase = wire_case;     \
    static constexpr bool kReceipt = receipt;                                  \
    static const char* Name();                                                 \
    static std::string Validate(const T& value);                               \
    static void Encode(const T& value, content::v1::Content& out);             \
    static std::optional<T> Decode(const content::v1::Content& in);            \
    static void WriteJson(const T& value, JsonWriter& out);                    \
    static T ReadJson(JsonFields& in);                                         \
    static Status CheckSendable(Role role);                                    \
    static void FindRiskSignals(const T& value, std::vector<RiskSignal>& out); \
  }

namespace pb_body = ::securebase::content::v1;
SECUREBASE_CONTENT_TYPE(TextMessage, pb_body::Content::kText, true);
SECUREBASE_CONTENT_TYPE(CheckIn, pb_body::Content::kCheckIn, true);
SECUREBASE_CONTENT_TYPE(Reflection, pb_body::Content::kReflection, true);
SECUREBASE_CONTENT_TYPE(Exercise, pb_body::Content::kExercise, true);
SECUREBASE_CONTENT_TYPE(Availability, pb_body::Content::kAvailability, false);
SECUREBASE_CONTENT_TYPE(Receipt, pb_body::Content::kReceipt, false);
SECUREBASE_CONTENT_TYPE(Profile, pb_body::Content::kProfile, false);
SECUREBASE_CONTENT_TYPE(InvalidContent, pb_body::Content::BODY_NOT_SET, false);

#undef SECUREBASE_CONTENT_TYPE

// --- The dispatch over ContentBody (registry.cc) -------------------------------

// Fills the oneof body of `out` (ids and timestamps are the caller's).
// InvalidContent cannot be encoded: returns false.
bool EncodeBody(const ContentBody& body, content::v1::Content& out);
// The body of a received Content, or InvalidContent naming the problem
// (unknown type, failed validation). Never fails.
ContentBody DecodeBody(const content::v1::Content& content);
// The content of a stored history entry (serialized Content), or
// InvalidContent when it does not parse.
ContentBody DecodeStoredContent(const std::string& serialized);
// The "content" object's members for any content type.
void WriteContentMembers(JsonWriter& writer, const ContentBody& body);
// Whether receiving `body` owes its sender a delivered receipt.
bool WantsDeliveredReceipt(const ContentBody& body);
// Whether an app may send `body` through Client::Send from an account of
// `role`: kPermissionDenied (a client's exercise), kInvalidArgument (what the
// library sends itself: receipts, profiles, availability).
Status CheckSendable(Role role, const ContentBody& body);

}  // namespace securebase::client

#endif  // SECUREBASE_CLIENT_SRC_CONTENT_CONTENT_TYPE_H_
