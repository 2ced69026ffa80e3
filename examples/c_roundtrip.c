/* A round trip through the SecureBase C API (securebase.h), end to end:
 *
 *   1. create a therapist account (THERAPIST_HOME) and a client account
 *      (CLIENT_HOME) on SERVER;
 *   2. the therapist makes an invite code, the client accepts it;
 *   3. the client sends a text; the therapist syncs until it arrives, intact;
 *   4. the therapist replies to the sender; the client syncs until the reply
 *      arrives, intact;
 *   5. the client sends a check-in (PHQ-9 and GAD-7 answers) and a thought
 *      record through the generic sb_send and its content JSON, after asking
 *      the library for the risk signals in it (and showing the crisis prompt
 *      if there are any); the therapist syncs until both arrive.
 *
 * Usage:
 *   SECUREBASE_PASSPHRASE=... c_roundtrip [--ca FILE] [--fast-kdf]
 *       [--registration-token T] SERVER THERAPIST_HOME CLIENT_HOME
 *
 * Without --ca the connection is plaintext, which the library allows only to
 * a loopback address. --fast-kdf uses the minimum Argon2id cost (tests only).
 * Both homes must not hold a vault yet. Exits 0 only if both texts arrived
 * intact; prints each step on stdout and errors on stderr.
 */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "securebase/client/securebase.h"

static int fail(const char* step, sb_error err) {
  fprintf(stderr, "c_roundtrip: %s failed: %s: %s\n", step, sb_error_name(err),
          sb_last_error_message());
  return 1;
}

static void sleep_ms(long ms) {
  struct timespec ts;
  ts.tv_sec = ms / 1000;
  ts.tv_nsec = (ms % 1000) * 1000000L;
  nanosleep(&ts, NULL);
}

/* `text` as it appears inside a JSON string written by the library: '"' and
 * '\\' escaped (the texts used here hold no control characters). Caller frees. */
static char* json_escape(const char* text) {
  size_t n = strlen(text);
  char* out = malloc(2 * n + 1);
  char* p = out;
  size_t i;
  if (out == NULL) return NULL;
  for (i = 0; i < n; ++i) {
    if (text[i] == '"' || text[i] == '\\') *p++ = '\\';
    *p++ = text[i];
  }
  *p = '\0';
  return out;
}

/* Where `"body":"<text>"` of a text item starts in `json`, or NULL. */
static const char* find_text(const char* json, const char* text) {
  char* escaped = json_escape(text);
  char* needle;
  const char* hit;
  if (escaped == NULL) return NULL;
  needle = malloc(strlen(escaped) + 16);
  if (needle == NULL) {
    free(escaped);
    return NULL;
  }
  sprintf(needle, "\"body\":\"%s\"", escaped);
  hit = strstr(json, needle);
  free(needle);
  free(escaped);
  return hit;
}

/* Copies the last "sender_user_id" value before `limit` in `json` into `out`
 * (at least 65 bytes). Returns 0 if there is none. */
static int sender_before(const char* json, const char* limit, char* out) {
  const char* key = "\"sender_user_id\":\"";
  const char* found = NULL;
  const char* p = json;
  const char* end;
  while ((p = strstr(p, key)) != NULL && p < limit) {
    found = p;
    p += strlen(key);
  }
  if (found == NULL) return 0;
  found += strlen(key);
  end = strchr(found, '"');
  if (end == NULL || end - found > 64 || end == found) return 0;
  memcpy(out, found, (size_t)(end - found));
  out[end - found] = '\0';
  return 1;
}

/* Syncs `who` until an item whose JSON contains `marker` arrives (~10 s). */
static int sync_until_item(sb_client* who, const char* name, const char* marker) {
  int attempt;
  for (attempt = 0; attempt < 50; ++attempt) {
    char* json = NULL;
    sb_error err = sb_sync(who, &json);
    int found;
    if (err != SB_OK) return fail("sync", err);
    found = strstr(json, marker) != NULL;
    sb_free(json);
    if (found) {
      printf("%s received an item with %s\n", name, marker);
      return 0;
    }
    sleep_ms(200);
  }
  fprintf(stderr, "c_roundtrip: %s never received an item with %s\n", name, marker);
  return 1;
}

/* Sends content JSON with sb_send; first asks for its risk signals and shows
 * the crisis prompt when there are any (as every app must). */
static int send_content(sb_client* from, const char* peer, const char* content_json) {
  char* signals = NULL;
  char* id = NULL;
  sb_error err = sb_risk_signals_json(content_json, &signals);
  if (err != SB_OK) return fail("checking for risk signals", err);
  if (strcmp(signals, "[]") != 0) {
    char* prompt = NULL;
    if (sb_crisis_prompt_json(&prompt) == SB_OK) printf("crisis prompt: %s\n", prompt);
    sb_free(prompt);
  }
  sb_free(signals);
  err = sb_send(from, peer, content_json, &id);
  if (err != SB_OK) return fail("sending content", err);
  printf("client: sent %s\n", id);
  sb_free(id);
  return 0;
}

/* Syncs `who` until a text item with `text` arrives (up to ~10 s). On success
 * copies its sender's user id into `sender` (if not NULL). */
static int sync_until(sb_client* who, const char* name, const char* text, char* sender) {
  int attempt;
  for (attempt = 0; attempt < 50; ++attempt) {
    char* json = NULL;
    const char* hit;
    sb_error err = sb_sync(who, &json);
    if (err != SB_OK) return fail("sync", err);
    hit = find_text(json, text);
    if (hit != NULL) {
      int ok = strstr(json, "\"type\":\"text\"") != NULL;
      if (ok && sender != NULL) ok = sender_before(json, hit, sender);
      sb_free(json);
      if (!ok) {
        fprintf(stderr, "c_roundtrip: %s's sync has the text but not as expected\n", name);
        return 1;
      }
      printf("%s received: %s\n", name, text);
      return 0;
    }
    sb_free(json);
    sleep_ms(200);
  }
  fprintf(stderr, "c_roundtrip: %s never received the text\n", name);
  return 1;
}

int main(int argc, char** argv) {
  const char* ca = NULL;
  const char* token = NULL;
  int fast_kdf = 0;
  int i = 1;
  const char* server;
  const char* passphrase = getenv("SECUREBASE_PASSPHRASE");
  sb_options therapist_options, client_options;
  sb_client* therapist = NULL;
  sb_client* client = NULL;
  char* code = NULL;
  char* contact = NULL;
  char* id = NULL;
  char client_text[256], reply_text[256], sender[65];
  sb_error err;
  int status = 1;

  for (; i < argc && strncmp(argv[i], "--", 2) == 0; ++i) {
    if (strcmp(argv[i], "--ca") == 0 && i + 1 < argc) {
      ca = argv[++i];
    } else if (strcmp(argv[i], "--registration-token") == 0 && i + 1 < argc) {
      token = argv[++i];
    } else if (strcmp(argv[i], "--fast-kdf") == 0) {
      fast_kdf = 1;
    } else {
      break;
    }
  }
  if (argc - i != 3 || passphrase == NULL || passphrase[0] == '\0') {
    fprintf(stderr,
            "usage: SECUREBASE_PASSPHRASE=... %s [--ca FILE] [--fast-kdf] "
            "[--registration-token T] SERVER THERAPIST_HOME CLIENT_HOME\n",
            argv[0]);
    return 2;
  }
  server = argv[i];

  sb_options_init(&therapist_options);
  therapist_options.server_address = server;
  therapist_options.ca_file = ca;
  therapist_options.insecure_loopback = ca == NULL;
  therapist_options.passphrase_cost =
      fast_kdf ? SB_PASSPHRASE_COST_MINIMUM_FOR_TESTS : SB_PASSPHRASE_COST_INTERACTIVE;
  client_options = therapist_options;
  therapist_options.home = argv[i + 1];
  client_options.home = argv[i + 2];

  /* Unique per run, with a quote, a backslash and non-ASCII text. */
  snprintf(client_text, sizeof(client_text),
           "Hello \"Dr. Example\" \\ from the client, run %ld \xE2\x80\x94 \xE2\x9C\x93",
           (long)getpid());
  snprintf(reply_text, sizeof(reply_text), "Thank you, I read it (run %ld) \xC3\xA9",
           (long)getpid());

  printf("creating the therapist in %s\n", therapist_options.home);
  err = sb_client_create(&therapist_options, passphrase, SB_ROLE_THERAPIST, "Dr. Example", token,
                         &therapist);
  if (err != SB_OK) return fail("creating the therapist", err);

  printf("creating the client in %s\n", client_options.home);
  err = sb_client_create(&client_options, passphrase, SB_ROLE_CLIENT, "Example Client", NULL,
                         &client);
  if (err != SB_OK) {
    fail("creating the client", err);
    goto done;
  }

  printf("therapist: creating an invite\n");
  err = sb_create_invite(therapist, 1, &code);
  if (err != SB_OK) {
    fail("creating an invite", err);
    goto done;
  }

  printf("client: accepting the invite\n");
  err = sb_accept_invite(client, code, &contact);
  if (err != SB_OK) {
    fail("accepting the invite", err);
    goto done;
  }
  printf("client: linked with %s\n", contact);

  printf("client: sending: %s\n", client_text);
  err = sb_send_text(client, "Dr. Example", client_text, &id);
  if (err != SB_OK) {
    fail("sending the client's text", err);
    goto done;
  }
  printf("client: sent message %s\n", id);
  sb_free(id);
  id = NULL;

  printf("therapist: syncing\n");
  if (sync_until(therapist, "therapist", client_text, sender) != 0) goto done;

  printf("therapist: replying to %s: %s\n", sender, reply_text);
  err = sb_send_text(therapist, sender, reply_text, &id);
  if (err != SB_OK) {
    fail("sending the reply", err);
    goto done;
  }
  sb_free(id);
  id = NULL;

  printf("client: syncing\n");
  if (sync_until(client, "client", reply_text, NULL) != 0) goto done;

  printf("client: sending a check-in and a thought record\n");
  if (send_content(client, "Dr. Example",
                   "{\"type\":\"check-in\",\"content\":{\"mood\":6,\"energy\":4,"
                   "\"sleep_hours\":6.5,\"emotions\":[{\"name\":\"anxious\",\"intensity\":60}],"
                   "\"helped\":\"a walk\",\"questionnaires\":["
                   "{\"questionnaire\":\"phq9\",\"item_scores\":[1,1,0,2,0,1,0,0,0]},"
                   "{\"questionnaire\":\"gad7\",\"item_scores\":[2,1,1,0,0,1,0]}]}}") != 0 ||
      send_content(client, "Dr. Example",
                   "{\"type\":\"reflection\",\"content\":{\"kind\":\"thought-record\","
                   "\"body\":\"after the meeting\",\"thought_record\":{"
                   "\"situation\":\"my manager did not greet me\","
                   "\"automatic_thought\":\"she is angry with me\","
                   "\"emotions_before\":[{\"name\":\"anxious\",\"intensity\":70}],"
                   "\"balanced_thought\":\"she was busy\"}}}") != 0) {
    goto done;
  }
  printf("therapist: syncing\n");
  if (sync_until_item(therapist, "therapist", "\"kind\":\"thought-record\"") != 0) goto done;

  printf("OK: both texts, the check-in and the thought record arrived intact\n");
  status = 0;

done:
  sb_free(contact);
  sb_free(code);
  sb_free(id);
  sb_client_close(client);
  sb_client_close(therapist);
  return status;
}
