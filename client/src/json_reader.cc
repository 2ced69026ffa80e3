// RFC 8259, section by section: values (3), objects (4), arrays (5), numbers
// (6), strings (7), with the restrictions of json_reader.h.
#include "json_reader.h"

#include <charconv>
#include <cmath>
#include <cstdlib>

#include "securebase/client/utf8.h"

namespace securebase::client {

const JsonValue* JsonValue::Find(std::string_view key) const {
  for (const auto& [name, value] : object_) {
    if (name == key) return &value;
  }
  return nullptr;
}

std::optional<uint64_t> JsonValue::AsUint(uint64_t max) const {
  if (type_ != Type::kNumber) return std::nullopt;
  uint64_t value = 0;
  const char* begin = text_.data();
  const char* end = begin + text_.size();
  auto [ptr, ec] = std::from_chars(begin, end, value);
  if (ec == std::errc() && ptr == end) {
    if (value > max) return std::nullopt;
    return value;
  }
  // 1e2, 10.0: integral values written otherwise.
  std::optional<double> d = AsDouble();
  if (!d || *d < 0 || *d != std::floor(*d) || *d > static_cast<double>(max)) return std::nullopt;
  return static_cast<uint64_t>(*d);
}

std::optional<double> JsonValue::AsDouble() const {
  if (type_ != Type::kNumber) return std::nullopt;
  char* end = nullptr;
  const double value = std::strtod(text_.c_str(), &end);
  if (end != text_.c_str() + text_.size() || !std::isfinite(value)) return std::nullopt;
  return value;
}

const char* JsonValue::TypeName(Type type) {
  switch (type) {
    case Type::kNull:
      return "null";
    case Type::kBool:
      return "a boolean";
    case Type::kNumber:
      return "a number";
    case Type::kString:
      return "a string";
    case Type::kArray:
      return "an array";
    case Type::kObject:
      return "an object";
  }
  return "unknown";
}

class JsonParser {
 public:
  explicit JsonParser(std::string_view text) : text_(text) {}

  Result<JsonValue> ParseDocument() {
    if (text_.size() > kMaxJsonBytes) {
      return Status(ErrorCode::kInvalidArgument, "the JSON is larger than 1 MiB");
    }
    JsonValue value;
    SkipSpace();
    if (!ParseValue(value, 0)) return Error();
    SkipSpace();
    if (pos_ != text_.size()) {
      Fail("trailing characters after the value");
      return Error();
    }
    return value;
  }

 private:
  Status Error() const {
    return Status(ErrorCode::kInvalidArgument,
                  "invalid JSON at byte " + std::to_string(error_pos_) + ": " + error_);
  }
  bool Fail(std::string what) {
    if (error_.empty()) {
      error_ = std::move(what);
      error_pos_ = pos_;
    }
    return false;
  }
  bool AtEnd() const { return pos_ >= text_.size(); }
  char Peek() const { return text_[pos_]; }
  void SkipSpace() {
    while (!AtEnd() && (Peek() == ' ' || Peek() == '\t' || Peek() == '\n' || Peek() == '\r')) {
      ++pos_;
    }
  }
  bool Literal(std::string_view word) {
    if (text_.substr(pos_, word.size()) != word) return Fail("unexpected characters");
    pos_ += word.size();
    return true;
  }

  bool ParseValue(JsonValue& out, size_t depth) {
    if (AtEnd()) return Fail("unexpected end of input");
    switch (Peek()) {
      case '{':
        return ParseObject(out, depth + 1);
      case '[':
        return ParseArray(out, depth + 1);
      case '"':
        out.type_ = JsonValue::Type::kString;
        return ParseString(out.text_);
      case 't':
        out.type_ = JsonValue::Type::kBool;
        out.bool_ = true;
        return Literal("true");
      case 'f':
        out.type_ = JsonValue::Type::kBool;
        out.bool_ = false;
        return Literal("false");
      case 'n':
        out.type_ = JsonValue::Type::kNull;
        return Literal("null");
      default:
        out.type_ = JsonValue::Type::kNumber;
        return ParseNumber(out.text_);
    }
  }

  bool ParseObject(JsonValue& out, size_t depth) {
    if (depth > kMaxJsonDepth) return Fail("nested deeper than 32 levels");
    out.type_ = JsonValue::Type::kObject;
    ++pos_;  // '{'
    SkipSpace();
    if (!AtEnd() && Peek() == '}') {
      ++pos_;
      return true;
    }
    for (;;) {
      SkipSpace();
      if (AtEnd() || Peek() != '"') return Fail("expected a member name in quotes");
      std::string key;
      if (!ParseString(key)) return false;
      if (out.Find(key) != nullptr) return Fail("a member name appears twice in one object");
      SkipSpace();
      if (AtEnd() || Peek() != ':') return Fail("expected ':' after a member name");
      ++pos_;
      SkipSpace();
      JsonValue value;
      if (!ParseValue(value, depth)) return false;
      out.object_.emplace_back(std::move(key), std::move(value));
      SkipSpace();
      if (AtEnd()) return Fail("unexpected end of input in an object");
      if (Peek() == ',') {
        ++pos_;
        continue;
      }
      if (Peek() == '}') {
        ++pos_;
        return true;
      }
      return Fail("expected ',' or '}' in an object");
    }
  }

  bool ParseArray(JsonValue& out, size_t depth) {
    if (depth > kMaxJsonDepth) return Fail("nested deeper than 32 levels");
    out.type_ = JsonValue::Type::kArray;
    ++pos_;  // '['
    SkipSpace();
    if (!AtEnd() && Peek() == ']') {
      ++pos_;
      return true;
    }
    for (;;) {
      SkipSpace();
      JsonValue value;
      if (!ParseValue(value, depth)) return false;
      out.array_.push_back(std::move(value));
      SkipSpace();
      if (AtEnd()) return Fail("unexpected end of input in an array");
      if (Peek() == ',') {
        ++pos_;
        continue;
      }
      if (Peek() == ']') {
        ++pos_;
        return true;
      }
      return Fail("expected ',' or ']' in an array");
    }
  }

  // number = [ minus ] int [ frac ] [ exp ]; int = zero / ( digit1-9 *DIGIT )
  bool ParseNumber(std::string& out) {
    const size_t start = pos_;
    auto digits = [&] {
      const size_t from = pos_;
      while (!AtEnd() && Peek() >= '0' && Peek() <= '9') ++pos_;
      return pos_ - from;
    };
    if (!AtEnd() && Peek() == '-') ++pos_;
    if (AtEnd()) return Fail("a number is cut short");
    if (Peek() == '0') {
      ++pos_;
      if (!AtEnd() && Peek() >= '0' && Peek() <= '9') return Fail("a number has a leading zero");
    } else if (digits() == 0) {
      return Fail("expected a value");
    }
    if (!AtEnd() && Peek() == '.') {
      ++pos_;
      if (digits() == 0) return Fail("a number has no digits after its decimal point");
    }
    if (!AtEnd() && (Peek() == 'e' || Peek() == 'E')) {
      ++pos_;
      if (!AtEnd() && (Peek() == '+' || Peek() == '-')) ++pos_;
      if (digits() == 0) return Fail("a number has no digits in its exponent");
    }
    out.assign(text_.substr(start, pos_ - start));
    return true;
  }

  bool Hex4(uint32_t& out) {
    if (text_.size() - pos_ < 4) return Fail("a \\u escape is cut short");
    out = 0;
    for (int i = 0; i < 4; ++i) {
      const char c = text_[pos_ + i];
      int digit = c >= '0' && c <= '9'   ? c - '0'
                  : c >= 'a' && c <= 'f' ? c - 'a' + 10
                  : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                         : -1;
      if (digit < 0) return Fail("a \\u escape needs four hex digits");
      out = out << 4 | static_cast<uint32_t>(digit);
    }
    pos_ += 4;
    return true;
  }

  bool ParseString(std::string& out) {
    ++pos_;  // '"'
    out.clear();
    for (;;) {
      if (AtEnd()) return Fail("a string is not closed");
      const unsigned char c = static_cast<unsigned char>(Peek());
      if (c == '"') {
        ++pos_;
        return true;
      }
      if (c < 0x20) return Fail("a control character in a string must be escaped");
      if (c == '\\') {
        ++pos_;
        if (AtEnd()) return Fail("an escape is cut short");
        const char e = Peek();
        ++pos_;
        switch (e) {
          case '"':
          case '\\':
          case '/':
            out.push_back(e);
            break;
          case 'b':
            out.push_back('\b');
            break;
          case 'f':
            out.push_back('\f');
            break;
          case 'n':
            out.push_back('\n');
            break;
          case 'r':
            out.push_back('\r');
            break;
          case 't':
            out.push_back('\t');
            break;
          case 'u': {
            uint32_t cp = 0;
            if (!Hex4(cp)) return false;
            if (cp >= 0xDC00 && cp <= 0xDFFF) return Fail("a lone low surrogate in a \\u escape");
            if (cp >= 0xD800 && cp <= 0xDBFF) {
              uint32_t low = 0;
              if (text_.substr(pos_, 2) != "\\u") return Fail("a high surrogate without its pair");
              pos_ += 2;
              if (!Hex4(low)) return false;
              if (low < 0xDC00 || low > 0xDFFF) return Fail("a high surrogate without its pair");
              cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
            }
            AppendUtf8(out, cp);
            break;
          }
          default:
            return Fail("an unknown escape in a string");
        }
        continue;
      }
      const Utf8Sequence sequence = DecodeUtf8(text_, pos_);
      if (sequence.length == 0) return Fail("a string is not valid UTF-8");
      out.append(text_.substr(pos_, sequence.length));
      pos_ += sequence.length;
    }
  }

  std::string_view text_;
  size_t pos_ = 0;
  std::string error_;
  size_t error_pos_ = 0;
};

Result<JsonValue> ParseJson(std::string_view text) { return JsonParser(text).ParseDocument(); }

}  // namespace securebase::client
