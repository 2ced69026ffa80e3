#include "client/src/content/json_fields.h"

#include <algorithm>
#include <limits>
#include <utility>

namespace securebase::client {

JsonFields::JsonFields(const JsonValue& object, std::string where)
    : JsonFields(object, std::move(where), std::make_shared<Status>()) {}

JsonFields::JsonFields(const JsonValue& object, std::string where, std::shared_ptr<Status> status)
    : object_(object), where_(std::move(where)), status_(std::move(status)) {
  if (object_.type() != JsonValue::Type::kObject) Fail("must be a JSON object");
}

JsonFields JsonFields::Nested(const JsonValue& object, std::string where) const {
  return JsonFields(object, std::move(where), status_);
}

void JsonFields::Fail(const std::string& message) {
  if (status_->ok()) *status_ = Status(ErrorCode::kInvalidArgument, where_ + ": " + message);
}

const JsonValue* JsonFields::Member(std::string_view key, JsonValue::Type type,
                                    const char* expected) {
  read_.emplace(key);
  if (!ok() || object_.type() != JsonValue::Type::kObject) return nullptr;
  const JsonValue* value = object_.Find(key);
  if (value == nullptr) return nullptr;
  if (value->type() != type) {
    Fail("\"" + std::string(key) + "\" must be " + expected + ", not " +
         JsonValue::TypeName(value->type()));
    return nullptr;
  }
  return value;
}

std::string JsonFields::Text(std::string_view key, bool required) {
  const JsonValue* value = Member(key, JsonValue::Type::kString, "a string");
  if (value == nullptr) {
    if (required && ok()) Fail("\"" + std::string(key) + "\" is required");
    return std::string();
  }
  return value->string();
}

uint32_t JsonFields::Uint(std::string_view key, uint32_t max, bool required) {
  std::optional<uint32_t> value = OptionalUint(key, max);
  if (!value && required && ok()) Fail("\"" + std::string(key) + "\" is required");
  return value.value_or(0);
}

std::optional<uint32_t> JsonFields::OptionalUint(std::string_view key, uint32_t max) {
  const JsonValue* value = Member(key, JsonValue::Type::kNumber, "a number");
  if (value == nullptr) return std::nullopt;
  std::optional<uint64_t> n = value->AsUint(max);
  if (!n) {
    Fail("\"" + std::string(key) + "\" must be a whole number from 0 to " + std::to_string(max));
    return std::nullopt;
  }
  return static_cast<uint32_t>(*n);
}

std::optional<double> JsonFields::OptionalDouble(std::string_view key) {
  const JsonValue* value = Member(key, JsonValue::Type::kNumber, "a number");
  if (value == nullptr) return std::nullopt;
  std::optional<double> d = value->AsDouble();
  if (!d) Fail("\"" + std::string(key) + "\" must be a finite number");
  return d;
}

int JsonFields::Name(std::string_view key, std::initializer_list<std::string_view> names,
                     int absent) {
  const JsonValue* value = Member(key, JsonValue::Type::kString, "a string");
  if (value == nullptr) return absent;
  int index = 0;
  std::string choices;
  for (std::string_view name : names) {
    if (value->string() == name) return index;
    choices += (index == 0 ? "" : ", ") + std::string("\"") + std::string(name) + "\"";
    ++index;
  }
  Fail("\"" + std::string(key) + "\" must be one of " + choices);
  return absent;
}

std::vector<const JsonValue*> JsonFields::Array(std::string_view key) {
  const JsonValue* value = Member(key, JsonValue::Type::kArray, "an array");
  std::vector<const JsonValue*> out;
  if (value == nullptr) return out;
  for (const JsonValue& element : value->array()) out.push_back(&element);
  return out;
}

const JsonValue* JsonFields::Object(std::string_view key) {
  return Member(key, JsonValue::Type::kObject, "an object");
}

std::vector<Emotion> JsonFields::Emotions(std::string_view key) {
  std::vector<Emotion> emotions;
  size_t i = 0;
  for (const JsonValue* element : Array(key)) {
    JsonFields emotion =
        Nested(*element, where_ + " \"" + std::string(key) + "\" #" + std::to_string(++i));
    Emotion e;
    e.name = emotion.Text("name", /*required=*/true);
    e.intensity = emotion.Uint("intensity", std::numeric_limits<uint32_t>::max(), true);
    emotion.Finish();
    emotions.push_back(std::move(e));
  }
  return emotions;
}

std::vector<uint32_t> JsonFields::UintArray(std::string_view key, uint32_t max) {
  std::vector<uint32_t> out;
  for (const JsonValue* element : Array(key)) {
    std::optional<uint64_t> n =
        element->type() == JsonValue::Type::kNumber ? element->AsUint(max) : std::nullopt;
    if (!n) {
      Fail("\"" + std::string(key) + "\" must hold whole numbers from 0 to " + std::to_string(max));
      return {};
    }
    out.push_back(static_cast<uint32_t>(*n));
  }
  return out;
}

std::vector<std::string> JsonFields::TextArray(std::string_view key) {
  std::vector<std::string> out;
  for (const JsonValue* element : Array(key)) {
    if (element->type() != JsonValue::Type::kString) {
      Fail("\"" + std::string(key) + "\" must hold strings");
      return {};
    }
    out.push_back(element->string());
  }
  return out;
}

void JsonFields::Finish() {
  if (!ok() || object_.type() != JsonValue::Type::kObject) return;
  for (const auto& [name, value] : object_.object()) {
    if (read_.count(name)) continue;
    // Named only when it looks like a member name: the JSON may be private.
    const bool plain = name.size() <= 32 && std::all_of(name.begin(), name.end(), [](char c) {
                         return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
                       });
    Fail(plain ? "unknown member \"" + name + "\"" : std::string("an unknown member"));
    return;
  }
}

void WriteEmotions(JsonWriter& w, std::string_view key, const std::vector<Emotion>& emotions) {
  w.Key(key);
  w.BeginArray();
  for (const Emotion& e : emotions) {
    w.BeginObject();
    w.Member("name", e.name);
    w.Member("intensity", e.intensity);
    w.EndObject();
  }
  w.EndArray();
}

}  // namespace securebase::client
