// The guided reflection forms: one per kind the library knows
// (sc::ReflectionKinds(), which reads content.proto, plus "free"), so a kind
// added to the library gets a form without a change here. Each field comes
// with its label from the library and, for the kinds written so far, a
// question that guides the writer through the exercise.
#ifndef SECUREBASE_DESKTOP_REFLECTION_FORMS_H_
#define SECUREBASE_DESKTOP_REFLECTION_FORMS_H_

#include <QVariantList>

namespace securebase::desktop {

// [{name, title, intro, fields: [{key, label, type ("text" | "emotions"),
// hint}]}], "free" first (with no fields), then the library's order.
QVariantList ReflectionFormKinds();

}  // namespace securebase::desktop

#endif  // SECUREBASE_DESKTOP_REFLECTION_FORMS_H_
