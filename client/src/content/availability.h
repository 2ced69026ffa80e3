// The availability notice's pieces other parts share: the wire form (kept in
// the account and the contacts), validation (also inside a profile) and the
// JSON members (also inside contacts and profiles). Private to client/.
#ifndef SECUREBASE_CLIENT_SRC_CONTENT_AVAILABILITY_H_
#define SECUREBASE_CLIENT_SRC_CONTENT_AVAILABILITY_H_

#include <string>
#include <string_view>

#include "client/src/content/json_fields.h"
#include "client/src/json_writer.h"
#include "securebase/client/content.h"
#include "securebase/v1/content.pb.h"

namespace securebase::client {

content::v1::AvailabilityNotice EncodeAvailability(const Availability& availability);
Availability DecodeAvailability(const content::v1::AvailabilityNotice& notice);
// "" or a sentence naming "<what> text" / "<what> emergency guidance".
std::string ValidateAvailability(std::string_view what, const Availability& availability);
void WriteAvailabilityMembers(JsonWriter& writer, const Availability& availability);
Availability ReadAvailabilityMembers(JsonFields& fields);

}  // namespace securebase::client

#endif  // SECUREBASE_CLIENT_SRC_CONTENT_AVAILABILITY_H_
