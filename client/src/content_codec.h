// Conversion between the public content structs (content.h) and the
// content.proto messages that travel inside ciphertexts. Private to client/.
#ifndef SECUREBASE_CLIENT_SRC_CONTENT_CODEC_H_
#define SECUREBASE_CLIENT_SRC_CONTENT_CODEC_H_

#include <string>

#include "securebase/client/content.h"
#include "securebase/client/role.h"
#include "securebase/v1/content.pb.h"

namespace securebase::client {

// Fills the oneof body of `out` (ids and timestamps are the caller's).
// InvalidContent cannot be encoded: returns false.
bool EncodeBody(const ContentBody& body, content::v1::Content& out);

// The body of a received Content, or InvalidContent naming the problem
// (unknown kind, failed validation). Never fails.
ContentBody DecodeBody(const content::v1::Content& content);

// The content of a stored history entry (serialized Content), or
// InvalidContent when it does not parse.
ContentBody DecodeStoredContent(const std::string& serialized);

// Whether receiving `body` owes its sender a delivered receipt (what a
// person wrote, not the library's own messages).
bool WantsDeliveredReceipt(const ContentBody& body);

// Whether an app may send `body` from an account of `role` through
// Client::Send: kPermissionDenied (a client's exercise), kInvalidArgument
// (what the library sends itself: receipts, profiles, availability).
Status CheckSendable(Role role, const ContentBody& body);

content::v1::AvailabilityNotice EncodeAvailability(const Availability& availability);
Availability DecodeAvailability(const content::v1::AvailabilityNotice& notice);

}  // namespace securebase::client

#endif  // SECUREBASE_CLIENT_SRC_CONTENT_CODEC_H_
