// Mutual pinning of a care link: how a therapist's new client becomes a
// contact. Private to client/.
//
// The client redeems the invite code (which pins the therapist's identity
// key) and opens the session with its profile, carrying an invite proof
// (crypto invite_proof.h): a MAC, under a key derived from the invite key
// that the server never sees, over both accounts' user ids and identity keys.
// The therapist accepts a sender it does not know only as such a new client:
//   - an initial message (X3DH), while the therapist has an invite that is
//     still usable (InviteStore);
//   - decrypted under the identity key its X3DH header names (the sender
//     holds that key), with a profile whose proof verifies for that key, this
//     therapist and that sender's user id, under one of those invites;
// then the client is a verified contact (its key is pinned the other way),
// and the invite is used up. Anything else is discarded with a warning and
// leaves no contact, no session and nothing shown. So the server's link
// list never creates a contact by itself, on either side: a client-role
// account accepts contacts only from invites it redeemed (AcceptInvite).
#ifndef SECUREBASE_CLIENT_SRC_INTRODUCTION_H_
#define SECUREBASE_CLIENT_SRC_INTRODUCTION_H_

#include <string>

#include "client_core.h"
#include "securebase/client/server_api.h"
#include "securebase/crypto/invite_proof.h"
#include "securebase/v1/content.pb.h"
#include "stores.h"

namespace securebase::client {

// Client side: the proof for the profile a client sends after redeeming an
// invite of `therapist_user_id` (raw) with pinned key `therapist_key`.
content::v1::InviteProof MakeIntroduction(ClientCore& core, const crypto::InviteKeys& keys,
                                          const std::string& therapist_user_id,
                                          const crypto::IdentityPublicKey& therapist_key);

// Therapist side, for an envelope whose sender is not a contact: a
// provisional contact (awaiting_invite_proof, under the identity key of the
// message's X3DH header) when the envelope may introduce a new client, else
// nullptr (the caller discards it).
Result<records::Contact*> AdmitNewClient(ClientCore& core, Stores& stores,
                                         const Envelope& envelope);

// Therapist side, once a provisional contact's message was decrypted and
// decoded (`content` null when it was not): true, with the contact confirmed
// (verified, the invite used up), when the content is a profile whose proof
// verifies; else false, with the contact and the session its message started
// removed again (the caller discards the message). When confirmed,
// `*notice_outdated` says whether the therapist's availability notice is set
// and differs from the one the redeemed invite carried (the client has not
// seen it: the caller sends it).
Result<bool> SettleNewClient(ClientCore& core, Stores& stores, const Envelope& envelope,
                             const content::v1::Content* content, bool* notice_outdated);

}  // namespace securebase::client

#endif  // SECUREBASE_CLIENT_SRC_INTRODUCTION_H_
