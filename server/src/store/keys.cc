#include "server/src/store/keys.h"

namespace securebase::server::keys {

void AppendBe32(std::string& out, uint32_t value) {
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<char>((value >> shift) & 0xff));
}

void AppendBe64(std::string& out, uint64_t value) {
  for (int shift = 56; shift >= 0; shift -= 8) out.push_back(static_cast<char>((value >> shift) & 0xff));
}

uint32_t ReadBe32(std::string_view in, size_t offset) {
  uint32_t value = 0;
  for (size_t i = 0; i < 4; ++i) value = (value << 8) | static_cast<uint8_t>(in[offset + i]);
  return value;
}

uint64_t ReadBe64(std::string_view in, size_t offset) {
  uint64_t value = 0;
  for (size_t i = 0; i < 8; ++i) value = (value << 8) | static_cast<uint8_t>(in[offset + i]);
  return value;
}

std::string EncodeBe64(uint64_t value) {
  std::string out;
  AppendBe64(out, value);
  return out;
}

std::string Device(std::string_view user_id, uint32_t device_id) {
  std::string out(user_id);
  AppendBe32(out, device_id);
  return out;
}

std::string PreKeyDevicePrefix(std::string_view user_id, uint32_t device_id) {
  return Device(user_id, device_id);
}

std::string PreKey(std::string_view user_id, uint32_t device_id, uint32_t key_id) {
  std::string out = Device(user_id, device_id);
  AppendBe32(out, key_id);
  return out;
}

uint32_t PreKeyIdOf(std::string_view key) { return ReadBe32(key, key.size() - 4); }

std::string Invite(std::string_view secret_hash) {
  std::string out(1, kInviteRecordTag);
  out.append(secret_hash);
  return out;
}

std::string InviteIndexPrefix(std::string_view therapist_id) {
  std::string out(1, kInviteIndexTag);
  out.append(therapist_id);
  return out;
}

std::string InviteIndex(std::string_view therapist_id, std::string_view secret_hash) {
  std::string out = InviteIndexPrefix(therapist_id);
  out.append(secret_hash);
  return out;
}

std::string Link(std::string_view user_id, std::string_view peer_id) {
  std::string out(user_id);
  out.append(peer_id);
  return out;
}

std::string MailboxPrefix(std::string_view user_id, uint32_t device_id) {
  std::string out(1, kEnvelopeTag);
  out.append(user_id);
  AppendBe32(out, device_id);
  return out;
}

std::string Envelope(std::string_view user_id, uint32_t device_id, uint64_t seq) {
  std::string out = MailboxPrefix(user_id, device_id);
  AppendBe64(out, seq);
  return out;
}

std::string HighWater(std::string_view user_id, uint32_t device_id) {
  std::string out(1, kHighWaterTag);
  out.append(user_id);
  AppendBe32(out, device_id);
  return out;
}

std::string MailboxUsage(std::string_view user_id, uint32_t device_id) {
  return Device(user_id, device_id);
}

uint64_t EnvelopeSeqOf(std::string_view key) { return ReadBe64(key, key.size() - 8); }

std::string Idempotency(std::string_view user_id, uint32_t device_id,
                        std::string_view client_message_id) {
  std::string out = Device(user_id, device_id);
  out.append(client_message_id);
  return out;
}

std::string TokenIndex(std::string_view user_id, uint32_t device_id, uint64_t created_ms,
                       std::string_view token_hash) {
  std::string out = Device(user_id, device_id);
  AppendBe64(out, created_ms);
  out.append(token_hash);
  return out;
}

std::string Audit(uint64_t time_ms, uint64_t counter) {
  std::string out;
  AppendBe64(out, time_ms);
  AppendBe64(out, counter);
  return out;
}

std::optional<std::string> PrefixSuccessor(std::string_view prefix) {
  std::string out(prefix);
  while (!out.empty()) {
    auto last = static_cast<uint8_t>(out.back());
    if (last != 0xff) {
      out.back() = static_cast<char>(last + 1);
      return out;
    }
    out.pop_back();
  }
  return std::nullopt;
}

}  // namespace securebase::server::keys
