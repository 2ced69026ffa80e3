// send, checkin, reflect, assign.
#include <iostream>
#include <iterator>

#include "app.h"
#include "content_flags.h"
#include "format.h"
#include "securebase/client/risk.h"

namespace securebase::cli {
namespace {

using client::Role;

// Finds the peer, sends `content`, prints the new message id on stdout, and
// shows the notices that go with it on stderr: crisis resources at once when
// the content carries a risk signal (the library's, risk.h; the server never
// learns of it), and a therapist's availability notice.
int SendTo(Context& ctx, client::Client& client, const client::ContentBody& content) {
  const std::string& peer = ctx.positional(0);
  auto contact = client.FindContact(peer);
  if (!contact.ok()) return ctx.Fail(contact.status());
  if (std::string w = IdentityChangeWarning(*contact); !w.empty())
    PrintNotice("securebase: " + w + "\n");
  const bool to_therapist =
      client.role() == Role::kClient && contact->role == Role::kTherapist && contact->linked;
  if (!client::DetectRiskSignals(content).empty()) PrintNotice(ctx.notices().Crisis());
  client::Result<std::string> id = client.Send(peer, content);
  if (to_therapist) PrintNotice(ctx.notices().Availability(*contact));
  if (!id.ok()) {
    switch (id.status().code()) {
      case client::ErrorCode::kUnavailable:
        return ctx.Fail(id.status(),
                        "(the message is queued and goes out with the next `securebase sync`)");
      case client::ErrorCode::kIdentityChanged:
        return ctx.Fail(id.status(),
                        "(the message is held: compare safety numbers with `securebase "
                        "safety-number`, then `securebase trust` sends it)");
      default:
        return ctx.Fail(id.status());
    }
  }
  std::cout << *id << '\n';
  return kExitOk;
}

int RunSend(Context& ctx) {
  std::string text = ctx.positional(1);
  if (text == "-") {
    text.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  }
  const std::string reply_to = ctx.args().Get("reply-to").value_or("");
  if (client::Status invalid = client::ValidateContent(client::TextMessage{text, reply_to});
      !invalid.ok()) {
    return ctx.UsageError(invalid.message());
  }
  int exit_code = kExitOk;
  auto client = ctx.Open(exit_code);
  if (!client) return exit_code;
  return SendTo(ctx, *client, client::TextMessage{text, reply_to});
}

int RunCheckIn(Context& ctx) {
  client::CheckIn check_in;
  std::string error;
  if (!BuildCheckIn(ctx.args(), check_in, error)) return ctx.UsageError(error);
  if (client::Status invalid = client::ValidateContent(check_in); !invalid.ok()) {
    return ctx.UsageError(invalid.message());
  }
  int exit_code = kExitOk;
  auto client = ctx.Open(exit_code);
  if (!client) return exit_code;
  return SendTo(ctx, *client, check_in);
}

int RunReflect(Context& ctx) {
  client::Reflection reflection;
  std::string error;
  if (!BuildReflection(ctx.args(), reflection, error)) return ctx.UsageError(error);
  if (client::Status invalid = client::ValidateContent(reflection); !invalid.ok()) {
    return ctx.UsageError(invalid.message());
  }
  int exit_code = kExitOk;
  auto client = ctx.Open(exit_code);
  if (!client) return exit_code;
  return SendTo(ctx, *client, reflection);
}

int RunAssign(Context& ctx) {
  client::Exercise exercise;
  std::string error;
  if (!BuildExercise(ctx.args(), exercise, error)) return ctx.UsageError(error);
  if (client::Status invalid = client::ValidateContent(exercise); !invalid.ok()) {
    return ctx.UsageError(invalid.message());
  }
  int exit_code = kExitOk;
  auto client = ctx.Open(exit_code);
  if (!client) return exit_code;
  if (client->role() != Role::kTherapist) {
    PrintError("only therapists assign exercises; this account is a client");
    return kExitError;
  }
  return SendTo(ctx, *client, exercise);
}

// The help of reflect and assign lists the structured reflection kinds and
// their fields from the library's schema (client::ReflectionKinds()), so a
// new kind needs no change here. Built once; the Command table points into
// these strings for the program's lifetime.
std::string KindList(std::string_view separator) {
  std::string out;
  for (const client::ReflectionKindSchema& kind : client::ReflectionKinds()) {
    out += std::string(separator) + kind.name;
  }
  return out;
}

const std::string& ReflectUsage() {
  static const std::string usage = "reflect PEER --body TEXT [--prompt TEXT] [--kind free" +
                                   KindList("|") + "] [--field KEY=VALUE]...";
  return usage;
}

const std::string& ReflectDetails() {
  static const std::string details = [] {
    std::string out =
        "  --body TEXT      The reflection (required).\n"
        "  --prompt TEXT    The question or prompt it answers.\n"
        "  --kind KIND      free (default)" +
        KindList(", ") +
        ".\n"
        "  --field KEY=VALUE  A field of the structured kind; repeatable:\n";
    for (const client::ReflectionKindSchema& kind : client::ReflectionKinds()) {
      std::string line = "    " + kind.name + ":";
      for (size_t i = 0; i < kind.fields.size(); ++i) {
        const std::string key = " " + kind.fields[i].key + (i + 1 < kind.fields.size() ? "," : "");
        if (line.size() + key.size() > 86) {
          out += line + "\n";
          line = std::string(kind.name.size() + 5, ' ');
        }
        line += key;
      }
      out += line + "\n";
    }
    out +=
        "    Emotion fields (emotions_before, ...) take NAME:N,NAME:N (intensity 0-100) and\n"
        "    may be repeated to add more. KEY may also be written with '-' for '_'.\n"
        "  --exercise ID    The exercise this reflection answers.\n"
        "Prints the new message's id.\n";
    return out;
  }();
  return details;
}

const std::string& AssignDetails() {
  static const std::string details =
      "  --title TITLE         A short title (required).\n"
      "  --instructions TEXT   What to do (required).\n"
      "  --kind KIND           What the client sends back: free (default), check-in" +
      KindList(", ") +
      ".\n"
      "  --every day|week      Recurring exercise.\n"
      "  --due YYYY-MM-DD      Due date.\n"
      "Prints the new message's id.\n";
  return details;
}

}  // namespace

std::vector<Command> MessagingCommands() {
  return {
      {"send",
       "send PEER TEXT [--reply-to MESSAGE_ID]",
       "Send a text message.",
       "TEXT \"-\" reads the message from standard input. Prints the new message's id.\n"
       "  --reply-to ID   The id of the message this answers.\n",
       {{"reply-to", OptionKind::kValue}},
       2,
       2,
       RunSend},
      {"checkin",
       "checkin PEER --mood N [--emotion NAME=INTENSITY]... [--energy N] "
       "[--sleep HOURS] [--helped TEXT] [--note TEXT]",
       "Send a check-in: mood, emotions, energy, sleep, what helped, a note.",
       "  --mood N                  Mood 0-10 (required).\n"
       "  --emotion NAME=INTENSITY  A named emotion, intensity 0-100; repeatable.\n"
       "  --energy N                Energy 0-10.\n"
       "  --sleep HOURS             Hours slept, 0-24 (e.g. 7.5).\n"
       "  --helped TEXT             What helped you regulate.\n"
       "  --note TEXT               Anything else.\n"
       "  --phq9 S1,...,S9          PHQ-9 answers: 9 item scores 0-3.\n"
       "  --gad7 S1,...,S7          GAD-7 answers: 7 item scores 0-3.\n"
       "  --exercise ID             The exercise this check-in answers.\n"
       "Prints the new message's id.\n",
       {{"mood", OptionKind::kValue},
        {"emotion", OptionKind::kRepeated},
        {"energy", OptionKind::kValue},
        {"sleep", OptionKind::kValue},
        {"helped", OptionKind::kValue},
        {"note", OptionKind::kValue},
        {"phq9", OptionKind::kValue},
        {"gad7", OptionKind::kValue},
        {"exercise", OptionKind::kValue}},
       1,
       1,
       RunCheckIn},
      {"reflect",
       ReflectUsage(),
       "Send a reflection: free-form or structured.",
       ReflectDetails(),
       {{"body", OptionKind::kValue},
        {"prompt", OptionKind::kValue},
        {"kind", OptionKind::kValue},
        {"field", OptionKind::kRepeated},
        {"exercise", OptionKind::kValue}},
       1,
       1,
       RunReflect},
      {"assign",
       "assign PEER --title TITLE --instructions TEXT [--kind KIND] "
       "[--every day|week] [--due YYYY-MM-DD]",
       "Therapist: assign an exercise to a client.",
       AssignDetails(),
       {{"title", OptionKind::kValue},
        {"instructions", OptionKind::kValue},
        {"kind", OptionKind::kValue},
        {"every", OptionKind::kValue},
        {"due", OptionKind::kValue}},
       1,
       1,
       RunAssign},
  };
}

}  // namespace securebase::cli
