// Structured reflection kinds, read from content.proto's descriptors (see
// the rules at the top of that file): the public schema (ReflectionKinds()
// in content.h) and the mapping between a Reflection's generic fields and
// the kind's wire message. A new kind needs nothing here. Private to client/.
#ifndef SECUREBASE_CLIENT_SRC_CONTENT_REFLECTION_KINDS_H_
#define SECUREBASE_CLIENT_SRC_CONTENT_REFLECTION_KINDS_H_

#include <optional>
#include <string>

#include "securebase/client/content.h"
#include "securebase/v1/content.pb.h"

namespace securebase::client {

// The wire kind of a kind name ("free" included); nullopt when unknown.
std::optional<content::v1::ReflectionKind> WireKind(const std::string& name);
// The name of a wire kind; nullopt for an unknown (or unspecified) value.
std::optional<std::string> KindName(content::v1::ReflectionKind kind);

// Writes `fields` into the kind's member of `out`'s structured oneof (every
// key must belong to the kind's schema: validation ensures it).
void EncodeStructured(const ReflectionKindSchema& kind, const std::vector<ReflectionField>& fields,
                      content::v1::Reflection& out);
// The fields of whichever structured member `in` holds (none set: empty),
// and that member's kind name.
std::vector<ReflectionField> DecodeStructured(const content::v1::Reflection& in,
                                              std::string* kind_name);

}  // namespace securebase::client

#endif  // SECUREBASE_CLIENT_SRC_CONTENT_REFLECTION_KINDS_H_
