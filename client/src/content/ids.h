// Message ids in content: hex in the public structs, 16 raw bytes on the
// wire. A malformed hex id never reaches the wire: validation refuses it
// first. Private to client/.
#ifndef SECUREBASE_CLIENT_SRC_CONTENT_IDS_H_
#define SECUREBASE_CLIENT_SRC_CONTENT_IDS_H_

#include <string>

#include "securebase/crypto/encoding.h"

namespace securebase::client {

inline std::string IdToWire(const std::string& hex) {
  return crypto::FromHex(hex).value_or(std::string());
}
inline std::string IdFromWire(const std::string& bytes) { return crypto::ToHex(bytes); }

}  // namespace securebase::client

#endif  // SECUREBASE_CLIENT_SRC_CONTENT_IDS_H_
