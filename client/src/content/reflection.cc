// A reflection: free-form, or structured by one of the therapy's techniques
// (a kind: its fields come from content.proto, reflection_kinds.h).
#include <cctype>
#include <set>

#include "client/src/content/checks.h"
#include "client/src/content/content_type.h"
#include "client/src/content/ids.h"
#include "client/src/content/reflection_kinds.h"
#include "client/src/content/risk_words.h"

namespace securebase::client {
namespace {

namespace pb = content::v1;

constexpr std::string_view kFree = "free";

const ReflectionFieldSchema* SchemaField(const ReflectionKindSchema& kind, std::string_view key) {
  for (const ReflectionFieldSchema& field : kind.fields) {
    if (field.key == key) return &field;
  }
  return nullptr;
}

std::string Lower(std::string text) {
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

}  // namespace

using Rules = ContentType<Reflection>;

const char* Rules::Name() { return "reflection"; }

std::string Rules::Validate(const Reflection& r) {
  std::string error;
  const ReflectionKindSchema* kind = nullptr;
  if (r.kind == kFree) {
    if (!r.fields.empty()) return "A free-form reflection cannot carry structured fields.";
  } else {
    kind = FindReflectionKind(r.kind);
    if (kind == nullptr) return "Reflection kind is unknown.";
  }
  if (!CheckText(error, "Reflection prompt", r.prompt, kMaxTextFieldBytes)) return error;
  if (!CheckText(error, "Reflection body", r.body, kMaxBodyBytes)) return error;
  bool structured_nonempty = false;
  std::set<std::string_view> seen;
  for (const ReflectionField& field : r.fields) {
    const ReflectionFieldSchema* schema = SchemaField(*kind, field.key);
    if (schema == nullptr) {
      return "Reflection fields do not match its kind (" + Lower(kind->title) + ").";
    }
    const std::string name = kind->title + " " + schema->label;
    if (!seen.insert(field.key).second) return name + " is given more than once.";
    if (schema->type == ReflectionFieldType::kText) {
      if (!field.emotions.empty()) return name + " holds text, not emotions.";
      if (!CheckText(error, name, field.text, kMaxTextFieldBytes)) return error;
      structured_nonempty |= !field.text.empty();
    } else {
      if (!field.text.empty()) return name + " holds emotions, not text.";
      if (!CheckEmotions(error, name, field.emotions)) return error;
      structured_nonempty |= !field.emotions.empty();
    }
  }
  if (r.body.empty() && !structured_nonempty) return "Reflection body is empty.";
  CheckOptionalId(error, "Reflection exercise id", r.exercise_id);
  return error;
}

void Rules::Encode(const Reflection& r, pb::Content& out) {
  pb::Reflection* m = out.mutable_reflection();
  m->set_kind(WireKind(r.kind).value_or(pb::REFLECTION_KIND_UNSPECIFIED));
  m->set_prompt(r.prompt);
  m->set_body(r.body);
  if (const ReflectionKindSchema* kind = FindReflectionKind(r.kind)) {
    EncodeStructured(*kind, r.fields, *m);
  }
  m->set_exercise_id(IdToWire(r.exercise_id));
}

std::optional<Reflection> Rules::Decode(const pb::Content& in) {
  const pb::Reflection& m = in.reflection();
  std::optional<std::string> kind = KindName(m.kind());
  if (!kind) return std::nullopt;  // A kind this version does not know.
  Reflection r;
  r.kind = *kind;
  r.prompt = m.prompt();
  r.body = m.body();
  std::string structured_kind;
  r.fields = DecodeStructured(m, &structured_kind);
  // A structured part of another kind than the one stated: validation sees
  // fields that are not the stated kind's and refuses it.
  r.exercise_id = IdFromWire(m.exercise_id());
  return r;
}

void Rules::WriteJson(const Reflection& r, JsonWriter& w) {
  w.Member("kind", r.kind);
  w.Member("prompt", r.prompt);
  w.Member("body", r.body);
  if (const ReflectionKindSchema* kind = FindReflectionKind(r.kind)) {
    w.Key(kind->json_key);
    w.BeginObject();
    for (const ReflectionFieldSchema& field : kind->fields) {
      if (field.type == ReflectionFieldType::kText) {
        w.Member(field.key, r.Text(field.key));
      } else {
        WriteEmotions(w, field.key, r.Emotions(field.key));
      }
    }
    w.EndObject();
  }
  w.Member("exercise_id", r.exercise_id);
}

Reflection Rules::ReadJson(JsonFields& in) {
  Reflection r;
  r.kind = in.Text("kind");
  if (r.kind.empty()) r.kind = std::string(kFree);
  r.prompt = in.Text("prompt");
  r.body = in.Text("body");
  for (const ReflectionKindSchema& kind : ReflectionKinds()) {
    const JsonValue* object = in.Object(kind.json_key);
    if (object == nullptr) continue;
    if (kind.name != r.kind) {
      in.Fail("\"" + kind.json_key + "\" does not belong to a reflection of kind \"" + r.kind +
              "\"");
      continue;
    }
    JsonFields fields = in.Nested(*object, "reflection \"" + kind.json_key + "\"");
    for (const ReflectionFieldSchema& field : kind.fields) {
      if (field.type == ReflectionFieldType::kText) {
        std::string text = fields.Text(field.key);
        if (!text.empty()) r.SetText(field.key, std::move(text));
      } else {
        std::vector<Emotion> emotions = fields.Emotions(field.key);
        if (!emotions.empty()) r.SetEmotions(field.key, std::move(emotions));
      }
    }
    fields.Finish();
  }
  r.exercise_id = in.Text("exercise_id");
  return r;
}

Status Rules::CheckSendable(Role) { return Status::Ok(); }

void Rules::FindRiskSignals(const Reflection& r, std::vector<RiskSignal>& out) {
  AddIfSelfHarmWords(r.body, "the reflection", out);
  const ReflectionKindSchema* kind = FindReflectionKind(r.kind);
  for (const ReflectionField& field : r.fields) {
    const ReflectionFieldSchema* schema = kind != nullptr ? SchemaField(*kind, field.key) : nullptr;
    AddIfSelfHarmWords(field.text, schema != nullptr ? schema->label : field.key, out);
  }
}

}  // namespace securebase::client
