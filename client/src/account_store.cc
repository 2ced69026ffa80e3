#include "account_store.h"

#include "records.h"
#include "securebase/crypto/secret.h"

namespace securebase::client {
namespace {

// Record names (only ever hashed on disk).
constexpr std::string_view kAccountRecord = "account";
constexpr std::string_view kTokenRecord = "token";

}  // namespace

void WipeSeeds(records::Account& account) {
  for (std::string* seed : {account.mutable_identity_seed(), account.mutable_device_auth_seed()}) {
    crypto::SecureWipe(seed->data(), seed->size());
    seed->clear();
  }
}

Result<std::optional<records::Account>> AccountStore::Load() {
  return LoadRecord<records::Account>(txn_, kAccountRecord);
}

Result<records::Account> AccountStore::LoadExisting() {
  SB_ASSIGN_OR_RETURN(std::optional<records::Account> account, Load());
  if (!account) return Status(ErrorCode::kVaultCorrupted, "the vault lost its account");
  return std::move(*account);
}

void AccountStore::Store(const records::Account& account) {
  StoreRecord(txn_, kAccountRecord, account);
}

Result<std::optional<records::Token>> AccountStore::LoadToken() {
  return LoadRecord<records::Token>(txn_, kTokenRecord);
}

void AccountStore::StoreToken(const records::Token& token) {
  StoreRecord(txn_, kTokenRecord, token);
}

}  // namespace securebase::client
