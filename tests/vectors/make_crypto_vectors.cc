// Writes the known-answer transcript: make_crypto_vectors <file>
// (tests/vectors/crypto_v3.txt). Only for a deliberate format or KDF change;
// crypto_vectors_test then checks the library against the new file, and the
// Python model checks the file independently.
#include <cstdio>
#include <fstream>

#include "tests/vectors/transcript.h"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s <file>\n", argv[0]);
    return 2;
  }
  std::ofstream out(argv[1], std::ios::trunc);
  out << securebase::vectors::FormatTranscript(securebase::vectors::BuildTranscript());
  return out ? 0 : 1;
}
