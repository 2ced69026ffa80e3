// Reading and writing the members of a content object in the content JSON
// (docs/CLIENT.md), shared by the content types' files. Private to client/.
//
// JsonFields reads strictly: a member of the wrong JSON type, a number out of
// range or not whole where a whole one is needed, an unknown name, or a
// member missing that is required is an error naming the member
// ("check-in content: \"mood\" must be ..."). The first error is kept; after
// it every read returns a default, so a type's ReadJson can read straight
// through and the caller checks status() once.
#ifndef SECUREBASE_CLIENT_SRC_CONTENT_JSON_FIELDS_H_
#define SECUREBASE_CLIENT_SRC_CONTENT_JSON_FIELDS_H_

#include <cstdint>
#include <initializer_list>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "client/src/json_reader.h"
#include "client/src/json_writer.h"
#include "securebase/client/content.h"
#include "securebase/client/status.h"

namespace securebase::client {

class JsonFields {
 public:
  // `where` names the object in errors ("check-in content").
  JsonFields(const JsonValue& object, std::string where);
  JsonFields(const JsonValue& object, std::string where, std::shared_ptr<Status> status);

  // A string member; "" when absent (or `required`: an error then).
  std::string Text(std::string_view key, bool required = false);
  // A whole number in [0, max]; 0 when absent (or `required`).
  uint32_t Uint(std::string_view key, uint32_t max, bool required = false);
  std::optional<uint32_t> OptionalUint(std::string_view key, uint32_t max);
  std::optional<double> OptionalDouble(std::string_view key);
  // One of `names`: its index; `absent` when the member is absent.
  int Name(std::string_view key, std::initializer_list<std::string_view> names, int absent);
  std::vector<Emotion> Emotions(std::string_view key);
  std::vector<uint32_t> UintArray(std::string_view key, uint32_t max);
  std::vector<std::string> TextArray(std::string_view key);
  // The array member's elements (empty when absent).
  std::vector<const JsonValue*> Array(std::string_view key);
  // The object member, to read with its own JsonFields; nullptr when absent.
  const JsonValue* Object(std::string_view key);
  // A nested object's reader, sharing this one's error.
  JsonFields Nested(const JsonValue& object, std::string where) const;

  // Records `message` ("<where>: <message>") as the error unless one is kept.
  void Fail(const std::string& message);
  // Reports members that no read asked for (unknown names).
  void Finish();
  const Status& status() const { return *status_; }
  bool ok() const { return status_->ok(); }

 private:
  const JsonValue* Member(std::string_view key, JsonValue::Type type, const char* expected);

  const JsonValue& object_;
  std::string where_;
  std::shared_ptr<Status> status_;
  std::set<std::string, std::less<>> read_;
};

// "key": [{"name": ..., "intensity": ...}, ...]
void WriteEmotions(JsonWriter& out, std::string_view key, const std::vector<Emotion>& emotions);

}  // namespace securebase::client

#endif  // SECUREBASE_CLIENT_SRC_CONTENT_JSON_FIELDS_H_
