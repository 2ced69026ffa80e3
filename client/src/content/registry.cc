// The dispatch over ContentBody: every function here visits the body (or,
// for decoding, finds the alternative whose wire case matches) and hands it
// to its type's rules (content_type.h). Nothing type-specific lives here.
#include <type_traits>
#include <utility>
#include <variant>

#include "client/src/content/content_type.h"

namespace securebase::client {
namespace {

namespace pb = content::v1;

template <typename T>
using RulesOf = ContentType<std::decay_t<T>>;

// Calls fn(type_tag<T>) for each alternative of ContentBody until it returns true.
template <typename Fn, size_t... I>
bool ForEachType(Fn&& fn, std::index_sequence<I...>) {
  return (fn(std::type_identity<std::variant_alternative_t<I, ContentBody>>{}) || ...);
}
template <typename Fn>
bool ForEachType(Fn&& fn) {
  return ForEachType(std::forward<Fn>(fn),
                     std::make_index_sequence<std::variant_size_v<ContentBody>>{});
}

}  // namespace

const char* ContentTypeName(const ContentBody& body) {
  if (body.valueless_by_exception()) return ContentType<InvalidContent>::Name();
  return std::visit([](const auto& v) { return RulesOf<decltype(v)>::Name(); }, body);
}

Status ValidateContent(const ContentBody& body) {
  if (body.valueless_by_exception()) {
    return Status(ErrorCode::kInvalidArgument, "The content is empty.");
  }
  std::string error =
      std::visit([](const auto& v) { return RulesOf<decltype(v)>::Validate(v); }, body);
  if (error.empty()) return Status::Ok();
  return Status(ErrorCode::kInvalidArgument, std::move(error));
}

bool EncodeBody(const ContentBody& body, pb::Content& out) {
  if (std::holds_alternative<InvalidContent>(body)) return false;
  std::visit([&out](const auto& v) { RulesOf<decltype(v)>::Encode(v, out); }, body);
  return true;
}

ContentBody DecodeBody(const pb::Content& content) {
  ContentBody body = InvalidContent{"unknown content type (sent by a newer app?)"};
  ForEachType([&](auto tag) {
    using T = typename decltype(tag)::type;
    if (ContentType<T>::kWireCase == pb::Content::BODY_NOT_SET ||
        ContentType<T>::kWireCase != content.body_case()) {
      return false;
    }
    if (std::optional<T> decoded = ContentType<T>::Decode(content)) body = std::move(*decoded);
    return true;
  });
  if (!std::holds_alternative<InvalidContent>(body)) {
    Status problem = ValidateContent(body);
    if (!problem.ok()) body = InvalidContent{"received content is invalid: " + problem.message()};
  }
  return body;
}

ContentBody DecodeStoredContent(const std::string& serialized) {
  pb::Content content;
  if (!content.ParseFromString(serialized)) {
    return InvalidContent{"the stored item does not parse"};
  }
  return DecodeBody(content);
}

void WriteContentMembers(JsonWriter& writer, const ContentBody& body) {
  std::visit([&writer](const auto& v) { RulesOf<decltype(v)>::WriteJson(v, writer); }, body);
}

bool WantsDeliveredReceipt(const ContentBody& body) {
  return std::visit([](const auto& v) { return RulesOf<decltype(v)>::kReceipt; }, body);
}

Status CheckSendable(Role role, const ContentBody& body) {
  return std::visit([role](const auto& v) { return RulesOf<decltype(v)>::CheckSendable(role); },
                    body);
}

std::vector<RiskSignal> DetectRiskSignals(const ContentBody& content) {
  std::vector<RiskSignal> signals;
  std::visit([&signals](const auto& v) { RulesOf<decltype(v)>::FindRiskSignals(v, signals); },
             content);
  return signals;
}

std::string ContentToJson(const ContentBody& content) {
  JsonWriter w;
  w.BeginObject();
  w.Member("type", ContentTypeName(content));
  w.Key("content");
  w.BeginObject();
  WriteContentMembers(w, content);
  w.EndObject();
  w.EndObject();
  return w.Take();
}

Result<ContentBody> ContentFromJson(std::string_view json) {
  SB_ASSIGN_OR_RETURN(JsonValue document, ParseJson(json));
  JsonFields outer(document, "content JSON");
  const std::string type = outer.Text("type", /*required=*/true);
  const JsonValue* members = outer.Object("content");
  outer.Finish();
  SB_RETURN_IF_ERROR(outer.status());
  if (members == nullptr) {
    return Status(ErrorCode::kInvalidArgument, "content JSON: \"content\" is required");
  }
  std::optional<ContentBody> body;
  Status refused;
  std::string names;
  ForEachType([&](auto tag) {
    using T = typename decltype(tag)::type;
    names += (names.empty() ? "\"" : ", \"") + std::string(ContentType<T>::Name()) + "\"";
    if (type != ContentType<T>::Name()) return false;
    JsonFields fields(*members, type + " content");
    T value = ContentType<T>::ReadJson(fields);
    fields.Finish();
    if (fields.ok()) {
      body = std::move(value);
    } else {
      refused = fields.status();
    }
    return true;
  });
  SB_RETURN_IF_ERROR(refused);
  if (!body) {
    return Status(ErrorCode::kInvalidArgument, "content JSON: \"type\" must be one of " + names);
  }
  SB_RETURN_IF_ERROR(ValidateContent(*body));
  return std::move(*body);
}

}  // namespace securebase::client
