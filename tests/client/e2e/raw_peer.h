// Raw wire-level accounts (the integration harness's TestAccount) made into
// peers a SecureBase client accepts: device-bound signed prekeys with device
// binding records, and invite codes in the library's format. For the e2e
// tests whose peer is played by the test itself.
#ifndef SECUREBASE_TESTS_CLIENT_E2E_RAW_PEER_H_
#define SECUREBASE_TESTS_CLIENT_E2E_RAW_PEER_H_

#include <gtest/gtest.h>

#include <cstddef>
#include <string>

#include "securebase/crypto/invite_proof.h"
#include "securebase/crypto/keys.h"
#include "securebase/crypto/session_cipher.h"
#include "tests/server/integration/harness/test_account.h"

namespace securebase::e2e {

// The device's address in crypto's terms.
crypto::DeviceAddress AddressOf(const integration::TestAccount& account, size_t device_index);

// `signer`'s (the account's own by default) device binding record for the
// device, as the server and clients expect it.
std::string DeviceBindingFor(const integration::TestAccount& account, size_t device_index,
                             const crypto::IdentityKeyPair* signer = nullptr);

// Uploads a new device-bound signed prekey (it replaces device.signed_prekey,
// so the device can accept first messages made with it) and the device's
// binding record, both signed by `signer` (the account's identity key by
// default; another key plays a server that invents the device).
::testing::AssertionResult PublishDeviceKeys(integration::TestAccount& account, size_t device_index,
                                             const crypto::IdentityKeyPair* signer = nullptr);

// The bundle a server answer lists for `device`, as crypto's PreKeyBundle
// (sizes are the server's to check; a test peer trusts them).
crypto::PreKeyBundle BundleOf(const v1::GetPreKeyBundlesResponse& bundles,
                              const v1::DeviceBundle& device);

// Encrypts `plain` with `cipher` to every device `bundles` lists for `peer`
// (raw user id), starting sessions from the bundles where there are none,
// and adds the ciphertexts to `send`.
::testing::AssertionResult EncryptToEveryDevice(crypto::SessionCipher& cipher,
                                                const std::string& peer,
                                                const v1::GetPreKeyBundlesResponse& bundles,
                                                const std::string& plain, v1::SendRequest& send);

// Adds one ciphertext for (user, device) to `send`.
void AddCiphertext(v1::SendRequest& send, const std::string& user, uint32_t device,
                   const crypto::Bytes& ciphertext);

// An invite of a raw therapist in the library's format (v2), with a sealed
// profile naming it `name`. `keys` receives the invite's derived keys (to
// check the client's proof); empty string on failure (with ADD_FAILURE).
std::string RawTherapistInvite(integration::TestAccount& therapist, const std::string& name,
                               std::optional<crypto::InviteKeys>* keys = nullptr);

}  // namespace securebase::e2e

#endif  // SECUREBASE_TESTS_CLIENT_E2E_RAW_PEER_H_
