// A profile: who the sender is (a display name; a therapist's availability).
// Sent by the library itself after linking; it names the contact.
#include "client/src/content/availability.h"
#include "client/src/content/checks.h"
#include "client/src/content/content_type.h"
#include "securebase/client/utf8.h"

namespace securebase::client {

namespace pb = content::v1;

using Rules = ContentType<Profile>;

const char* Rules::Name() { return "profile"; }

std::string Rules::Validate(const Profile& p) {
  if (p.display_name.empty()) return "Profile display name is empty.";
  if (p.display_name.size() > kMaxDisplayNameBytes) {
    return "Profile display name is too long (at most 128 bytes).";
  }
  if (!IsValidUtf8(p.display_name) || !IsOneLine(p.display_name)) {
    return "Profile display name must be plain UTF-8 text on one line.";
  }
  return p.availability ? ValidateAvailability("Profile availability", *p.availability)
                        : std::string();
}

void Rules::Encode(const Profile& v, pb::Content& out) {
  pb::Profile* p = out.mutable_profile();
  p->set_display_name(v.display_name);
  if (v.availability) *p->mutable_availability() = EncodeAvailability(*v.availability);
}

std::optional<Profile> Rules::Decode(const pb::Content& in) {
  Profile p;
  p.display_name = in.profile().display_name();
  if (in.profile().has_availability()) {
    p.availability = DecodeAvailability(in.profile().availability());
  }
  return p;
}

void Rules::WriteJson(const Profile& p, JsonWriter& w) {
  w.Member("display_name", p.display_name);
  if (p.availability) {
    w.Key("availability");
    w.BeginObject();
    WriteAvailabilityMembers(w, *p.availability);
    w.EndObject();
  }
}

Profile Rules::ReadJson(JsonFields& in) {
  Profile p;
  p.display_name = in.Text("display_name", /*required=*/true);
  if (const JsonValue* object = in.Object("availability")) {
    JsonFields availability = in.Nested(*object, "profile \"availability\"");
    p.availability = ReadAvailabilityMembers(availability);
    availability.Finish();
  }
  return p;
}

Status Rules::CheckSendable(Role) {
  return Status(ErrorCode::kInvalidArgument, "profiles are sent by the library itself");
}

void Rules::FindRiskSignals(const Profile&, std::vector<RiskSignal>&) {}

}  // namespace securebase::client
