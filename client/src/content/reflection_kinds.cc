#include "client/src/content/reflection_kinds.h"

#include <google/protobuf/descriptor.h>
#include <google/protobuf/message.h>

#include <cctype>
#include <cstdlib>

namespace securebase::client {
namespace {

namespace pb = content::v1;
using google::protobuf::FieldDescriptor;
using google::protobuf::OneofDescriptor;

constexpr std::string_view kFree = "free";
constexpr std::string_view kWirePrefix = "REFLECTION_";

const OneofDescriptor& Structured() {
  const OneofDescriptor* oneof = pb::Reflection::descriptor()->FindOneofByName("structured");
  if (oneof == nullptr) std::abort();  // content.proto lost its oneof: a build bug.
  return *oneof;
}

// "ThoughtRecord" -> "Thought record".
std::string Words(std::string_view camel) {
  std::string out;
  for (size_t i = 0; i < camel.size(); ++i) {
    const char c = camel[i];
    if (i > 0 && std::isupper(static_cast<unsigned char>(c))) {
      out += ' ';
      out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    } else {
      out += c;
    }
  }
  return out;
}

std::string Replace(std::string text, char from, char to) {
  for (char& c : text) c = c == from ? to : c;
  return text;
}

std::string Upper(std::string text) {
  for (char& c : text) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return text;
}

ReflectionFieldType TypeOf(const FieldDescriptor& field) {
  if (field.type() == FieldDescriptor::TYPE_STRING && !field.is_repeated()) {
    return ReflectionFieldType::kText;
  }
  if (field.type() == FieldDescriptor::TYPE_MESSAGE && field.is_repeated() &&
      field.message_type() == pb::Emotion::descriptor()) {
    return ReflectionFieldType::kEmotions;
  }
  std::abort();  // Breaks content.proto's rule for kinds: caught by the content tests.
}

std::vector<ReflectionKindSchema> ReadKinds() {
  std::vector<ReflectionKindSchema> kinds;
  const OneofDescriptor& oneof = Structured();
  for (int i = 0; i < oneof.field_count(); ++i) {
    const FieldDescriptor& member = *oneof.field(i);
    ReflectionKindSchema kind;
    kind.json_key = member.name();
    kind.name = Replace(member.name(), '_', '-');
    kind.title = Words(member.message_type()->name());
    const google::protobuf::Descriptor& message = *member.message_type();
    for (int f = 0; f < message.field_count(); ++f) {
      const FieldDescriptor& field = *message.field(f);
      const std::string& label = field.options().GetExtension(pb::label);
      kind.fields.push_back(ReflectionFieldSchema{
          field.name(), label.empty() ? Replace(field.name(), '_', ' ') : label, TypeOf(field)});
    }
    kinds.push_back(std::move(kind));
  }
  return kinds;
}

const FieldDescriptor* MemberOf(const ReflectionKindSchema& kind) {
  return Structured().containing_type()->FindFieldByName(kind.json_key);
}

}  // namespace

const std::vector<ReflectionKindSchema>& ReflectionKinds() {
  static const std::vector<ReflectionKindSchema>* const kinds =
      new std::vector<ReflectionKindSchema>(ReadKinds());
  return *kinds;
}

const ReflectionKindSchema* FindReflectionKind(std::string_view name) {
  for (const ReflectionKindSchema& kind : ReflectionKinds()) {
    if (kind.name == name) return &kind;
  }
  return nullptr;
}

std::optional<pb::ReflectionKind> WireKind(const std::string& name) {
  if (name == kFree) return pb::REFLECTION_FREE;
  const ReflectionKindSchema* kind = FindReflectionKind(name);
  if (kind == nullptr) return std::nullopt;
  const auto* value = pb::ReflectionKind_descriptor()->FindValueByName(std::string(kWirePrefix) +
                                                                       Upper(kind->json_key));
  if (value == nullptr) return std::nullopt;
  return static_cast<pb::ReflectionKind>(value->number());
}

std::optional<std::string> KindName(pb::ReflectionKind kind) {
  if (kind == pb::REFLECTION_FREE) return std::string(kFree);
  const auto* value = pb::ReflectionKind_descriptor()->FindValueByNumber(kind);
  if (value == nullptr || value->name().rfind(kWirePrefix, 0) != 0) return std::nullopt;
  std::string json_key = value->name().substr(kWirePrefix.size());
  for (char& c : json_key) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  const std::string name = Replace(json_key, '_', '-');
  if (FindReflectionKind(name) == nullptr) return std::nullopt;
  return name;
}

void EncodeStructured(const ReflectionKindSchema& kind, const std::vector<ReflectionField>& fields,
                      pb::Reflection& out) {
  const FieldDescriptor* member = MemberOf(kind);
  if (member == nullptr) return;
  google::protobuf::Message* message = out.GetReflection()->MutableMessage(&out, member);
  const google::protobuf::Reflection& access = *message->GetReflection();
  for (const ReflectionField& field : fields) {
    const FieldDescriptor* descriptor = message->GetDescriptor()->FindFieldByName(field.key);
    if (descriptor == nullptr) continue;  // Validation refuses such fields before encoding.
    if (TypeOf(*descriptor) == ReflectionFieldType::kText) {
      access.SetString(message, descriptor, field.text);
    } else {
      for (const Emotion& e : field.emotions) {
        auto* emotion = static_cast<pb::Emotion*>(access.AddMessage(message, descriptor));
        emotion->set_name(e.name);
        emotion->set_intensity(e.intensity);
      }
    }
  }
}

std::vector<ReflectionField> DecodeStructured(const pb::Reflection& in, std::string* kind_name) {
  std::vector<ReflectionField> fields;
  const FieldDescriptor* member = in.GetReflection()->GetOneofFieldDescriptor(in, &Structured());
  if (member == nullptr) return fields;
  *kind_name = Replace(member->name(), '_', '-');
  const google::protobuf::Message& message = in.GetReflection()->GetMessage(in, member);
  const google::protobuf::Reflection& access = *message.GetReflection();
  const google::protobuf::Descriptor& descriptor = *message.GetDescriptor();
  for (int f = 0; f < descriptor.field_count(); ++f) {
    const FieldDescriptor& field = *descriptor.field(f);
    ReflectionField out{field.name(), {}, {}};
    if (TypeOf(field) == ReflectionFieldType::kText) {
      out.text = access.GetString(message, &field);
      if (out.text.empty()) continue;
    } else {
      const int n = access.FieldSize(message, &field);
      if (n == 0) continue;
      for (int i = 0; i < n; ++i) {
        const auto& e =
            static_cast<const pb::Emotion&>(access.GetRepeatedMessage(message, &field, i));
        out.emotions.push_back(Emotion{e.name(), e.intensity()});
      }
    }
    fields.push_back(std::move(out));
  }
  return fields;
}

}  // namespace securebase::client
