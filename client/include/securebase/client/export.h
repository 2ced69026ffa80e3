// Symbol visibility of the client library's C++ API. The shared library is
// built with hidden visibility: only what is marked here (and the C API of
// securebase.h, with its own SB_API) is exported.
#ifndef SECUREBASE_CLIENT_EXPORT_H_
#define SECUREBASE_CLIENT_EXPORT_H_

#if defined(__GNUC__) || defined(__clang__)
#define SECUREBASE_EXPORT [[gnu::visibility("default")]]
#else
#define SECUREBASE_EXPORT
#endif

#endif  // SECUREBASE_CLIENT_EXPORT_H_
