// What the QML forms hand over (plain maps) turned into the library's content
// types. Validation stays the library's: these only map fields, and the
// library's send calls refuse anything out of range with a clear message.
//
// Check-in map:   mood, energy (absent or -1: not given), sleep (absent or -1),
//                 emotions [{name, intensity}], helped, note,
//                 phq9 [9 ints] / gad7 [7 ints] (absent: not answered), exerciseId
// Reflection map: kind ("free" or a name from sc::ReflectionKinds()), prompt,
//                 body, exerciseId, and the kind's fields by their schema keys
//                 (situation, automatic_thought, emotions_before [{name,
//                 intensity}], ...); keys of other kinds are ignored
// Exercise map:   title, instructions, kind, recurrence ("none", "daily",
//                 "weekly"), due ("YYYY-MM-DD" or empty)
#ifndef SECUREBASE_DESKTOP_CONTENT_FORMS_H_
#define SECUREBASE_DESKTOP_CONTENT_FORMS_H_

#include <QVariantMap>

#include "securebase/client/content.h"

namespace securebase::desktop {

namespace sc = ::securebase::client;

sc::CheckIn CheckInFromForm(const QVariantMap& form);
sc::Reflection ReflectionFromForm(const QVariantMap& form);
sc::Exercise ExerciseFromForm(const QVariantMap& form);
sc::Availability AvailabilityFromForm(const QVariantMap& form);  // text, emergency

}  // namespace securebase::desktop

#endif  // SECUREBASE_DESKTOP_CONTENT_FORMS_H_
