// The C API's own behaviour, without a server: error names and codes, NULL
// handling, out-parameters, options, and errors from the library mapped to
// sb_error with a message.
#include <gtest/gtest.h>

#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <string>

#include "securebase/client/securebase.h"
#include "securebase/client/status.h"

namespace {

using securebase::client::ErrorCode;
using securebase::client::ErrorCodeName;

TEST(CApi, ErrorNamesMatchTheLibrary) {
  for (int code = SB_OK; code <= SB_ERR_INVALID_SERVER_RESPONSE; ++code) {
    EXPECT_EQ(std::string(sb_error_name(static_cast<sb_error>(code))),
              std::string(ErrorCodeName(static_cast<ErrorCode>(code))))
        << code;
  }
  EXPECT_STREQ(sb_error_name(static_cast<sb_error>(99)), "unknown");
  EXPECT_STREQ(sb_error_name(SB_ERR_WRONG_PASSPHRASE), "wrong_passphrase");
}

TEST(CApi, OptionsInitSetsDefaults) {
  sb_options options;
  std::memset(&options, 0xAB, sizeof(options));
  sb_options_init(&options);
  EXPECT_EQ(options.struct_size, sizeof(sb_options));
  EXPECT_EQ(options.home, nullptr);
  EXPECT_EQ(options.server_address, nullptr);
  EXPECT_EQ(options.ca_file, nullptr);
  EXPECT_EQ(options.insecure_loopback, 0);
  EXPECT_EQ(options.passphrase_cost, SB_PASSPHRASE_COST_MODERATE);
  EXPECT_EQ(options.vault_access, SB_VAULT_ACCESS_PER_CALL);
  sb_options_init(nullptr);  // Harmless.
}

// An app compiled against the first release passes the shorter struct: the
// appended fields are not read (a garbage vault_access is not refused).
TEST(CApi, OptionsOfTheFirstReleaseStillWork) {
  char dir[] = "/tmp/securebase_c_api_test_XXXXXX";
  ASSERT_NE(mkdtemp(dir), nullptr);
  const std::string home = std::string(dir) + "/none";
  sb_options options;
  sb_options_init(&options);
  options.home = home.c_str();
  options.vault_access = static_cast<sb_vault_access>(77);
  sb_client* client = nullptr;
  EXPECT_EQ(sb_client_open(&options, "pw", &client), SB_ERR_INVALID_ARGUMENT);
  EXPECT_NE(std::string(sb_last_error_message()).find("vault_access"), std::string::npos);
  options.struct_size = offsetof(sb_options, vault_access);
  EXPECT_EQ(sb_client_open(&options, "pw", &client), SB_ERR_NOT_FOUND);
  EXPECT_EQ(std::system(("rm -rf '" + std::string(dir) + "'").c_str()), 0);
}

// Content JSON without a client: validated exactly as sb_send validates.
TEST(CApi, ContentJsonValidationRiskSignalsAndSchema) {
  EXPECT_EQ(sb_validate_content_json(R"({"type":"text","content":{"body":"hi"}})"), SB_OK);
  EXPECT_STREQ(sb_last_error_message(), "");
  EXPECT_EQ(sb_validate_content_json(R"({"type":"check-in","content":{"mood":11}})"),
            SB_ERR_INVALID_ARGUMENT);
  EXPECT_NE(std::string(sb_last_error_message()).find("mood"), std::string::npos);
  EXPECT_EQ(sb_validate_content_json("{"), SB_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(sb_validate_content_json(nullptr), SB_ERR_INVALID_ARGUMENT);

  char* out = nullptr;
  ASSERT_EQ(sb_risk_signals_json(R"({"type":"check-in","content":{"mood":2,"questionnaires":[)"
                                 R"({"questionnaire":"phq9","item_scores":[0,0,0,0,0,0,0,0,2]}]}})",
                                 &out),
            SB_OK);
  EXPECT_STREQ(out, R"([{"kind":"self_harm_item","where":"PHQ-9 item 9"}])");
  sb_free(out);
  ASSERT_EQ(sb_risk_signals_json(R"({"type":"text","content":{"body":"a quiet day"}})", &out),
            SB_OK);
  EXPECT_STREQ(out, "[]");
  sb_free(out);
  out = reinterpret_cast<char*>(0x1);
  EXPECT_EQ(sb_risk_signals_json(R"({"type":"text"})", &out), SB_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(out, nullptr);

  ASSERT_EQ(sb_crisis_prompt_json(&out), SB_OK);
  EXPECT_NE(std::string(out).find(R"("emergency_guidance":)"), std::string::npos);
  sb_free(out);
  ASSERT_EQ(sb_reflection_kinds_json(&out), SB_OK);
  EXPECT_NE(std::string(out).find(R"({"name":"thought-record","title":"Thought record",)"
                                  R"("json_key":"thought_record","fields":[{"key":"situation",)"
                                  R"("label":"situation","type":"text"})"),
            std::string::npos)
      << out;
  EXPECT_NE(std::string(out).find(R"("label":"what I said")"), std::string::npos);
  sb_free(out);
  EXPECT_EQ(sb_send(nullptr, "p", "{}", &out), SB_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(out, nullptr);
  EXPECT_EQ(sb_find_contact_json(nullptr, "p", &out), SB_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(sb_client_display_name(nullptr, &out), SB_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(sb_watch_with_warnings(nullptr, nullptr, nullptr, nullptr), SB_ERR_INVALID_ARGUMENT);
}

TEST(CApi, NullArgumentsAreInvalidArgumentWithAMessage) {
  sb_client* client = reinterpret_cast<sb_client*>(0x1);
  EXPECT_EQ(sb_client_open(nullptr, "pw", &client), SB_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(client, nullptr);  // Out-parameters are cleared on failure.
  EXPECT_STRNE(sb_last_error_message(), "");

  sb_options options;
  sb_options_init(&options);
  EXPECT_EQ(sb_client_open(&options, "pw", &client), SB_ERR_INVALID_ARGUMENT);  // No home.
  EXPECT_NE(std::string(sb_last_error_message()).find("home"), std::string::npos);
  options.home = "/tmp/x";
  EXPECT_EQ(sb_client_open(&options, nullptr, &client), SB_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(sb_client_open(&options, "pw", nullptr), SB_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(sb_client_create(&options, "pw", SB_ROLE_CLIENT, nullptr, nullptr, &client),
            SB_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(sb_client_create(&options, "pw", static_cast<sb_role>(7), "n", nullptr, &client),
            SB_ERR_INVALID_ARGUMENT);
  options.passphrase_cost = static_cast<sb_passphrase_cost>(9);
  EXPECT_EQ(sb_client_open(&options, "pw", &client), SB_ERR_INVALID_ARGUMENT);
  options.passphrase_cost = SB_PASSPHRASE_COST_MODERATE;
  options.struct_size = 4;  // Not initialised by sb_options_init.
  EXPECT_EQ(sb_client_open(&options, "pw", &client), SB_ERR_INVALID_ARGUMENT);

  char* out = reinterpret_cast<char*>(0x1);
  EXPECT_EQ(sb_send_text(nullptr, "peer", "text", &out), SB_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(out, nullptr);
  EXPECT_EQ(sb_contacts_json(nullptr, &out), SB_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(sb_contacts_json(nullptr, nullptr), SB_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(sb_sync(nullptr, &out), SB_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(sb_history_json(nullptr, "p", &out), SB_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(sb_safety_number(nullptr, "p", &out), SB_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(sb_create_invite(nullptr, 1, &out), SB_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(sb_accept_invite(nullptr, "c", &out), SB_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(sb_verify(nullptr, "p"), SB_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(sb_trust(nullptr, "p"), SB_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(sb_end_link(nullptr, "p"), SB_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(sb_watch(nullptr, nullptr, nullptr), SB_ERR_INVALID_ARGUMENT);
  sb_stop_watch(nullptr);
  sb_client_close(nullptr);
  sb_free(nullptr);
}

TEST(CApi, MissingVaultIsNotFound) {
  char dir[] = "/tmp/securebase_c_api_test_XXXXXX";
  ASSERT_NE(mkdtemp(dir), nullptr);
  const std::string home = std::string(dir) + "/no-vault-here";
  sb_options options;
  sb_options_init(&options);
  options.home = home.c_str();
  options.insecure_loopback = 1;
  options.server_address = "127.0.0.1:1";
  sb_client* client = nullptr;
  EXPECT_EQ(sb_client_open(&options, "hunter2-secret-value", &client), SB_ERR_NOT_FOUND);
  EXPECT_EQ(client, nullptr);
  EXPECT_STRNE(sb_last_error_message(), "");
  EXPECT_EQ(std::string(sb_last_error_message()).find("hunter2"), std::string::npos);
  EXPECT_EQ(std::system(("rm -rf '" + std::string(dir) + "'").c_str()), 0);
}

}  // namespace
