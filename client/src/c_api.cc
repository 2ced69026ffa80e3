// The C binding (securebase.h) over the C++ Client. Only conversions live
// here: C strings in, malloc'd copies out, Status to sb_error plus a
// thread-local message.
#include <malloc.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

#include "content/availability.h"
#include "json_writer.h"
#include "securebase/client/client.h"
#include "securebase/client/risk.h"
#include "securebase/client/securebase.h"
#include "securebase/crypto/secret.h"

namespace client = securebase::client;
namespace crypto = securebase::crypto;

struct sb_client {
  std::unique_ptr<client::Client> impl;
  // Set by sb_stop_watch; lock-free, so setting it is async-signal-safe.
  std::atomic<bool> stop{false};
};

namespace {

using client::ErrorCode;

// The C enum mirrors ErrorCode value for value.
static_assert(SB_OK == static_cast<int>(ErrorCode::kOk));
static_assert(SB_ERR_INVALID_ARGUMENT == static_cast<int>(ErrorCode::kInvalidArgument));
static_assert(SB_ERR_NOT_FOUND == static_cast<int>(ErrorCode::kNotFound));
static_assert(SB_ERR_ALREADY_EXISTS == static_cast<int>(ErrorCode::kAlreadyExists));
static_assert(SB_ERR_PERMISSION_DENIED == static_cast<int>(ErrorCode::kPermissionDenied));
static_assert(SB_ERR_UNAUTHENTICATED == static_cast<int>(ErrorCode::kUnauthenticated));
static_assert(SB_ERR_UNAVAILABLE == static_cast<int>(ErrorCode::kUnavailable));
static_assert(SB_ERR_FAILED_PRECONDITION == static_cast<int>(ErrorCode::kFailedPrecondition));
static_assert(SB_ERR_RESOURCE_EXHAUSTED == static_cast<int>(ErrorCode::kResourceExhausted));
static_assert(SB_ERR_WRONG_PASSPHRASE == static_cast<int>(ErrorCode::kWrongPassphrase));
static_assert(SB_ERR_VAULT_CORRUPTED == static_cast<int>(ErrorCode::kVaultCorrupted));
static_assert(SB_ERR_VAULT_BUSY == static_cast<int>(ErrorCode::kVaultBusy));
static_assert(SB_ERR_IDENTITY_CHANGED == static_cast<int>(ErrorCode::kIdentityChanged));
static_assert(SB_ERR_INVALID_INVITE == static_cast<int>(ErrorCode::kInvalidInvite));
static_assert(SB_ERR_INTERNAL == static_cast<int>(ErrorCode::kInternal));
static_assert(SB_ERR_INVALID_SERVER_RESPONSE ==
              static_cast<int>(ErrorCode::kInvalidServerResponse));
static_assert(SB_ROLE_CLIENT == static_cast<int>(client::Role::kClient));
static_assert(SB_ROLE_THERAPIST == static_cast<int>(client::Role::kTherapist));

// The integer a C caller passed as an enum. Read through the object
// representation: a C caller may pass any int, and loading a value outside a
// C++ enum's range as that enum type would be undefined behaviour.
template <typename Enum>
int64_t RawEnum(const Enum& value) {
  std::underlying_type_t<Enum> raw;
  static_assert(sizeof(raw) == sizeof(value));
  std::memcpy(&raw, &value, sizeof(raw));
  return static_cast<int64_t>(static_cast<int32_t>(raw));
}

thread_local std::string g_last_error;

sb_error Succeed() {
  g_last_error.clear();
  return SB_OK;
}

sb_error Fail(sb_error code, std::string message) {
  g_last_error = std::move(message);
  return code;
}

sb_error Fail(const client::Status& status) {
  const int code = static_cast<int>(status.code());
  if (status.ok() || code < SB_OK || code > SB_ERR_INVALID_SERVER_RESPONSE) {
    return Fail(SB_ERR_INTERNAL, "Unexpected error code from the client library.");
  }
  return Fail(static_cast<sb_error>(code), status.message());
}

sb_error MissingArgument(const char* name) {
  return Fail(SB_ERR_INVALID_ARGUMENT, std::string(name) + " must not be NULL.");
}

// Copies `value` into a malloc'd, NUL-terminated string owned by the caller.
sb_error CopyOut(std::string_view value, char** out) {
  char* copy = static_cast<char*>(std::malloc(value.size() + 1));
  if (copy == nullptr) return Fail(SB_ERR_RESOURCE_EXHAUSTED, "Out of memory.");
  std::memcpy(copy, value.data(), value.size());
  copy[value.size()] = '\0';
  *out = copy;
  return Succeed();
}

std::string_view OrEmpty(const char* s) {
  return s != nullptr ? std::string_view(s) : std::string_view();
}

sb_error ToOptions(const sb_options* in, client::ClientOptions& out) {
  if (in == nullptr) return MissingArgument("options");
  // Only read the fields the caller's struct has (struct_size).
  if (in->struct_size < offsetof(sb_options, passphrase_cost) + sizeof(in->passphrase_cost)) {
    return Fail(SB_ERR_INVALID_ARGUMENT, "options were not initialised with sb_options_init.");
  }
  if (in->home == nullptr || in->home[0] == '\0') {
    return Fail(SB_ERR_INVALID_ARGUMENT, "options.home must name the vault directory.");
  }
  out.home = in->home;
  if (in->server_address != nullptr) out.server_address = in->server_address;
  if (in->ca_file != nullptr) out.ca_file = in->ca_file;
  out.insecure_loopback = in->insecure_loopback != 0;
  if (in->rpc_timeout_ms != 0) out.rpc_timeout = std::chrono::milliseconds(in->rpc_timeout_ms);
  if (in->lock_timeout_ms != 0) out.lock_timeout = std::chrono::milliseconds(in->lock_timeout_ms);
  switch (RawEnum(in->passphrase_cost)) {
    case SB_PASSPHRASE_COST_MODERATE:
      out.passphrase_cost = client::PassphraseCost::kModerate;
      break;
    case SB_PASSPHRASE_COST_INTERACTIVE:
      out.passphrase_cost = client::PassphraseCost::kInteractive;
      break;
    case SB_PASSPHRASE_COST_MINIMUM_FOR_TESTS:
      out.passphrase_cost = client::PassphraseCost::kMinimumForTests;
      break;
    default:
      return Fail(SB_ERR_INVALID_ARGUMENT, "options.passphrase_cost is not a known value.");
  }
  // Fields appended later: read only when the caller's struct has them.
  if (in->struct_size >= offsetof(sb_options, vault_access) + sizeof(in->vault_access)) {
    switch (RawEnum(in->vault_access)) {
      case SB_VAULT_ACCESS_PER_CALL:
        out.vault_access = client::VaultAccess::kPerCall;
        break;
      case SB_VAULT_ACCESS_EXCLUSIVE:
        out.vault_access = client::VaultAccess::kExclusive;
        break;
      default:
        return Fail(SB_ERR_INVALID_ARGUMENT, "options.vault_access is not a known value.");
    }
  }
  return SB_OK;
}

const char* RiskKindName(client::RiskSignalKind kind) {
  return kind == client::RiskSignalKind::kSelfHarmItem ? "self_harm_item" : "self_harm_words";
}

// Shared checks of every per-handle call: a handle, and out-params cleared.
#define SB_REQUIRE(ptr)                                 \
  do {                                                  \
    if ((ptr) == nullptr) return MissingArgument(#ptr); \
  } while (false)

sb_error FinishSend(const client::Result<std::string>& result, char** out_message_id) {
  if (!result.ok()) return Fail(result.status());
  if (out_message_id == nullptr) return Succeed();
  return CopyOut(*result, out_message_id);
}

sb_error FinishStatus(const client::Status& status) {
  return status.ok() ? Succeed() : Fail(status);
}

}  // namespace

extern "C" {

const char* sb_error_name(sb_error code) {
  // The same names as client::ErrorCodeName (a unit test checks), kept here
  // as C strings so the pointers are NUL-terminated and static.
  static constexpr const char* kNames[] = {"ok",
                                           "invalid_argument",
                                           "not_found",
                                           "already_exists",
                                           "permission_denied",
                                           "unauthenticated",
                                           "unavailable",
                                           "failed_precondition",
                                           "resource_exhausted",
                                           "wrong_passphrase",
                                           "vault_corrupted",
                                           "vault_busy",
                                           "identity_changed",
                                           "invalid_invite",
                                           "internal",
                                           "invalid_server_response"};
  static_assert(sizeof(kNames) / sizeof(kNames[0]) == SB_ERR_INVALID_SERVER_RESPONSE + 1);
  const int64_t value = RawEnum(code);
  if (value < SB_OK || value > SB_ERR_INVALID_SERVER_RESPONSE) return "unknown";
  return kNames[value];
}

const char* sb_last_error_message(void) { return g_last_error.c_str(); }

void sb_free(void* ptr) {
  if (ptr == nullptr) return;
  // What the library returns may be what a person wrote: wiped on all paths.
  crypto::SecureWipe(ptr, malloc_usable_size(ptr));
  std::free(ptr);
}

void sb_options_init(sb_options* options) {
  if (options == nullptr) return;
  *options = sb_options{};
  options->struct_size = sizeof(sb_options);
  options->passphrase_cost = SB_PASSPHRASE_COST_MODERATE;
  options->vault_access = SB_VAULT_ACCESS_PER_CALL;
}

sb_error sb_client_create(const sb_options* options, const char* passphrase, sb_role role,
                          const char* display_name, const char* registration_token,
                          sb_client** out_client) {
  SB_REQUIRE(out_client);
  *out_client = nullptr;
  client::ClientOptions opts;
  if (sb_error e = ToOptions(options, opts); e != SB_OK) return e;
  SB_REQUIRE(passphrase);
  SB_REQUIRE(display_name);
  client::Role cpp_role;
  switch (RawEnum(role)) {
    case SB_ROLE_CLIENT:
      cpp_role = client::Role::kClient;
      break;
    case SB_ROLE_THERAPIST:
      cpp_role = client::Role::kTherapist;
      break;
    default:
      return Fail(SB_ERR_INVALID_ARGUMENT, "role is not a known value.");
  }
  auto result =
      client::Client::Create(opts, passphrase, cpp_role, display_name, OrEmpty(registration_token));
  if (!result.ok()) return Fail(result.status());
  auto handle = std::make_unique<sb_client>();
  handle->impl = std::move(result).value();
  *out_client = handle.release();
  return Succeed();
}

sb_error sb_client_open(const sb_options* options, const char* passphrase, sb_client** out_client) {
  SB_REQUIRE(out_client);
  *out_client = nullptr;
  client::ClientOptions opts;
  if (sb_error e = ToOptions(options, opts); e != SB_OK) return e;
  SB_REQUIRE(passphrase);
  auto result = client::Client::Open(opts, passphrase);
  if (!result.ok()) return Fail(result.status());
  auto handle = std::make_unique<sb_client>();
  handle->impl = std::move(result).value();
  *out_client = handle.release();
  return Succeed();
}

void sb_client_close(sb_client* client) { delete client; }

sb_error sb_client_user_id(sb_client* client, char** out_user_id) {
  SB_REQUIRE(out_user_id);
  *out_user_id = nullptr;
  SB_REQUIRE(client);
  return CopyOut(client->impl->user_id(), out_user_id);
}

sb_error sb_client_role(sb_client* client, sb_role* out_role) {
  SB_REQUIRE(out_role);
  SB_REQUIRE(client);
  *out_role = client->impl->role() == client::Role::kTherapist ? SB_ROLE_THERAPIST : SB_ROLE_CLIENT;
  return Succeed();
}

sb_error sb_client_display_name(sb_client* client, char** out_name) {
  SB_REQUIRE(out_name);
  *out_name = nullptr;
  SB_REQUIRE(client);
  return CopyOut(client->impl->display_name(), out_name);
}

sb_error sb_create_invite(sb_client* client, uint32_t expires_hours, char** out_code) {
  SB_REQUIRE(out_code);
  *out_code = nullptr;
  SB_REQUIRE(client);
  if (expires_hours == 0) return Fail(SB_ERR_INVALID_ARGUMENT, "expires_hours must be positive.");
  auto result = client->impl->CreateInvite(std::chrono::hours(expires_hours));
  if (!result.ok()) return Fail(result.status());
  return CopyOut(*result, out_code);
}

sb_error sb_accept_invite(sb_client* client, const char* code, char** out_contact_json) {
  if (out_contact_json != nullptr) *out_contact_json = nullptr;
  SB_REQUIRE(client);
  SB_REQUIRE(code);
  auto result = client->impl->AcceptInvite(code);
  if (!result.ok()) return Fail(result.status());
  if (out_contact_json == nullptr) return Succeed();
  return CopyOut(client::ContactToJson(*result), out_contact_json);
}

sb_error sb_contacts_json(sb_client* client, char** out_json) {
  SB_REQUIRE(out_json);
  *out_json = nullptr;
  SB_REQUIRE(client);
  auto result = client->impl->Contacts();
  if (!result.ok()) return Fail(result.status());
  client::JsonWriter w;
  w.BeginArray();
  for (const client::Contact& c : *result) {
    w.BeginObject();
    client::WriteContactMembers(w, c);
    w.EndObject();
  }
  w.EndArray();
  return CopyOut(w.str(), out_json);
}

sb_error sb_find_contact_json(sb_client* client, const char* peer, char** out_json) {
  SB_REQUIRE(out_json);
  *out_json = nullptr;
  SB_REQUIRE(client);
  SB_REQUIRE(peer);
  auto result = client->impl->FindContact(peer);
  if (!result.ok()) return Fail(result.status());
  return CopyOut(client::ContactToJson(*result), out_json);
}

sb_error sb_end_link(sb_client* client, const char* peer) {
  SB_REQUIRE(client);
  SB_REQUIRE(peer);
  return FinishStatus(client->impl->EndLink(peer));
}

sb_error sb_send(sb_client* client, const char* peer, const char* content_json,
                 char** out_message_id) {
  if (out_message_id != nullptr) *out_message_id = nullptr;
  SB_REQUIRE(client);
  SB_REQUIRE(peer);
  SB_REQUIRE(content_json);
  auto content = client::ContentFromJson(content_json);
  if (!content.ok()) return Fail(content.status());
  return FinishSend(client->impl->Send(peer, *content), out_message_id);
}

sb_error sb_validate_content_json(const char* content_json) {
  SB_REQUIRE(content_json);
  auto content = client::ContentFromJson(content_json);
  return content.ok() ? Succeed() : Fail(content.status());
}

sb_error sb_risk_signals_json(const char* content_json, char** out_json) {
  SB_REQUIRE(out_json);
  *out_json = nullptr;
  SB_REQUIRE(content_json);
  auto content = client::ContentFromJson(content_json);
  if (!content.ok()) return Fail(content.status());
  client::JsonWriter w;
  w.BeginArray();
  for (const client::RiskSignal& signal : client::DetectRiskSignals(*content)) {
    w.BeginObject();
    w.Member("kind", RiskKindName(signal.kind));
    w.Member("where", signal.where);
    w.EndObject();
  }
  w.EndArray();
  return CopyOut(w.str(), out_json);
}

sb_error sb_crisis_prompt_json(char** out_json) {
  SB_REQUIRE(out_json);
  const client::CrisisPrompt& prompt = client::CrisisResources();
  client::JsonWriter w;
  w.BeginObject();
  w.Member("title", prompt.title);
  w.Member("message", prompt.message);
  w.Member("attention", prompt.attention);
  w.Member("emergency_guidance", prompt.emergency_guidance);
  w.EndObject();
  return CopyOut(w.str(), out_json);
}

sb_error sb_reflection_kinds_json(char** out_json) {
  SB_REQUIRE(out_json);
  client::JsonWriter w;
  w.BeginArray();
  for (const client::ReflectionKindSchema& kind : client::ReflectionKinds()) {
    w.BeginObject();
    w.Member("name", kind.name);
    w.Member("title", kind.title);
    w.Member("json_key", kind.json_key);
    w.Key("fields");
    w.BeginArray();
    for (const client::ReflectionFieldSchema& field : kind.fields) {
      w.BeginObject();
      w.Member("key", field.key);
      w.Member("label", field.label);
      w.Member("type", field.type == client::ReflectionFieldType::kText ? "text" : "emotions");
      w.EndObject();
    }
    w.EndArray();
    w.EndObject();
  }
  w.EndArray();
  return CopyOut(w.str(), out_json);
}

sb_error sb_send_text(sb_client* client, const char* peer, const char* text,
                      char** out_message_id) {
  if (out_message_id != nullptr) *out_message_id = nullptr;
  SB_REQUIRE(client);
  SB_REQUIRE(peer);
  SB_REQUIRE(text);
  return FinishSend(client->impl->SendText(peer, text), out_message_id);
}

sb_error sb_send_checkin(sb_client* client, const char* peer, uint32_t mood, const char* note,
                         const sb_emotion* emotions, size_t emotion_count, char** out_message_id) {
  if (out_message_id != nullptr) *out_message_id = nullptr;
  SB_REQUIRE(client);
  SB_REQUIRE(peer);
  if (emotion_count > 0) SB_REQUIRE(emotions);
  client::CheckIn check_in;
  check_in.mood = mood;
  check_in.note = OrEmpty(note);
  for (size_t i = 0; i < emotion_count; ++i) {
    if (emotions[i].name == nullptr) return MissingArgument("emotions[i].name");
    check_in.emotions.push_back(client::Emotion{emotions[i].name, emotions[i].intensity});
  }
  return FinishSend(client->impl->SendCheckIn(peer, check_in), out_message_id);
}

sb_error sb_send_reflection(sb_client* client, const char* peer, const char* prompt,
                            const char* body, char** out_message_id) {
  if (out_message_id != nullptr) *out_message_id = nullptr;
  SB_REQUIRE(client);
  SB_REQUIRE(peer);
  SB_REQUIRE(body);
  client::Reflection reflection;
  reflection.kind = "free";
  reflection.prompt = OrEmpty(prompt);
  reflection.body = body;
  return FinishSend(client->impl->SendReflection(peer, reflection), out_message_id);
}

sb_error sb_assign_exercise(sb_client* client, const char* peer, const char* title,
                            const char* instructions, char** out_message_id) {
  if (out_message_id != nullptr) *out_message_id = nullptr;
  SB_REQUIRE(client);
  SB_REQUIRE(peer);
  SB_REQUIRE(title);
  SB_REQUIRE(instructions);
  client::Exercise exercise;
  exercise.title = title;
  exercise.instructions = instructions;
  exercise.kind = "free";
  return FinishSend(client->impl->AssignExercise(peer, exercise), out_message_id);
}

sb_error sb_set_availability(sb_client* client, const char* text, const char* emergency_guidance) {
  SB_REQUIRE(client);
  SB_REQUIRE(text);
  client::Availability availability{text, std::string(OrEmpty(emergency_guidance))};
  return FinishStatus(client->impl->SetAvailability(availability));
}

sb_error sb_sync(sb_client* client, char** out_json) {
  SB_REQUIRE(out_json);
  *out_json = nullptr;
  SB_REQUIRE(client);
  auto result = client->impl->Sync();
  if (!result.ok()) return Fail(result.status());
  const client::SyncResult& sync = *result;
  client::JsonWriter w;
  w.BeginObject();
  w.Key("items");
  w.BeginArray();
  for (const client::HistoryItem& item : sync.new_items) {
    w.BeginObject();
    client::WriteHistoryItemMembers(w, item);
    w.EndObject();
  }
  w.EndArray();
  w.Key("warnings");
  w.BeginArray();
  for (const std::string& warning : sync.warnings) w.String(warning);
  w.EndArray();
  w.Member("envelopes", sync.envelopes);
  w.Member("outbox_sent", sync.outbox_sent);
  w.EndObject();
  return CopyOut(w.str(), out_json);
}

sb_error sb_watch(sb_client* client, sb_item_callback on_item, void* user_data) {
  return sb_watch_with_warnings(client, on_item, nullptr, user_data);
}

sb_error sb_watch_with_warnings(sb_client* client, sb_item_callback on_item,
                                sb_warning_callback on_warning, void* user_data) {
  SB_REQUIRE(client);
  SB_REQUIRE(on_item);
  std::function<void(const std::string&)> warnings;
  if (on_warning != nullptr) {
    warnings = [&](const std::string& warning) { on_warning(user_data, warning.c_str()); };
  }
  const client::Status status = client->impl->Watch(
      [&](const client::HistoryItem& item) {
        const std::string json = client::HistoryItemToJson(item);
        on_item(user_data, json.c_str());
      },
      client->stop, warnings);
  // The stop request is consumed: a later sb_watch runs until stopped again.
  client->stop.store(false);
  return FinishStatus(status);
}

void sb_stop_watch(sb_client* client) {
  if (client != nullptr) client->stop.store(true);
}

sb_error sb_history_json(sb_client* client, const char* peer, char** out_json) {
  SB_REQUIRE(out_json);
  *out_json = nullptr;
  SB_REQUIRE(client);
  SB_REQUIRE(peer);
  auto result = client->impl->History(peer);
  if (!result.ok()) return Fail(result.status());
  client::JsonWriter w;
  w.BeginArray();
  for (const client::HistoryItem& item : *result) {
    w.BeginObject();
    client::WriteHistoryItemMembers(w, item);
    w.EndObject();
  }
  w.EndArray();
  return CopyOut(w.str(), out_json);
}

sb_error sb_mark_read(sb_client* client, const char* peer) {
  SB_REQUIRE(client);
  SB_REQUIRE(peer);
  return FinishStatus(client->impl->MarkRead(peer));
}

sb_error sb_export_json(sb_client* client, char** out_json) {
  SB_REQUIRE(out_json);
  *out_json = nullptr;
  SB_REQUIRE(client);
  auto result = client->impl->ExportJson();
  if (!result.ok()) return Fail(result.status());
  return CopyOut(*result, out_json);
}

sb_error sb_safety_number(sb_client* client, const char* peer, char** out_safety_number) {
  SB_REQUIRE(out_safety_number);
  *out_safety_number = nullptr;
  SB_REQUIRE(client);
  SB_REQUIRE(peer);
  auto result = client->impl->SafetyNumber(peer);
  if (!result.ok()) return Fail(result.status());
  return CopyOut(*result, out_safety_number);
}

sb_error sb_verify(sb_client* client, const char* peer) {
  SB_REQUIRE(client);
  SB_REQUIRE(peer);
  return FinishStatus(client->impl->Verify(peer));
}

sb_error sb_trust(sb_client* client, const char* peer) {
  SB_REQUIRE(client);
  SB_REQUIRE(peer);
  return FinishStatus(client->impl->Trust(peer));
}

int sb_vault_exists(const char* home) {
  return home != nullptr && client::VaultExists(home) ? 1 : 0;
}

sb_error sb_client_open_another(sb_client* client, sb_client** out_client) {
  SB_REQUIRE(out_client);
  *out_client = nullptr;
  SB_REQUIRE(client);
  auto another = client->impl->OpenAnother();
  if (!another.ok()) return Fail(another.status());
  auto handle = std::make_unique<sb_client>();
  handle->impl = std::move(another).value();
  *out_client = handle.release();
  return Succeed();
}

sb_error sb_own_availability_json(sb_client* client, char** out_json) {
  SB_REQUIRE(out_json);
  *out_json = nullptr;
  SB_REQUIRE(client);
  const std::optional<client::Availability> own = client->impl->OwnAvailability();
  client::JsonWriter w;
  if (own) {
    w.BeginObject();
    client::WriteAvailabilityMembers(w, *own);
    w.EndObject();
  } else {
    w.Null();
  }
  return CopyOut(w.str(), out_json);
}

sb_error sb_conversation_summaries_json(sb_client* client, char** out_json) {
  SB_REQUIRE(out_json);
  *out_json = nullptr;
  SB_REQUIRE(client);
  auto result = client->impl->ConversationSummaries();
  if (!result.ok()) return Fail(result.status());
  client::JsonWriter w;
  w.BeginArray();
  for (const client::ConversationSummary& summary : *result) {
    w.BeginObject();
    w.Key("contact");
    w.BeginObject();
    client::WriteContactMembers(w, summary.contact);
    w.EndObject();
    w.Key("items");
    w.Uint(summary.items);
    w.Key("unread");
    w.Uint(summary.unread);
    w.Member("unread_capped", summary.unread_capped);
    w.Key("last_item");
    if (summary.last_item) {
      w.BeginObject();
      client::WriteHistoryItemMembers(w, *summary.last_item);
      w.EndObject();
    } else {
      w.Null();
    }
    w.EndObject();
  }
  w.EndArray();
  return CopyOut(w.str(), out_json);
}

sb_error sb_history_range_json(sb_client* client, const char* peer, uint64_t before, uint64_t limit,
                               char** out_json) {
  SB_REQUIRE(out_json);
  *out_json = nullptr;
  SB_REQUIRE(client);
  SB_REQUIRE(peer);
  auto result = client->impl->History(peer, client::HistoryRange{before, limit});
  if (!result.ok()) return Fail(result.status());
  client::JsonWriter w;
  w.BeginObject();
  w.Key("items");
  w.BeginArray();
  for (const client::HistoryItem& item : result->items) {
    w.BeginObject();
    client::WriteHistoryItemMembers(w, item);
    w.EndObject();
  }
  w.EndArray();
  w.Key("first_position");
  w.Uint(result->first_position);
  w.Key("total");
  w.Uint(result->total);
  w.EndObject();
  return CopyOut(w.str(), out_json);
}

sb_error sb_watch_events(sb_client* client, sb_event_callback on_event, void* user_data) {
  SB_REQUIRE(client);
  SB_REQUIRE(on_event);
  auto json_string = [](std::string_view text) {
    client::JsonWriter w;
    w.String(text);
    return w.str();
  };
  client::WatchCallbacks callbacks;
  callbacks.on_item = [&](const client::HistoryItem& item) {
    on_event(user_data, "item", client::HistoryItemToJson(item).c_str());
  };
  callbacks.on_warning = [&](const std::string& warning) {
    on_event(user_data, "warning", json_string(warning).c_str());
  };
  callbacks.on_delivery = [&](const client::DeliveryUpdate& update) {
    client::JsonWriter w;
    w.BeginObject();
    w.Member("peer_user_id", update.peer_user_id);
    w.Key("message_ids");
    w.BeginArray();
    for (const std::string& id : update.message_ids) w.String(id);
    w.EndArray();
    w.Member("state", update.state == client::DeliveryState::kRead ? "read" : "delivered");
    w.EndObject();
    on_event(user_data, "delivery", w.str().c_str());
  };
  callbacks.on_contact_changed = [&](const std::string& user_id) {
    on_event(user_data, "contact", json_string(user_id).c_str());
  };
  callbacks.on_live = [&] { on_event(user_data, "live", "null"); };
  callbacks.on_offline = [&](const std::string& why) {
    on_event(user_data, "offline", json_string(why).c_str());
  };
  const client::Status status = client->impl->Watch(callbacks, client->stop);
  client->stop.store(false);  // Consumed, as in sb_watch_with_warnings.
  return FinishStatus(status);
}

}  // extern "C"
