// Session selection and commit rules over the protocol stores: Signal's
// "X3DH" (section 3.3, sending the initial message; 3.4, receiving it) and
// "The Double Ratchet Algorithm" (section 3.5, and the session management
// libsignal adds: a record of current and previous sessions per device).
#include "securebase/crypto/session_cipher.h"

#include <map>
#include <optional>
#include <utility>

namespace securebase::crypto {
namespace {

// Tries `session` and folds its error into `outcome`: a duplicate anywhere
// wins over "does not decrypt", so a replay stays a replay.
struct Attempt {
  std::optional<SecretBytes> plaintext;
  bool duplicate = false;
  bool tried = false;
};

void Try(Session& session, ByteSpan message, RandomSource& rng, Attempt& attempt) {
  attempt.tried = true;
  Result<SecretBytes> result = session.Decrypt(message, rng);
  if (result.ok()) {
    attempt.plaintext.emplace(std::move(result).value());
  } else if (result.status().code() == ErrorCode::kDuplicateMessage) {
    attempt.duplicate = true;
  }
}

}  // namespace

Result<std::vector<Bytes>> SessionCipher::EncryptToAll(std::span<const Recipient> recipients) {
  // State not committed yet: every record is loaded (or started) and advanced
  // in memory; nothing is stored until every recipient has encrypted.
  struct Pending {
    SessionRecord record;
    bool new_session = false;
    IdentityPublicKey identity;
  };
  std::map<DeviceAddress, Pending> pending;
  for (const Recipient& recipient : recipients) {
    if (pending.count(recipient.address)) continue;
    SB_ASSIGN_OR_RETURN(std::optional<SessionRecord> stored,
                        sessions_.LoadSession(recipient.address));
    Pending entry;
    if (stored && stored->has_current()) {
      entry.record = std::move(*stored);
      entry.identity = entry.record.current().remote_identity();
    } else {
      if (recipient.bundle == nullptr) {
        return Status::InvalidState("no session with a device and no prekey bundle for it");
      }
      entry.identity = recipient.bundle->identity_key;
      entry.new_session = true;
    }
    SB_ASSIGN_OR_RETURN(bool trusted,
                        identities_.IsTrustedIdentity(recipient.address, entry.identity,
                                                      IdentityDirection::kSending));
    if (!trusted) return Status::UntrustedIdentity("the device's identity key is not trusted");
    if (entry.new_session) {
      SB_ASSIGN_OR_RETURN(Session session,
                          Session::Initiate(identities_.LocalIdentity(), *recipient.bundle, rng_));
      entry.record.Promote(std::move(session));
    }
    pending.emplace(recipient.address, std::move(entry));
  }

  std::vector<Bytes> ciphertexts;
  ciphertexts.reserve(recipients.size());
  for (const Recipient& recipient : recipients) {
    Session& session = pending.at(recipient.address).record.current();
    SB_ASSIGN_OR_RETURN(Bytes ciphertext, session.Encrypt(recipient.plaintext, rng_));
    ciphertexts.push_back(std::move(ciphertext));
  }

  // Commit.
  for (auto& [address, entry] : pending) {
    SB_RETURN_IF_ERROR(sessions_.StoreSession(address, entry.record));
  }
  for (auto& [address, entry] : pending) {
    if (!entry.new_session) continue;
    SB_ASSIGN_OR_RETURN(IdentityChange change, identities_.SaveIdentity(address, entry.identity));
    static_cast<void>(change);  // Sending: a change was noticed when the bundle was trusted.
  }
  return ciphertexts;
}

Result<Bytes> SessionCipher::Encrypt(const DeviceAddress& address, ByteSpan plaintext,
                                     const PreKeyBundle* bundle) {
  const Recipient recipient{address, plaintext, bundle};
  SB_ASSIGN_OR_RETURN(std::vector<Bytes> ciphertexts,
                      EncryptToAll(std::span<const Recipient>(&recipient, 1)));
  return std::move(ciphertexts.front());
}

Result<bool> SessionCipher::HasSession(const DeviceAddress& address) {
  SB_ASSIGN_OR_RETURN(std::optional<SessionRecord> record, sessions_.LoadSession(address));
  return record.has_value() && record->has_current();
}

Result<SessionCipher::Decrypted> SessionCipher::Decrypt(const DeviceAddress& sender,
                                                        ByteSpan message) {
  SB_ASSIGN_OR_RETURN(MessageType type, PeekMessageType(message));
  std::optional<InitialHeader> initial;
  if (type == MessageType::kInitial) {
    SB_ASSIGN_OR_RETURN(InitialMessage parsed, ParseInitialMessage(message));
    initial = parsed.header;
  }
  SB_ASSIGN_OR_RETURN(std::optional<SessionRecord> record, sessions_.LoadSession(sender));
  // An initial message is for the session its base key started; a ratchet
  // message for whichever stored session's header keys open it.
  auto eligible = [&](const Session& session) {
    return !initial || session.base_key() == initial->base_key;
  };
  if (initial) {
    bool known = false;
    if (record && record->has_current()) {
      known = eligible(record->current());
      for (size_t i = 0; i < record->previous_count(); ++i) {
        known = known || eligible(record->previous(i));
      }
    }
    if (!known) return StartSession(sender, message, *initial, std::move(record));
  }
  if (!record || !record->has_current()) {
    return Status::InvalidMessage("no session with the sender");
  }

  // Decrypt leaves a session unchanged when it fails, so trying each in turn
  // is safe; only the winner's record is stored.
  Attempt attempt;
  if (eligible(record->current())) Try(record->current(), message, rng_, attempt);
  size_t winner = 0;  // 0: current; i + 1: previous(i).
  for (size_t i = 0; !attempt.plaintext && i < record->previous_count(); ++i) {
    if (!eligible(record->previous(i))) continue;
    Try(record->previous(i), message, rng_, attempt);
    if (attempt.plaintext) winner = i + 1;
  }
  if (!attempt.plaintext) {
    if (attempt.duplicate) return Status::DuplicateMessage("message was already decrypted");
    return Status::InvalidMessage("message does not decrypt");
  }
  if (winner > 0) record->PromotePrevious(winner - 1);
  SB_RETURN_IF_ERROR(sessions_.StoreSession(sender, *record));
  return Decrypted{std::move(*attempt.plaintext), false, IdentityChange::kUnchanged};
}

Result<SessionCipher::Decrypted> SessionCipher::StartSession(const DeviceAddress& sender,
                                                             ByteSpan message,
                                                             const InitialHeader& header,
                                                             std::optional<SessionRecord> record) {
  SB_ASSIGN_OR_RETURN(bool trusted, identities_.IsTrustedIdentity(sender, header.initiator_identity,
                                                                  IdentityDirection::kReceiving));
  if (!trusted) return Status::UntrustedIdentity("the sender's identity key is not trusted");
  SB_ASSIGN_OR_RETURN(std::optional<SignedPreKey> signed_prekey,
                      prekeys_.LoadSignedPreKey(header.signed_prekey_id));
  std::optional<OneTimePreKey> one_time_prekey;
  if (header.one_time_prekey_id) {
    SB_ASSIGN_OR_RETURN(one_time_prekey, prekeys_.LoadOneTimePreKey(*header.one_time_prekey_id));
  }
  if (!signed_prekey || (header.one_time_prekey_id && !one_time_prekey)) {
    // Used up by an earlier copy of this message, or never ours.
    return Status::InvalidMessage("the message names a prekey this device does not have");
  }
  Result<Session::Accepted> accepted =
      Session::Accept(identities_.LocalIdentity(), *signed_prekey,
                      one_time_prekey ? &*one_time_prekey : nullptr, message, rng_);
  if (!accepted.ok()) {
    // The prekeys were looked up by the header's ids, so any refusal is the
    // message's fault.
    return Status::InvalidMessage("message does not decrypt");
  }

  // Commit.
  SessionRecord updated = record ? std::move(*record) : SessionRecord();
  updated.Promote(std::move(accepted->session));
  SB_RETURN_IF_ERROR(sessions_.StoreSession(sender, updated));
  if (one_time_prekey) SB_RETURN_IF_ERROR(prekeys_.RemoveOneTimePreKey(one_time_prekey->id));
  SB_ASSIGN_OR_RETURN(IdentityChange change,
                      identities_.SaveIdentity(sender, header.initiator_identity));
  return Decrypted{std::move(accepted->plaintext), true, change};
}

}  // namespace securebase::crypto
