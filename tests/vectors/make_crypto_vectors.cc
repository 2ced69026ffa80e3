// Writes a known-answer transcript:
//   make_crypto_vectors <file>             tests/vectors/crypto_v3.txt
//   make_crypto_vectors --linking <file>   tests/vectors/linking_v1.txt
// Only for a deliberate format or KDF change; crypto_vectors_test then checks
// the library against the new file, and the Python model checks the file
// independently.
#include <cstdio>
#include <fstream>
#include <string_view>

#include "tests/vectors/transcript.h"

int main(int argc, char** argv) {
  namespace v = securebase::vectors;
  const bool linking = argc == 3 && std::string_view(argv[1]) == "--linking";
  if (argc != 2 && !linking) {
    std::fprintf(stderr, "usage: %s [--linking] <file>\n", argv[0]);
    return 2;
  }
  std::ofstream out(argv[argc - 1], std::ios::trunc);
  out << (linking ? v::FormatLinkingTranscript(v::BuildLinkingTranscript())
                  : v::FormatTranscript(v::BuildTranscript()));
  return out ? 0 : 1;
}
