// send, checkin, reflect, assign.
#include <iostream>
#include <iterator>

#include "app.h"
#include "content_flags.h"
#include "format.h"

namespace securebase::cli {
namespace {

using client::Role;

// Opens the vault, finds the peer, sends with `send`, prints the new message
// id on stdout, and shows the notices that go with it on stderr.
template <typename SendFn>
int SendTo(Context& ctx, client::Client& client, SendFn send) {
  const std::string& peer = ctx.positional(0);
  auto contact = client.FindContact(peer);
  if (!contact.ok()) return ctx.Fail(contact.status());
  if (std::string w = IdentityChangeWarning(*contact); !w.empty())
    PrintNotice("securebase: " + w + "\n");
  const bool to_therapist =
      client.role() == Role::kClient && contact->role == Role::kTherapist && contact->linked;
  client::Result<std::string> id = send(client, peer);
  if (to_therapist) PrintNotice(AvailabilityNotice(*contact));
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
  return SendTo(ctx, *client, [&](client::Client& c, const std::string& peer) {
    return c.SendText(peer, text, reply_to);
  });
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
  // A risk signal shows crisis resources on this device at once; the server
  // never learns of it.
  if (HasSelfHarmSignal(check_in)) PrintNotice(std::string(kCrisisResources) + "\n");
  return SendTo(ctx, *client, [&](client::Client& c, const std::string& peer) {
    return c.SendCheckIn(peer, check_in);
  });
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
  return SendTo(ctx, *client, [&](client::Client& c, const std::string& peer) {
    return c.SendReflection(peer, reflection);
  });
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
  return SendTo(ctx, *client, [&](client::Client& c, const std::string& peer) {
    return c.AssignExercise(peer, exercise);
  });
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
       "reflect PEER --body TEXT [--prompt TEXT] "
       "[--kind free|thought-record|mentalisation|communication] "
       "[--field KEY=VALUE]...",
       "Send a reflection: free-form or structured.",
       "  --body TEXT      The reflection (required).\n"
       "  --prompt TEXT    The question or prompt it answers.\n"
       "  --kind KIND      free (default), thought-record, mentalisation, communication.\n"
       "  --field KEY=VALUE  A field of the structured kind; repeatable:\n"
       "    thought-record: situation, automatic_thought, emotions_before, evidence_for,\n"
       "                    evidence_against, balanced_thought, emotions_after\n"
       "    mentalisation:  my_feelings, my_needs, other_felt, other_thought,\n"
       "                    other_intended, other_readings\n"
       "    communication:  need, boundary, what_i_said, what_happened\n"
       "    emotions_before/emotions_after take NAME:N,NAME:N (intensity 0-100) and may\n"
       "    be repeated to add more. KEY may also be written with '-' for '_'.\n"
       "  --exercise ID    The exercise this reflection answers.\n"
       "Prints the new message's id.\n",
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
       "  --title TITLE         A short title (required).\n"
       "  --instructions TEXT   What to do (required).\n"
       "  --kind KIND           What the client sends back: free (default), check-in,\n"
       "                        thought-record, mentalisation, communication.\n"
       "  --every day|week      Recurring exercise.\n"
       "  --due YYYY-MM-DD      Due date.\n"
       "Prints the new message's id.\n",
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
