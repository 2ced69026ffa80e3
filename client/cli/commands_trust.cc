// safety-number, verify, trust, end.
#include <iostream>

#include "app.h"
#include "format.h"

namespace securebase::cli {
namespace {

// The contact's printable name with its verification state, for
// confirmations.
std::string NameOf(client::Client& client, const std::string& peer) {
  auto contact = client.FindContact(peer);
  if (contact.ok()) return Printable(client::ContactLabel(*contact));
  return Printable(peer);
}

int RunSafetyNumber(Context& ctx) {
  const std::string& peer = ctx.positional(0);
  int exit_code = kExitOk;
  auto client = ctx.Open(exit_code);
  if (!client) return exit_code;
  auto contact = client->FindContact(peer);
  if (!contact.ok()) return ctx.Fail(contact.status());
  auto number = client->SafetyNumber(peer);
  if (!number.ok()) return ctx.Fail(number.status());
  std::cout << *number << '\n' << std::flush;
  const std::string name = Printable(client::ContactLabel(*contact));
  if (std::string w = IdentityChangeWarning(*contact); !w.empty()) {
    PrintNotice("securebase: " + w + "\n");
  }
  PrintNotice("Compare these digits with " + name +
              " in person or on a call you trust. If they match, run `securebase verify`; if "
              "not, do not send anything sensitive.\n");
  return kExitOk;
}

int RunVerify(Context& ctx) {
  const std::string& peer = ctx.positional(0);
  int exit_code = kExitOk;
  auto client = ctx.Open(exit_code);
  if (!client) return exit_code;
  const client::Status status = client->Verify(peer);
  if (!status.ok()) return ctx.Fail(status);
  std::cout << NameOf(*client, peer)
            << ". You will be warned, and sends will wait, if their key changes.\n";
  return kExitOk;
}

int RunTrust(Context& ctx) {
  const std::string& peer = ctx.positional(0);
  int exit_code = kExitOk;
  auto client = ctx.Open(exit_code);
  if (!client) return exit_code;
  auto contact = client->FindContact(peer);
  if (!contact.ok()) return ctx.Fail(contact.status());
  if (!contact->identity_changed && !contact->sends_held) {
    std::cout << NameOf(*client, peer) << "'s key has not changed; there is nothing to accept.\n";
    return kExitOk;
  }
  const client::Status status = client->Trust(peer);
  if (!status.ok()) return ctx.Fail(status);
  std::cout << "Accepted the new key of " << NameOf(*client, peer)
            << ". What arrived under it is shown now, and held messages go out (with the next "
               "`securebase sync` if the server is unreachable). Compare safety numbers and run "
               "`securebase verify` to mark them verified again.\n";
  return kExitOk;
}

int RunEnd(Context& ctx) {
  const std::string& peer = ctx.positional(0);
  int exit_code = kExitOk;
  auto client = ctx.Open(exit_code);
  if (!client) return exit_code;
  const std::string name = NameOf(*client, peer);
  const client::Status status = client->EndLink(peer);
  if (!status.ok()) return ctx.Fail(status);
  std::cout << "Ended the care link with " << name
            << ". Your history stays in this vault (`securebase export` saves a copy).\n";
  return kExitOk;
}

}  // namespace

std::vector<Command> TrustCommands() {
  return {
      {"safety-number",
       "safety-number PEER",
       "Show the safety number to compare with a contact.",
       "60 digits in 12 groups, the same on both sides. Compare them in person or on a\n"
       "call; if they match, run `securebase verify PEER`.\n",
       {},
       1,
       1,
       RunSafetyNumber},
      {"verify",
       "verify PEER",
       "Mark a contact verified after comparing safety numbers.",
       "Also accepts a changed key, as `trust` does: only do this after the numbers match.\n",
       {},
       1,
       1,
       RunVerify},
      {"trust",
       "trust PEER",
       "Accept a contact's changed key (after comparing safety numbers again).",
       "Messages that arrived under the new key are shown, and messages held because of the\n"
       "change go out. The contact stays unverified until `securebase verify`.\n",
       {},
       1,
       1,
       RunTrust},
      {"end",
       "end PEER",
       "End the care link with a contact (either side).",
       "The server then refuses messages between you. Your history stays in the vault.\n",
       {},
       1,
       1,
       RunEnd},
  };
}

}  // namespace securebase::cli
