// Conversion between the public content structs (content.h) and the
// content.proto messages that travel inside ciphertexts. Private to client/.
#ifndef SECUREBASE_CLIENT_SRC_CONTENT_CODEC_H_
#define SECUREBASE_CLIENT_SRC_CONTENT_CODEC_H_

#include "securebase/client/content.h"
#include "securebase/v1/content.pb.h"

namespace securebase::client {

// Fills the oneof body of `out` (ids and timestamps are the caller's).
// InvalidContent cannot be encoded: returns false.
bool EncodeBody(const ContentBody& body, content::v1::Content& out);

// The body of a received Content, or InvalidContent naming the problem
// (unknown kind, failed validation). Never fails.
ContentBody DecodeBody(const content::v1::Content& content);

content::v1::AvailabilityNotice EncodeAvailability(const Availability& availability);
Availability DecodeAvailability(const content::v1::AvailabilityNotice& notice);

}  // namespace securebase::client

#endif  // SECUREBASE_CLIENT_SRC_CONTENT_CODEC_H_
