// init, invite, accept, contacts, availability, export.
#include <chrono>
#include <iostream>
#include <optional>

#include "app.h"
#include "files.h"
#include "format.h"
#include "securebase/client/risk.h"

namespace securebase::cli {
namespace {

using client::Role;

constexpr uint32_t kDefaultInviteHours = 72;
constexpr uint32_t kMaxInviteHours = 30 * 24;

// Prints the change warnings of every contact that has one.
void WarnAboutChangedKeys(const std::vector<client::Contact>& contacts) {
  for (const client::Contact& c : contacts) {
    if (std::string w = IdentityChangeWarning(c); !w.empty()) {
      PrintNotice("securebase: " + w + "\n");
    }
  }
}

// A JSON array with one element per line.
std::string JsonArray(const std::vector<std::string>& elements) {
  if (elements.empty()) return "[]\n";
  std::string out = "[\n";
  for (size_t i = 0; i < elements.size(); ++i) {
    out += elements[i];
    out += i + 1 < elements.size() ? ",\n" : "\n";
  }
  return out + "]\n";
}

int RunInit(Context& ctx) {
  const std::optional<std::string> role_name = ctx.args().Get("role");
  const std::optional<std::string> name = ctx.args().Get("name");
  if (!role_name || !name)
    return ctx.UsageError("init needs --role client|therapist and --name NAME");
  Role role;
  if (*role_name == "client") {
    role = Role::kClient;
  } else if (*role_name == "therapist") {
    role = Role::kTherapist;
  } else {
    return ctx.UsageError("--role must be client or therapist");
  }
  if (client::Status invalid = client::ValidateContent(client::Profile{*name, std::nullopt});
      !invalid.ok()) {
    return ctx.UsageError("--name: " + invalid.message());
  }
  const std::string token = ctx.args().Get("registration-token").value_or("");
  int exit_code = kExitOk;
  std::unique_ptr<client::Client> client = ctx.Create(role, *name, token, exit_code);
  if (!client) return exit_code;
  std::cout << "Created a " << client::RoleName(role) << " account for "
            << Printable(client->display_name()) << ".\n"
            << "User id: " << client->user_id() << "\n"
            << "Vault:   " << Printable(ctx.options().home) << "\n";
  if (role == Role::kTherapist) {
    std::cout << "Next: `securebase invite` makes a one-time code for a client; give it to them "
                 "in person or over a channel you trust.\n";
  } else {
    std::cout << "Next: `securebase accept CODE` with the invite code your therapist gave you.\n";
  }
  return kExitOk;
}

int RunInvite(Context& ctx) {
  uint32_t hours = kDefaultInviteHours;
  std::string error;
  if (auto h = ctx.args().Get("expires-hours")) {
    if (!ParseUint(*h, 1, kMaxInviteHours, "--expires-hours", hours, error)) {
      return ctx.UsageError(error);
    }
  }
  int exit_code = kExitOk;
  auto client = ctx.Open(exit_code);
  if (!client) return exit_code;
  if (client->role() != Role::kTherapist) {
    PrintError("only therapists create invites; this account is a client");
    return kExitError;
  }
  auto code = client->CreateInvite(std::chrono::hours(hours));
  if (!code.ok()) return ctx.Fail(code.status());
  std::cout << *code << '\n' << std::flush;
  PrintNotice(
      "Give this code to your client in person or over a channel you trust. It works "
      "once and expires in " +
      std::to_string(hours) + " hours.\n");
  return kExitOk;
}

int RunAccept(Context& ctx) {
  int exit_code = kExitOk;
  auto client = ctx.Open(exit_code);
  if (!client) return exit_code;
  if (client->role() != Role::kClient) {
    PrintError("only clients accept invites; this account is a therapist");
    return kExitError;
  }
  auto contact = client->AcceptInvite(ctx.positional(0));
  if (!contact.ok()) return ctx.Fail(contact.status());
  std::cout << "Linked with " << Printable(client::ContactLabel(*contact)) << ", "
            << client::RoleName(contact->role)
            << ". Their key matched the one pinned in the invite, and your app proved yours to "
               "them.\n";
  if (contact->role == Role::kTherapist) PrintNotice(ctx.notices().Availability(*contact));
  return kExitOk;
}

int RunRotatePreKey(Context& ctx) {
  int exit_code = kExitOk;
  auto client = ctx.Open(exit_code);
  if (!client) return exit_code;
  const client::Status rotated = client->RotateSignedPreKey();
  if (!rotated.ok()) return ctx.Fail(rotated);
  std::cout << "Published a new signed prekey. The previous one is kept for 35 days for "
               "messages already on their way, then deleted.\n";
  return kExitOk;
}

int RunContacts(Context& ctx) {
  int exit_code = kExitOk;
  auto client = ctx.Open(exit_code);
  if (!client) return exit_code;
  auto contacts = client->Contacts();
  if (!contacts.ok()) return ctx.Fail(contacts.status());
  if (ctx.args().Has("json")) {
    std::vector<std::string> elements;
    for (const client::Contact& c : *contacts) elements.push_back(client::ContactToJson(c));
    std::cout << JsonArray(elements) << std::flush;
  } else if (contacts->empty()) {
    PrintNotice(client->role() == Role::kTherapist
                    ? "No clients yet: `securebase invite` makes an invite code.\n"
                    : "No therapist yet: `securebase accept CODE` with your invite code.\n");
  } else {
    for (const client::Contact& c : *contacts) std::cout << ContactLine(c) << '\n';
    std::cout.flush();
  }
  WarnAboutChangedKeys(*contacts);
  if (client->role() == Role::kClient) {
    for (const client::Contact& c : *contacts) {
      if (c.role == Role::kTherapist && c.linked) PrintNotice(ctx.notices().Availability(c));
    }
  }
  return kExitOk;
}

int RunAvailability(Context& ctx) {
  client::Availability availability;
  availability.text = ctx.args().Get("text").value_or("");
  if (!ctx.args().Has("text")) return ctx.UsageError("availability needs --text TEXT");
  availability.emergency_guidance =
      ctx.args()
          .Get("emergency")
          .value_or(std::string(client::CrisisResources().emergency_guidance));
  if (client::Status invalid = client::ValidateContent(availability); !invalid.ok()) {
    return ctx.UsageError(invalid.message());
  }
  int exit_code = kExitOk;
  auto client = ctx.Open(exit_code);
  if (!client) return exit_code;
  if (client->role() != Role::kTherapist) {
    PrintError("only therapists set an availability notice; this account is a client");
    return kExitError;
  }
  const client::Status status = client->SetAvailability(availability);
  if (!status.ok()) {
    return ctx.Fail(status, status.code() == client::ErrorCode::kUnavailable
                                ? "(saved; it goes out with the next `securebase sync`)"
                                : "");
  }
  std::cout << "Availability notice updated; your clients see it at their next sync.\n";
  return kExitOk;
}

int RunExport(Context& ctx) {
  const std::optional<std::string> out = ctx.args().Get("out");
  if (!out || out->empty()) return ctx.UsageError("export needs --out FILE");
  int exit_code = kExitOk;
  auto client = ctx.Open(exit_code);
  if (!client) return exit_code;
  auto json = client->ExportJson();
  if (!json.ok()) return ctx.Fail(json.status());
  std::string error;
  if (!WriteFileAtomically(*out, *json, 0600, error)) {
    PrintError(error);
    return kExitError;
  }
  std::cout << "Exported all local history to " << Printable(*out)
            << " (mode 0600; it is not encrypted: keep it safe).\n";
  return kExitOk;
}

}  // namespace

std::vector<Command> AccountCommands() {
  return {
      {"init",
       "init --role client|therapist --name NAME [--registration-token T]",
       "Create this device's vault and register a new account.",
       "Asks for a new passphrase twice (or reads SECUREBASE_PASSPHRASE). The passphrase\n"
       "unlocks the vault on this device; it cannot be recovered.\n"
       "  --role client|therapist   The account's role.\n"
       "  --name NAME               Your display name, shown to your contacts (sent end to end).\n"
       "  --registration-token T    A therapist registration token, if the server needs one.\n",
       {{"role", OptionKind::kValue},
        {"name", OptionKind::kValue},
        {"registration-token", OptionKind::kValue}},
       0,
       0,
       RunInit},
      {"invite",
       "invite [--expires-hours H]",
       "Therapist: make a one-time invite code for a client (printed alone on stdout).",
       "  --expires-hours H   How long the code is valid: 1-720 hours (default 72).\n"
       "The code pins your identity key, so the client's app verifies it is really you.\n",
       {{"expires-hours", OptionKind::kValue}},
       0,
       0,
       RunInvite},
      {"accept",
       "accept CODE",
       "Client: redeem a therapist's invite code and verify their key.",
       "",
       {},
       1,
       1,
       RunAccept},
      {"contacts",
       "contacts [--json]",
       "List your therapists or clients.",
       "  --json   A JSON array of contact objects (docs/CLIENT.md).\n",
       {{"json", OptionKind::kFlag}},
       0,
       0,
       RunContacts},
      {"availability",
       "availability --text TEXT [--emergency TEXT]",
       "Therapist: set the availability notice every client sees.",
       "  --text TEXT        Office hours, expected reply time, ...\n"
       "  --emergency TEXT   What to do in an emergency (default: a generic \"not for\n"
       "                     emergencies, call your local emergency number\").\n",
       {{"text", OptionKind::kValue}, {"emergency", OptionKind::kValue}},
       0,
       0,
       RunAvailability},
      {"rotate-prekey",
       "rotate-prekey",
       "Make and publish a new signed prekey now (sync does it weekly).",
       "Others start new conversations with this device from the new one. The replaced\n"
       "key is deleted 35 days later, with the record of first messages it accepted.\n",
       {},
       0,
       0,
       RunRotatePreKey},
      {"export",
       "export --out FILE",
       "Write all local history as JSON to FILE (mode 0600).",
       "The export document is described in docs/CLIENT.md. It is plaintext: store it\n"
       "somewhere safe.\n",
       {{"out", OptionKind::kValue}},
       0,
       0,
       RunExport},
  };
}

}  // namespace securebase::cli
