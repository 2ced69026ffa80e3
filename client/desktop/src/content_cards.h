// How content is shown: each item as a card the QML draws (a map of plain
// values, never raw field names), and short labels for lists.
#ifndef SECUREBASE_DESKTOP_CONTENT_CARDS_H_
#define SECUREBASE_DESKTOP_CONTENT_CARDS_H_

#include <QString>
#include <QVariantMap>

#include "securebase/client/client.h"

namespace securebase::desktop {

namespace sc = ::securebase::client;

// "text", "check-in", "reflection", "exercise", "availability", "invalid", ...
QString TypeOf(const sc::HistoryItem& item);
// For a person: "Message", "Check-in", "Thought record", "Exercise", ...
QString TypeLabel(const sc::ContentBody& body);
// "free" -> "Reflection", "thought-record" -> "Thought record" (the library's
// schema title); an unknown kind is shown as given.
QString ReflectionKindLabel(const std::string& kind);
// A reflection field's label as a heading: "automatic thought" -> "Automatic thought".
QString FieldHeading(const std::string& label);
// Also "check-in" -> "Check-in" and "free" -> "Reflection".
QString ExerciseKindLabel(const std::string& kind);
QString RecurrenceLabel(sc::Recurrence recurrence);
// "queued", "sent", "delivered", "read", "failed".
QString StateName(sc::DeliveryState state);

// The card for one item. Keys by type:
//   text:         body
//   check-in:     mood, energy (-1: not given), sleep (-1), emotions [{name, intensity}],
//                 helped, note, measures [{name, total, max, band, complete}], exerciseId
//   reflection:   kind, kindLabel, prompt, body, fields [{label, value}] (the kind's
//                 schema order, filled fields only), exerciseId
//   exercise:     title, instructions, kindLabel, kind, recurrence, due
//   availability: text, emergency
//   invalid:      reason
QVariantMap CardFor(const sc::ContentBody& body);
// CardFor(item.content), and for an incoming item with a risk signal
// (securebase/client/risk.h) also attention: the library's note for the
// reader (the therapist), and where: what carries the signal.
QVariantMap CardFor(const sc::HistoryItem& item);

// The item's first line of text, for search and accessibility (never logged).
QString AccessibleSummary(const sc::HistoryItem& item);

}  // namespace securebase::desktop

#endif  // SECUREBASE_DESKTOP_CONTENT_CARDS_H_
