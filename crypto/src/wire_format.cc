#include "wire_format.h"

#include <algorithm>

#include "byte_io.h"

namespace securebase::crypto {
namespace internal {
namespace {

constexpr size_t kMaxBody = kMaxPlaintextSize + kMaxPlaintextSize / 8 + kTagSize;

}  // namespace

Result<ParsedMessage> ParseRatchetMessage(ByteSpan message) {
  const Status malformed = Status::InvalidMessage("malformed ratchet message");
  if (message.empty()) return malformed;
  size_t lead = 0;
  if (message[0] == kMessageVersion) {
    if (message.size() < kRatchetLeadSize || message[1] != kRatchetMessageType) return malformed;
    lead = kRatchetLeadSize;
  } else if (message[0] == kLegacyRatchetMessageVersion) {
    lead = kLegacyRatchetLeadSize;
  } else {
    return malformed;
  }
  const size_t header_end = lead + kNonceSize + kHeaderCipherSize;
  if (message.size() < header_end + kNonceSize + kTagSize ||
      message.size() > header_end + kNonceSize + kMaxBody) {
    return malformed;
  }
  ParsedMessage parsed;
  parsed.legacy = lead == kLegacyRatchetLeadSize;
  parsed.lead = message.first(lead);
  parsed.header_nonce = message.subspan(lead, kNonceSize);
  parsed.encrypted_header = message.subspan(lead + kNonceSize, kHeaderCipherSize);
  parsed.prefix = message.first(header_end);
  parsed.body_nonce = message.subspan(header_end, kNonceSize);
  parsed.encrypted_body = message.subspan(header_end + kNonceSize);
  return parsed;
}

void WriteInitialPrefix(const InitialHeader& header, uint8_t* out) {
  *out++ = kMessageVersion;
  *out++ = kInitialMessageType;
  *out++ = kInitialHeaderVersion;
  out = std::copy(header.initiator_identity.array().begin(),
                  header.initiator_identity.array().end(), out);
  out = std::copy(header.base_key.array().begin(), header.base_key.array().end(), out);
  PutU32(out, header.signed_prekey_id);
  out[4] = header.one_time_prekey_id ? 1 : 0;
  PutU32(out + 5, header.one_time_prekey_id.value_or(0));
}

}  // namespace internal

Result<MessageType> PeekMessageType(ByteSpan message) {
  if (message.empty()) return Status::InvalidMessage("empty message");
  if (message[0] == kMessageVersion) {
    if (message.size() >= 2 && message[1] == kRatchetMessageType) return MessageType::kRatchet;
    if (message.size() >= 2 && message[1] == kInitialMessageType) return MessageType::kInitial;
    return Status::InvalidMessage("unknown message type");
  }
  if (message[0] == kLegacyRatchetMessageVersion) return MessageType::kRatchet;
  if (message[0] == kLegacyInitialMessageVersion) return MessageType::kInitial;
  return Status::InvalidMessage("unknown message version");
}

Result<InitialMessage> ParseInitialMessage(ByteSpan message) {
  const Status malformed = Status::InvalidMessage("malformed initial message");
  internal::Reader reader(message);
  InitialMessage parsed;
  uint8_t version = 0, type = 0, header_version = 0, has_otk = 0;
  uint32_t otk_id = 0;
  if (!reader.U8(version)) return malformed;
  if (version == kMessageVersion) {
    if (!reader.U8(type) || type != kInitialMessageType || !reader.U8(header_version) ||
        header_version != kInitialHeaderVersion) {
      return malformed;
    }
  } else if (version != kLegacyInitialMessageVersion) {
    return malformed;
  }
  if (!reader.Raw(std::span<uint8_t>(parsed.header.initiator_identity.data(), 32)) ||
      !reader.Raw(std::span<uint8_t>(parsed.header.base_key.data(), 32)) ||
      !reader.U32(parsed.header.signed_prekey_id) || !reader.U8(has_otk) || !reader.U32(otk_id)) {
    return malformed;
  }
  if (has_otk == 1) {
    parsed.header.one_time_prekey_id = otk_id;
  } else if (has_otk != 0 || otk_id != 0) {
    return malformed;
  }
  parsed.format_version = version;
  parsed.ratchet_message = reader.Rest();
  SB_ASSIGN_OR_RETURN(internal::ParsedMessage inner,
                      internal::ParseRatchetMessage(parsed.ratchet_message));
  // A v3 initial message embeds a v3 ratchet message, a legacy one a legacy one.
  if (inner.legacy != (version == kLegacyInitialMessageVersion)) return malformed;
  return parsed;
}

}  // namespace securebase::crypto
