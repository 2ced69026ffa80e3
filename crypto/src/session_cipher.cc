// Session selection and commit rules over the protocol stores: Signal's
// "X3DH" (section 3.3, sending the initial message; 3.4, receiving it) and
// "The Double Ratchet Algorithm" (section 3.5), with the session management
// libsignal adds: a record of the current and previous sessions per device.
#include "securebase/crypto/session_cipher.h"

#include <map>
#include <optional>
#include <utility>

#include "securebase/crypto/limits.h"

namespace securebase::crypto {

// A record borrowed from the session store (protocol_stores.h): given back
// unchanged on destruction unless Commit() stored it first, so that every
// early return hands it back.
class SessionCipher::Loan {
 public:
  Loan(SessionStore& store, DeviceAddress address) : store_(store), address_(std::move(address)) {}
  Loan(Loan&& other) noexcept
      : store_(other.store_),
        address_(std::move(other.address_)),
        record_(std::move(other.record_)),
        from_store_(other.from_store_) {
    other.record_.reset();
  }
  Loan(const Loan&) = delete;
  Loan& operator=(const Loan&) = delete;
  ~Loan() { Return(); }

  Status Load() {
    SB_ASSIGN_OR_RETURN(record_, store_.LoadSession(address_));
    from_store_ = record_.has_value();
    return Status::Ok();
  }
  bool has_current() const { return record_ && record_->has_current(); }
  // The borrowed record, or a new empty one when the store had none.
  SessionRecord& record() {
    if (!record_) record_.emplace();
    return *record_;
  }
  // Stores the (changed) record; the loan is over either way.
  Status Commit() {
    SessionRecord record = std::move(*record_);
    record_.reset();
    return store_.StoreSession(address_, std::move(record));
  }
  // Gives the record back as it was, or replaced by `restored` (the same
  // content, rebuilt after a failed send changed the borrowed one).
  void Return(std::optional<SessionRecord> restored = std::nullopt) {
    if (restored) record_ = std::move(restored);
    if (record_ && from_store_) store_.ReleaseSession(address_, std::move(*record_));
    record_.reset();
  }

 private:
  SessionStore& store_;
  DeviceAddress address_;
  std::optional<SessionRecord> record_;
  bool from_store_ = false;
};

namespace {

// The outcome of trying the eligible sessions of a record in turn. A
// duplicate anywhere wins over "does not decrypt", so a replay stays a replay.
struct Attempt {
  std::optional<SecretBytes> plaintext;
  bool duplicate = false;
};

void Try(Session& session, ByteSpan message, RandomSource& rng, Attempt& attempt) {
  // Decrypt leaves a session unchanged when it fails.
  Result<SecretBytes> result = session.Decrypt(message, rng);
  if (result.ok()) {
    attempt.plaintext.emplace(std::move(result).value());
  } else if (result.status().code() == ErrorCode::kDuplicateMessage) {
    attempt.duplicate = true;
  }
}

}  // namespace

Result<std::vector<Bytes>> SessionCipher::EncryptToAll(std::span<const Recipient> recipients) {
  for (const Recipient& recipient : recipients) {
    if (recipient.plaintext.size() > kMaxPlaintextSize) {
      return Status::InvalidArgument("plaintext is too large");
    }
  }
  // State not committed yet: every record is borrowed (or started) and
  // checked before any session advances; nothing is stored until every
  // recipient has encrypted.
  struct Pending {
    Loan loan;
    bool new_session = false;
    IdentityPublicKey identity;
    SecretBytes snapshot;  // The borrowed record as it was, to undo a failed send.
  };
  std::map<DeviceAddress, Pending> pending;
  for (const Recipient& recipient : recipients) {
    if (pending.count(recipient.address)) continue;
    Pending entry{Loan(sessions_, recipient.address), false, IdentityPublicKey(), SecretBytes()};
    SB_RETURN_IF_ERROR(entry.loan.Load());
    if (entry.loan.has_current()) {
      entry.identity = entry.loan.record().current().remote_identity();
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
      entry.loan.record().Promote(std::move(session));
    } else {
      entry.snapshot = entry.loan.record().Serialize();
    }
    pending.emplace(recipient.address, std::move(entry));
  }

  std::vector<Bytes> ciphertexts;
  ciphertexts.reserve(recipients.size());
  for (const Recipient& recipient : recipients) {
    Session& session = pending.at(recipient.address).loan.record().current();
    Result<Bytes> ciphertext = session.Encrypt(recipient.plaintext, rng_);
    if (!ciphertext.ok()) {
      // Undo the sessions advanced so far: give back what was borrowed.
      for (auto& [address, entry] : pending) {
        if (entry.new_session) continue;
        Result<SessionRecord> restored = SessionRecord::Deserialize(entry.snapshot.span());
        if (!restored.ok()) std::abort();  // It was serialized just above.
        entry.loan.Return(std::move(restored).value());
      }
      return ciphertext.status();
    }
    ciphertexts.push_back(std::move(ciphertext).value());
  }

  // Commit.
  for (auto& [address, entry] : pending) SB_RETURN_IF_ERROR(entry.loan.Commit());
  for (auto& [address, entry] : pending) {
    if (!entry.new_session) continue;
    // For sending, a change was noticed when the caller recorded the key it
    // fetched; saving it here only records a first contact's key.
    SB_ASSIGN_OR_RETURN(IdentityChange change, identities_.SaveIdentity(address, entry.identity));
    static_cast<void>(change);
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
  Loan loan(sessions_, address);
  SB_RETURN_IF_ERROR(loan.Load());
  return loan.has_current();
}

Result<SessionCipher::Decrypted> SessionCipher::Decrypt(const DeviceAddress& sender,
                                                        ByteSpan message) {
  SB_ASSIGN_OR_RETURN(MessageType type, PeekMessageType(message));
  std::optional<InitialHeader> initial;
  if (type == MessageType::kInitial) {
    SB_ASSIGN_OR_RETURN(InitialMessage parsed, ParseInitialMessage(message));
    initial = parsed.header;
  }
  Loan loan(sessions_, sender);
  SB_RETURN_IF_ERROR(loan.Load());
  // An initial message is for the session its base key started; a ratchet
  // message for whichever stored session's header keys open it.
  auto eligible = [&](const Session& session) {
    return !initial || session.base_key() == initial->base_key;
  };
  if (initial) {
    bool known = false;
    if (loan.has_current()) {
      SessionRecord& record = loan.record();
      known = eligible(record.current());
      for (size_t i = 0; i < record.previous_count(); ++i) {
        known = known || eligible(record.previous(i));
      }
    }
    if (!known) return StartSession(sender, message, *initial, loan);
  }
  if (!loan.has_current()) return Status::InvalidMessage("no session with the sender");

  SessionRecord& record = loan.record();
  Attempt attempt;
  if (eligible(record.current())) Try(record.current(), message, rng_, attempt);
  size_t winner = 0;  // 0: current; i + 1: previous(i).
  for (size_t i = 0; !attempt.plaintext && i < record.previous_count(); ++i) {
    if (!eligible(record.previous(i))) continue;
    Try(record.previous(i), message, rng_, attempt);
    if (attempt.plaintext) winner = i + 1;
  }
  if (!attempt.plaintext) {
    if (attempt.duplicate) return Status::DuplicateMessage("message was already decrypted");
    return Status::InvalidMessage("message does not decrypt");
  }
  // Commit: the session that decrypted becomes current.
  if (winner > 0) record.PromotePrevious(winner - 1);
  SB_RETURN_IF_ERROR(loan.Commit());
  return Decrypted{std::move(*attempt.plaintext), false, IdentityChange::kUnchanged};
}

Result<SessionCipher::Decrypted> SessionCipher::StartSession(const DeviceAddress& sender,
                                                             ByteSpan message,
                                                             const InitialHeader& header,
                                                             Loan& loan) {
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

  // Commit: the new session becomes current; the one it replaces is kept.
  loan.record().Promote(std::move(accepted->session));
  SB_RETURN_IF_ERROR(loan.Commit());
  if (one_time_prekey) SB_RETURN_IF_ERROR(prekeys_.RemoveOneTimePreKey(one_time_prekey->id));
  SB_ASSIGN_OR_RETURN(IdentityChange change,
                      identities_.SaveIdentity(sender, header.initiator_identity));
  return Decrypted{std::move(accepted->plaintext), true, change};
}

}  // namespace securebase::crypto
