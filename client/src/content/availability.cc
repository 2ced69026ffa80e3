// A therapist's availability notice: office hours, expected reply time, and
// what to do in an emergency. Sent to every linked client, shown by apps.
#include "client/src/content/availability.h"

#include "client/src/content/checks.h"
#include "client/src/content/content_type.h"

namespace securebase::client {

namespace pb = content::v1;

pb::AvailabilityNotice EncodeAvailability(const Availability& availability) {
  pb::AvailabilityNotice notice;
  notice.set_text(availability.text);
  notice.set_emergency_guidance(availability.emergency_guidance);
  return notice;
}

Availability DecodeAvailability(const pb::AvailabilityNotice& notice) {
  return Availability{notice.text(), notice.emergency_guidance()};
}

std::string ValidateAvailability(std::string_view what, const Availability& a) {
  std::string error;
  if (CheckText(error, std::string(what) + " text", a.text, kMaxTextFieldBytes)) {
    CheckText(error, std::string(what) + " emergency guidance", a.emergency_guidance,
              kMaxTextFieldBytes);
  }
  return error;
}

void WriteAvailabilityMembers(JsonWriter& w, const Availability& a) {
  w.Member("text", a.text);
  w.Member("emergency_guidance", a.emergency_guidance);
}

Availability ReadAvailabilityMembers(JsonFields& in) {
  Availability a;
  a.text = in.Text("text");
  a.emergency_guidance = in.Text("emergency_guidance");
  return a;
}

using Rules = ContentType<Availability>;

const char* Rules::Name() { return "availability"; }

std::string Rules::Validate(const Availability& a) {
  return ValidateAvailability("Availability", a);
}

void Rules::Encode(const Availability& a, pb::Content& out) {
  *out.mutable_availability() = EncodeAvailability(a);
}

std::optional<Availability> Rules::Decode(const pb::Content& in) {
  return DecodeAvailability(in.availability());
}

void Rules::WriteJson(const Availability& a, JsonWriter& w) { WriteAvailabilityMembers(w, a); }

Availability Rules::ReadJson(JsonFields& in) { return ReadAvailabilityMembers(in); }

Status Rules::CheckSendable(Role) {
  return Status(ErrorCode::kInvalidArgument,
                "an availability notice goes to every client: use SetAvailability");
}

void Rules::FindRiskSignals(const Availability&, std::vector<RiskSignal>&) {}

}  // namespace securebase::client
