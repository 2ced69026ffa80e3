// The fixed-seed known-answer transcript of tests/vectors/crypto_v3.txt:
// identities, a device-bound bundle and device binding, X3DH (with and
// without a one-time prekey), the first three messages each way, and safety
// numbers, all from DeterministicRandom(kTranscriptSeed). Built by the same
// code for the C++ known-answer test (tests/crypto/vectors_test.cc), for the
// writer that regenerates the file (make_crypto_vectors), and checked
// independently by the Python model (reference_model.py).
#ifndef SECUREBASE_TESTS_VECTORS_TRANSCRIPT_H_
#define SECUREBASE_TESTS_VECTORS_TRANSCRIPT_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace securebase::vectors {

inline constexpr uint64_t kTranscriptSeed = 0x7EC70125;

// (name, value) in file order. Values are lower-case hex, or decimal for
// ids, or "text" in double quotes for plaintexts. Aborts if the library
// cannot run its own protocol (a broken build).
std::vector<std::pair<std::string, std::string>> BuildTranscript();

// The linking transcript of tests/vectors/linking_v1.txt (issue 12): a link
// code and its text, two provisioning messages (with and without a history
// key), a history-transfer archive, a recovery key and its text, and a
// backup file, all from DeterministicRandom(kLinkingSeed)
// (linking_transcript.cc).
inline constexpr uint64_t kLinkingSeed = 0x11AC0012;
std::vector<std::pair<std::string, std::string>> BuildLinkingTranscript();

// The file's text: a comment header, then one "name = value" line each.
std::string FormatTranscript(const std::vector<std::pair<std::string, std::string>>& entries);
std::string FormatLinkingTranscript(
    const std::vector<std::pair<std::string, std::string>>& entries);

// Parses FormatTranscript's format ('#' comments, blank lines ignored).
// Returns false on a malformed line.
bool ParseTranscript(const std::string& text,
                     std::vector<std::pair<std::string, std::string>>& entries);

}  // namespace securebase::vectors

#endif  // SECUREBASE_TESTS_VECTORS_TRANSCRIPT_H_
