/* The SecureBase client library's C API, for apps written in C, Swift,
 * Kotlin (JNI), Python (ctypes/cffi) and other languages with a C FFI.
 *
 * It is a thin binding over securebase::client::Client (client.h); the
 * behaviour, the errors and the JSON formats are those of the C++ API and of
 * docs/CLIENT.md.
 *
 * Conventions
 *   - Handles are opaque: an sb_client is created by sb_client_create() or
 *     sb_client_open() and destroyed by sb_client_close().
 *   - Every function that can fail returns an sb_error. SB_OK (0) is success.
 *     On failure, sb_last_error_message() describes the error in a sentence
 *     for a person (never containing secrets or message content), and every
 *     out-parameter has been set to NULL.
 *   - Strings passed in are NUL-terminated UTF-8 and are only read during the
 *     call (the library keeps no pointer to them). A parameter documented as
 *     "may be NULL" is optional; any other NULL pointer is SB_ERR_INVALID_ARGUMENT.
 *   - Every string the library returns through a `char** out_...` parameter is
 *     NUL-terminated UTF-8, owned by the caller, and must be released with
 *     sb_free() (never with free(): the library may use another allocator).
 *   - Thread-safety: an sb_client is not thread-safe; use it from one thread
 *     at a time. The exception is sb_stop_watch(), which may be called from
 *     any thread (and is async-signal-safe) while sb_watch() runs. Different
 *     handles may be used concurrently, even on the same home directory.
 *
 * Linking: the shared library libsecurebase_client.so exports exactly this
 * API (and the C++ API of client.h); everything else in it is hidden. The
 * static libsecurebase_client.a holds the same code (link it with a C++
 * linker, or add the C++ runtime). pkg-config: securebase-client; CMake:
 * find_package(SecureBase) and SecureBase::client (docs/CLIENT.md).
 *
 * This header is C99 and includes only <stddef.h> and <stdint.h>.
 */
#ifndef SECUREBASE_CLIENT_SECUREBASE_H_
#define SECUREBASE_CLIENT_SECUREBASE_H_

#include <stddef.h>
#include <stdint.h>

#if defined(__GNUC__) || defined(__clang__)
#define SB_API __attribute__((visibility("default")))
#else
#define SB_API
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* Error codes. The values equal securebase::client::ErrorCode and never
 * change; new codes are only ever added at the end. */
typedef enum sb_error {
  SB_OK = 0,
  SB_ERR_INVALID_ARGUMENT = 1,    /* Malformed argument (bad peer, out-of-range field). */
  SB_ERR_NOT_FOUND = 2,           /* No such contact, invite or vault. */
  SB_ERR_ALREADY_EXISTS = 3,      /* The vault or account already exists. */
  SB_ERR_PERMISSION_DENIED = 4,   /* The server refused (not linked, wrong role). */
  SB_ERR_UNAUTHENTICATED = 5,     /* The server did not accept this device's login. */
  SB_ERR_UNAVAILABLE = 6,         /* Server unreachable; nothing lost, retry later. */
  SB_ERR_FAILED_PRECONDITION = 7, /* Valid, but not now (e.g. link ended). */
  SB_ERR_RESOURCE_EXHAUSTED = 8,  /* A server or local limit. */
  SB_ERR_WRONG_PASSPHRASE = 9,    /* The passphrase does not open the vault. */
  SB_ERR_VAULT_CORRUPTED = 10,    /* A vault record does not authenticate or parse. */
  SB_ERR_VAULT_BUSY = 11,         /* Another process kept the vault locked too long. */
  SB_ERR_IDENTITY_CHANGED = 12,   /* A verified contact's key changed: sends wait for sb_trust. */
  SB_ERR_INVALID_INVITE = 13,     /* Malformed invite code, or its key pin does not match. */
  SB_ERR_INTERNAL = 14,           /* A bug in the library (please report it). */
  SB_ERR_INVALID_SERVER_RESPONSE = 15, /* The server answered something malformed. */
  SB_ERROR_MAX_ENUM = 0x7FFFFFFF       /* Not a code: keeps the enum 32 bits wide. */
} sb_error;

typedef enum sb_role {
  SB_ROLE_CLIENT = 0,
  SB_ROLE_THERAPIST = 1,
  SB_ROLE_MAX_ENUM = 0x7FFFFFFF /* Not a role: keeps the enum 32 bits wide. */
} sb_role;

/* Argon2id cost for wrapping a new vault key (sb_client_create only). */
typedef enum sb_passphrase_cost {
  SB_PASSPHRASE_COST_MODERATE = 0,          /* 256 MiB. The default. */
  SB_PASSPHRASE_COST_INTERACTIVE = 1,       /* 64 MiB. */
  SB_PASSPHRASE_COST_MINIMUM_FOR_TESTS = 2, /* Only for tests: offers no protection. */
  SB_PASSPHRASE_COST_MAX_ENUM = 0x7FFFFFFF  /* Not a cost: keeps the enum 32 bits wide. */
} sb_passphrase_cost;

/* How long a handle keeps its vault open (ClientOptions::vault_access). */
typedef enum sb_vault_access {
  SB_VAULT_ACCESS_PER_CALL = 0,  /* Opened for each call; other processes take turns. Default. */
  SB_VAULT_ACCESS_EXCLUSIVE = 1, /* Held from open to close: for an app that stays running. */
  SB_VAULT_ACCESS_MAX_ENUM = 0x7FFFFFFF
} sb_vault_access;

/* Options for opening or creating a client. Initialise with sb_options_init()
 * (which sets struct_size and every default), then set what you need. New
 * fields are only ever appended; struct_size tells the library which exist. */
typedef struct sb_options {
  uint32_t struct_size;       /* sizeof(sb_options); set by sb_options_init. */
  const char* home;           /* Vault directory. Required. */
  const char* server_address; /* host:port. NULL: "127.0.0.1:50051". */
  const char* ca_file;        /* PEM CA file. NULL: the system trust store. */
  int insecure_loopback;      /* Non-zero: plaintext, only to a loopback address. */
  uint32_t rpc_timeout_ms;    /* Per-RPC deadline. 0: 10000. */
  uint32_t lock_timeout_ms;   /* Wait for another process on the vault. 0: 30000. */
  sb_passphrase_cost passphrase_cost;
  /* Appended after the first release: read only when struct_size covers it. */
  sb_vault_access vault_access;
} sb_options;

/* One named emotion of a check-in; intensity 0-100. */
typedef struct sb_emotion {
  const char* name;
  uint32_t intensity;
} sb_emotion;

typedef struct sb_client sb_client;

/* Called by sb_watch() for every new item, with its JSON (the history-item
 * format of docs/CLIENT.md). `item_json` is owned by the library and valid
 * only during the call. */
typedef void (*sb_item_callback)(void* user_data, const char* item_json);

/* --- Errors and memory ---------------------------------------------------- */

/* Stable snake_case name of a code ("ok", "wrong_passphrase", ...). A static
 * string: do not free. Unknown codes give "unknown". */
SB_API const char* sb_error_name(sb_error code);

/* The message of the last failed call on this thread, or "" if the last call
 * succeeded. Owned by the library: valid until the next sb_ call on the same
 * thread; do not free. */
SB_API const char* sb_last_error_message(void);

/* Releases a string returned by the library, wiping it first (it may hold
 * what a person wrote). NULL is allowed. */
SB_API void sb_free(void* ptr);

/* Fills `options` with the defaults and struct_size. */
SB_API void sb_options_init(sb_options* options);

/* --- Lifecycle ------------------------------------------------------------ */

/* Creates a new vault under options->home and registers a new account.
 * `registration_token` may be NULL (needed for therapists when the server
 * requires one). On success *out_client is a new handle owned by the caller
 * (release it with sb_client_close). Errors: SB_ERR_ALREADY_EXISTS,
 * SB_ERR_INVALID_ARGUMENT (empty name or passphrase), SB_ERR_PERMISSION_DENIED,
 * SB_ERR_UNAVAILABLE. */
SB_API sb_error sb_client_create(const sb_options* options, const char* passphrase, sb_role role,
                                 const char* display_name, const char* registration_token,
                                 sb_client** out_client);

/* Opens an existing vault. On success *out_client is owned by the caller.
 * Errors: SB_ERR_NOT_FOUND, SB_ERR_WRONG_PASSPHRASE, SB_ERR_VAULT_CORRUPTED,
 * SB_ERR_VAULT_BUSY. */
SB_API sb_error sb_client_open(const sb_options* options, const char* passphrase,
                               sb_client** out_client);

/* Destroys a handle (wiping its keys from memory). NULL is allowed. */
SB_API void sb_client_close(sb_client* client);

/* This account's user id (hex); the caller frees *out_user_id with sb_free. */
SB_API sb_error sb_client_user_id(sb_client* client, char** out_user_id);
/* This account's role. */
SB_API sb_error sb_client_role(sb_client* client, sb_role* out_role);
/* This account's display name; the caller frees *out_name with sb_free. */
SB_API sb_error sb_client_display_name(sb_client* client, char** out_name);

/* --- Care links ------------------------------------------------------------ */

/* Therapist: a one-time invite code valid for `expires_hours` hours (> 0).
 * The caller frees *out_code with sb_free. */
SB_API sb_error sb_create_invite(sb_client* client, uint32_t expires_hours, char** out_code);

/* Client: redeems an invite code and verifies the therapist's pinned key.
 * `out_contact_json` may be NULL; otherwise it receives the new contact as
 * JSON (contact format), freed with sb_free. Errors: SB_ERR_INVALID_INVITE,
 * SB_ERR_NOT_FOUND (unknown, expired or used invite), SB_ERR_UNAVAILABLE. */
SB_API sb_error sb_accept_invite(sb_client* client, const char* code, char** out_contact_json);

/* All contacts as a JSON array of contact objects; freed with sb_free. */
SB_API sb_error sb_contacts_json(sb_client* client, char** out_json);

/* The contact `peer` (display name or hex user id) as JSON (contact format);
 * freed with sb_free. SB_ERR_NOT_FOUND, or SB_ERR_INVALID_ARGUMENT when a
 * display name is ambiguous. */
SB_API sb_error sb_find_contact_json(sb_client* client, const char* peer, char** out_json);

/* Ends the care link with `peer` (display name or hex user id). */
SB_API sb_error sb_end_link(sb_client* client, const char* peer);

/* --- Sending ----------------------------------------------------------------
 * `peer` is a contact's display name or hex user id. On success
 * *out_message_id (if out_message_id is not NULL) receives the new message's
 * id (hex), freed with sb_free. SB_ERR_UNAVAILABLE: the message is queued and
 * goes out with the next sb_sync. SB_ERR_IDENTITY_CHANGED: the message is
 * held until sb_trust(peer). SB_ERR_INVALID_ARGUMENT: content out of range
 * (see docs/CLIENT.md, "Content limits"). */

/* Sends any content a person writes, given in the content JSON of
 * docs/CLIENT.md ("Content JSON"):
 *   {"type":"check-in","content":{"mood":6,"energy":4,"questionnaires":[...]}}
 * with the members of the history item JSON's "content" for that type. It is
 * read strictly (unknown members, wrong JSON types, numbers out of range are
 * SB_ERR_INVALID_ARGUMENT naming the member) and validated exactly as the C++
 * Client::Send validates. Therapists may send exercises; receipts, profiles
 * and availability are the library's own (SB_ERR_INVALID_ARGUMENT; see
 * sb_set_availability). The other sb_send_* functions are shorthands. */
SB_API sb_error sb_send(sb_client* client, const char* peer, const char* content_json,
                        char** out_message_id);

SB_API sb_error sb_send_text(sb_client* client, const char* peer, const char* text,
                             char** out_message_id);

/* A check-in: mood 0-10, an optional note (may be NULL) and `emotion_count`
 * emotions (`emotions` may be NULL when emotion_count is 0). */
SB_API sb_error sb_send_checkin(sb_client* client, const char* peer, uint32_t mood,
                                const char* note, const sb_emotion* emotions, size_t emotion_count,
                                char** out_message_id);

/* A free-form reflection; `prompt` may be NULL. */
SB_API sb_error sb_send_reflection(sb_client* client, const char* peer, const char* prompt,
                                   const char* body, char** out_message_id);

/* Therapist: assigns a one-off, free-form exercise. */
SB_API sb_error sb_assign_exercise(sb_client* client, const char* peer, const char* title,
                                   const char* instructions, char** out_message_id);

/* Therapist: sets the availability notice sent to every client.
 * `emergency_guidance` may be NULL (no guidance). */
SB_API sb_error sb_set_availability(sb_client* client, const char* text,
                                    const char* emergency_guidance);

/* --- Content without a client ------------------------------------------------- */

/* Checks content JSON (as sb_send takes it) without sending: SB_OK, or
 * SB_ERR_INVALID_ARGUMENT with a sentence naming the member or field. */
SB_API sb_error sb_validate_content_json(const char* content_json);

/* The risk signals in content JSON (risk.h): a JSON array, freed with sb_free,
 *   [{"kind":"self_harm_item"|"self_harm_words","where":"PHQ-9 item 9"}, ...]
 * empty ("[]") when there is none. When it is not empty, show the crisis
 * prompt (sb_crisis_prompt_json) on the device at once. */
SB_API sb_error sb_risk_signals_json(const char* content_json, char** out_json);

/* The crisis prompt every app shows: a JSON object, freed with sb_free,
 *   {"title":...,"message":...,"attention":...,"emergency_guidance":...} */
SB_API sb_error sb_crisis_prompt_json(char** out_json);

/* The structured reflection kinds, to build forms: a JSON array, freed with
 * sb_free, of {"name":"thought-record","title":"Thought record",
 * "json_key":"thought_record","fields":[{"key":...,"label":...,
 * "type":"text"|"emotions"},...]}. */
SB_API sb_error sb_reflection_kinds_json(char** out_json);

/* --- Receiving ---------------------------------------------------------------- */

/* Sends queued messages, then fetches, decrypts, stores and acknowledges
 * everything waiting. *out_json receives a JSON object (freed with sb_free):
 *   {"items":[<history item>...],"warnings":["..."],"envelopes":N,"outbox_sent":N}
 * where "items" are the new items in arrival order. */
SB_API sb_error sb_sync(sb_client* client, char** out_json);

/* Like sb_sync, then stays subscribed, calling `on_item` (on this thread) for
 * every new item, until sb_stop_watch() is called: then SB_OK. While the
 * server cannot be reached it keeps trying (pauses growing to 30 s, with a
 * warning each time, see sb_watch_with_warnings); it returns an error only
 * for what trying again cannot fix (e.g. SB_ERR_RESOURCE_EXHAUSTED: too many
 * live subscriptions; SB_ERR_FAILED_PRECONDITION: another subscription of
 * this device replaced this one). */
SB_API sb_error sb_watch(sb_client* client, sb_item_callback on_item, void* user_data);

/* Called by sb_watch_with_warnings for every warning (such as a changed
 * safety number), a sentence for a person; valid only during the call. */
typedef void (*sb_warning_callback)(void* user_data, const char* warning);

/* sb_watch, also calling `on_warning` (may be NULL) for every warning. */
SB_API sb_error sb_watch_with_warnings(sb_client* client, sb_item_callback on_item,
                                       sb_warning_callback on_warning, void* user_data);

/* Makes the running sb_watch on this handle return (or the next one, if none
 * is running). Safe from any thread and from a signal handler. */
SB_API void sb_stop_watch(sb_client* client);

/* The whole history with `peer`, oldest first, as a JSON array of history
 * items; freed with sb_free. */
SB_API sb_error sb_history_json(sb_client* client, const char* peer, char** out_json);

/* Marks `peer`'s incoming items as read and sends read receipts. */
SB_API sb_error sb_mark_read(sb_client* client, const char* peer);

/* Every contact's history as the export document of docs/CLIENT.md; freed
 * with sb_free. */
SB_API sb_error sb_export_json(sb_client* client, char** out_json);

/* --- Verification ---------------------------------------------------------------- */

/* The safety number shared with `peer`: 60 digits in 12 groups of 5,
 * separated by spaces; freed with sb_free. */
SB_API sb_error sb_safety_number(sb_client* client, const char* peer, char** out_safety_number);

/* The user compared safety numbers with `peer`: mark the contact verified. */
SB_API sb_error sb_verify(sb_client* client, const char* peer);

/* Accept `peer`'s changed identity key; held messages go out at the next sync. */
SB_API sb_error sb_trust(sb_client* client, const char* peer);

/* --- Apps that stay running ---------------------------------------------------- */

/* 1 when `home` holds a vault (sb_client_open may still fail with
 * SB_ERR_WRONG_PASSPHRASE or SB_ERR_VAULT_CORRUPTED), else 0 (also for NULL).
 * Reads only the directory. */
SB_API int sb_vault_exists(const char* home);

/* A second handle on `client`'s home for a second thread (a live sb_watch
 * beside a worker), without the passphrase: it shares the unlocked vault key
 * (no second Argon2id). Either may be closed first. SB_ERR_FAILED_PRECONDITION
 * unless the handle's options.vault_access is SB_VAULT_ACCESS_PER_CALL. */
SB_API sb_error sb_client_open_another(sb_client* client, sb_client** out_client);

/* The therapist's own availability notice as last set, as
 * {"text":"...","emergency_guidance":"..."}, or null when none was set;
 * freed with sb_free. */
SB_API sb_error sb_own_availability_json(sb_client* client, char** out_json);

/* What a contact list shows, without reading whole conversations: a JSON
 * array, in contact order, of
 *   {"contact":<contact>,"items":N,"unread":N,"unread_capped":bool,
 *    "last_item":<history item>|null}
 * ("unread_capped": counting stopped, there are at least "unread"); freed
 * with sb_free. */
SB_API sb_error sb_conversation_summaries_json(sb_client* client, char** out_json);

/* A window of the history with `peer`: the items at positions below `before`
 * (UINT64_MAX: all), at most `limit` of them, the newest (UINT64_MAX: no
 * limit), as {"items":[<history item>...],"first_position":N,"total":N}
 * (oldest first; pass first_position as `before` for the page before);
 * freed with sb_free. */
SB_API sb_error sb_history_range_json(sb_client* client, const char* peer, uint64_t before,
                                      uint64_t limit, char** out_json);

/* Called by sb_watch_events for everything the watch reports; `kind` and
 * `json` are valid only during the call:
 *   "item"     json: a history item
 *   "warning"  json: a JSON string (a sentence for a person)
 *   "delivery" json: {"peer_user_id":"..","message_ids":[".."],"state":"delivered"|"read"}
 *   "contact"  json: a JSON string, the user id of a contact whose profile
 *              or availability notice arrived (read it with sb_find_contact_json)
 *   "live"     json: null; the subscription is registered with the server
 *   "offline"  json: a JSON string (why, and when the next try is); the
 *              server is away and the watch tries again by itself */
typedef void (*sb_event_callback)(void* user_data, const char* kind, const char* json);

/* sb_watch reporting every kind of event above through `on_event`. */
SB_API sb_error sb_watch_events(sb_client* client, sb_event_callback on_event, void* user_data);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* SECUREBASE_CLIENT_SECUREBASE_H_ */
