// sync [--watch] [--json], history PEER [--json].
#include <signal.h>

#include <atomic>
#include <iostream>

#include "app.h"
#include "format.h"

namespace securebase::cli {
namespace {

// Set by SIGINT/SIGTERM while `sync --watch` runs. Lock-free, so storing to it
// from a signal handler is safe.
std::atomic<bool> g_stop{false};
static_assert(std::atomic<bool>::is_always_lock_free);

void OnStopSignal(int) { g_stop.store(true); }

// SA_RESETHAND: a second Ctrl-C ends the process even if the library is slow
// to notice the flag.
void InstallStopHandlers() {
  struct sigaction action {};
  action.sa_handler = OnStopSignal;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESETHAND;
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
}

Names NamesOf(client::Client& client) {
  Names names(client.user_id());
  auto contacts = client.Contacts();
  if (contacts.ok()) {
    for (const client::Contact& c : *contacts) names.Add(c);
  }
  return names;
}

void PrintItem(const client::HistoryItem& item, const Names& names, bool json) {
  if (json) {
    std::cout << client::HistoryItemToJson(item) << '\n' << std::flush;
  } else {
    std::cout << ItemLine(item, names) << '\n' << std::flush;
  }
}

int Watch(Context& ctx, client::Client& client, bool json) {
  Names names = NamesOf(client);
  InstallStopHandlers();
  PrintNotice("Watching for new messages; Ctrl-C stops.\n");
  const client::Status status = client.Watch(
      [&](const client::HistoryItem& item) {
        // A profile names its sender from now on (with its state).
        if (std::holds_alternative<client::Profile>(item.content)) {
          auto contact = client.FindContact(item.sender_user_id);
          if (contact.ok()) names.Add(*contact);
        }
        PrintItem(item, names, json);
      },
      g_stop, [](const std::string& warning) { PrintNotice("Warning: " + warning + "\n"); });
  if (g_stop.load()) return kExitOk;  // Stopped by a signal: a normal end.
  if (!status.ok()) return ctx.Fail(status, "(nothing was lost)");
  return kExitOk;
}

int RunSync(Context& ctx) {
  const bool json = ctx.args().Has("json");
  int exit_code = kExitOk;
  auto client = ctx.Open(exit_code);
  if (!client) return exit_code;
  if (ctx.args().Has("watch")) return Watch(ctx, *client, json);
  auto result = client->Sync();
  if (!result.ok()) {
    return ctx.Fail(result.status(), result.status().code() == client::ErrorCode::kUnavailable
                                         ? "(nothing was lost; try again later)"
                                         : "");
  }
  for (const std::string& warning : result->warnings) PrintWarning(Printable(warning));
  const Names names = NamesOf(*client);
  for (const client::HistoryItem& item : result->new_items) PrintItem(item, names, json);
  if (result->new_items.empty() && !json) PrintNotice("No new messages.\n");
  return kExitOk;
}

int RunHistory(Context& ctx) {
  const std::string& peer = ctx.positional(0);
  const bool json = ctx.args().Has("json");
  int exit_code = kExitOk;
  auto client = ctx.Open(exit_code);
  if (!client) return exit_code;
  auto contact = client->FindContact(peer);
  if (!contact.ok()) return ctx.Fail(contact.status());
  auto items = client->History(peer);
  if (!items.ok()) return ctx.Fail(items.status());
  if (json) {
    std::string out = items->empty() ? "[]\n" : "[\n";
    for (size_t i = 0; i < items->size(); ++i) {
      out += client::HistoryItemToJson((*items)[i]);
      out += i + 1 < items->size() ? ",\n" : "\n]\n";
    }
    std::cout << out << std::flush;
  } else {
    Names names(client->user_id());
    names.Add(*contact);
    for (const client::HistoryItem& item : *items) std::cout << ItemTranscript(item, names);
    std::cout.flush();
    if (items->empty()) PrintNotice("No messages yet.\n");
  }
  if (std::string w = IdentityChangeWarning(*contact); !w.empty()) {
    PrintNotice("securebase: " + w + "\n");
  }
  // Read receipts only when a person was shown the messages.
  bool unread = false;
  for (const client::HistoryItem& item : *items) {
    unread |= item.direction == client::Direction::kIncoming &&
              item.state != client::DeliveryState::kRead;
  }
  if (!json && unread) {
    const client::Status status = client->MarkRead(peer);
    if (!status.ok()) {
      PrintWarning("could not send read receipts: " + Printable(status.message()));
    }
  }
  return kExitOk;
}

}  // namespace

std::vector<Command> SyncCommands() {
  return {
      {"sync",
       "sync [--watch] [--json]",
       "Send queued messages, then receive, one line per new item.",
       "  --watch   Stay connected and print new items as they arrive, until Ctrl-C\n"
       "            (SIGINT) or SIGTERM; exits 0 then.\n"
       "  --json    One JSON history item per line (JSON Lines) instead of text.\n",
       {{"watch", OptionKind::kFlag}, {"json", OptionKind::kFlag}},
       0,
       0,
       RunSync},
      {"history",
       "history PEER [--json]",
       "Show the conversation with a contact.",
       "  --json   A JSON array of history items, oldest first (docs/CLIENT.md).\n"
       "Without --json, showing the conversation marks it read and sends read receipts.\n",
       {{"json", OptionKind::kFlag}},
       1,
       1,
       RunHistory},
  };
}

}  // namespace securebase::cli
