// A strict JSON reader (RFC 8259) for the JSON apps hand the library (the C
// API's content JSON). Private to client/.
//
// Strict on purpose, since the input is a program's, not a person's: one
// value with only whitespace around it; no comments, trailing commas, NaN or
// leading zeros; strings must be well-formed UTF-8 without raw control
// characters, and \u escapes must pair surrogates; object keys must be
// unique. Bounded: at most kMaxJsonBytes of input and kMaxJsonDepth levels of
// nesting, so no input costs more than a pass over it.
//
// Errors are sentences for a developer, naming the byte offset; they never
// quote the input (it may be private).
#ifndef SECUREBASE_CLIENT_SRC_JSON_READER_H_
#define SECUREBASE_CLIENT_SRC_JSON_READER_H_

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "securebase/client/status.h"

namespace securebase::client {

inline constexpr size_t kMaxJsonBytes = 1 << 20;
inline constexpr size_t kMaxJsonDepth = 32;

class JsonValue {
 public:
  enum class Type { kNull, kBool, kNumber, kString, kArray, kObject };

  Type type() const { return type_; }
  bool is_null() const { return type_ == Type::kNull; }
  // Precondition: the matching type (checked by the As* readers below).
  bool boolean() const { return bool_; }
  const std::string& string() const { return text_; }  // kString; kNumber: its literal.
  const std::vector<JsonValue>& array() const { return array_; }
  // Keys in the order they appeared.
  const std::vector<std::pair<std::string, JsonValue>>& object() const { return object_; }
  // The member `key` of an object, or nullptr.
  const JsonValue* Find(std::string_view key) const;

  // The number as an unsigned integer in [0, max]: nullopt for a fraction,
  // an exponent that is not integral, a negative or a too large number.
  std::optional<uint64_t> AsUint(uint64_t max) const;
  // The number as a finite double.
  std::optional<double> AsDouble() const;

  static const char* TypeName(Type type);  // "null", "a boolean", "a number", ...

 private:
  friend class JsonParser;
  Type type_ = Type::kNull;
  bool bool_ = false;
  std::string text_;
  std::vector<JsonValue> array_;
  std::vector<std::pair<std::string, JsonValue>> object_;
};

// kInvalidArgument ("invalid JSON at byte N: ...") for anything that is not
// exactly one JSON value within the bounds above.
Result<JsonValue> ParseJson(std::string_view text);

}  // namespace securebase::client

#endif  // SECUREBASE_CLIENT_SRC_JSON_READER_H_
