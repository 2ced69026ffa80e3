// A RocksStore in a temp dir with a fake clock, and record builders.
#ifndef SECUREBASE_TESTS_SERVER_UNIT_STORE_FIXTURE_H_
#define SECUREBASE_TESTS_SERVER_UNIT_STORE_FIXTURE_H_

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "server/src/common/clock.h"
#include "server/src/store/rocks_store.h"
#include "tests/server/unit/temp_dir.h"

namespace securebase::server::testing {

class StoreTest : public ::testing::Test {
 protected:
  void SetUp() override { Reopen(); }

  void Reopen(bool sync_writes = false) {
    store_.reset();
    RocksStoreOptions options;
    options.path = dir_.path() + "/db";
    options.sync_writes = sync_writes;  // Tests need atomicity, not power-loss safety.
    auto opened = RocksStore::Open(options, clock_);
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    store_ = std::move(opened).value();
  }

  static std::string Id(char c) { return std::string(16, c); }

  static NewDeviceKeys DeviceKeys(int prekeys, uint32_t first_prekey_id = 1) {
    NewDeviceKeys keys;
    keys.device_auth_key = std::string(32, 'a');
    keys.signed_prekey.set_key_id(7);
    keys.signed_prekey.set_public_key(std::string(32, 's'));
    keys.signed_prekey.set_signature(std::string(64, 'S'));
    for (int i = 0; i < prekeys; ++i) {
      v1::OneTimePreKey prekey;
      prekey.set_key_id(first_prekey_id + i);
      prekey.set_public_key(std::string(32, static_cast<char>('0' + i % 10)));
      keys.one_time_prekeys.push_back(prekey);
    }
    return keys;
  }

  // Creates an account with one device and `prekeys` one-time prekeys.
  v1::AccountRecord MakeAccount(char id, v1::Role role, int prekeys = 0) {
    v1::AccountRecord account;
    account.set_user_id(Id(id));
    account.set_role(role);
    account.set_identity_key(std::string(32, id));
    Status created = store_->CreateAccount(account, DeviceKeys(prekeys), std::nullopt);
    EXPECT_TRUE(created.ok()) << created.ToString();
    return store_->GetAccount(Id(id)).value();
  }

  std::vector<v1::AuditRecord> AuditEvents() {
    auto page = store_->ReadAudit("", 10000);
    EXPECT_TRUE(page.ok());
    return page.ok() ? page->records : std::vector<v1::AuditRecord>{};
  }

  bool HasAudit(const std::string& event) {
    for (const auto& record : AuditEvents()) {
      if (record.event() == event) return true;
    }
    return false;
  }

  TempDir dir_;
  FakeClock clock_;
  std::unique_ptr<RocksStore> store_;
};

}  // namespace securebase::server::testing

#endif  // SECUREBASE_TESTS_SERVER_UNIT_STORE_FIXTURE_H_
