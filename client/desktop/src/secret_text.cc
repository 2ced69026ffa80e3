#include "secret_text.h"

#include <sys/mman.h>

#include <QByteArray>
#include <QString>
#include <cstdlib>
#include <cstring>

namespace securebase::desktop {

void WipeBytes(void* data, size_t size) {
  if (data != nullptr && size > 0) explicit_bzero(data, size);
}

std::shared_ptr<const SecretText> SecretText::FromQString(const QString& text) {
  QByteArray utf8 = text.toUtf8();
  auto secret = std::make_shared<const SecretText>(std::string_view(utf8.constData(), utf8.size()));
  WipeBytes(utf8.data(), static_cast<size_t>(utf8.size()));
  return secret;
}

SecretText::SecretText(std::string_view text) : size_(text.size()) {
  // One byte more so an empty passphrase still has a buffer.
  data_ = static_cast<char*>(std::malloc(size_ + 1));
  if (data_ == nullptr) std::abort();
  locked_ = mlock(data_, size_ + 1) == 0;  // Best effort: RLIMIT_MEMLOCK may refuse.
  std::memcpy(data_, text.data(), size_);
  data_[size_] = '\0';
}

SecretText::~SecretText() {
  WipeBytes(data_, size_ + 1);
  if (locked_) munlock(data_, size_ + 1);
  std::free(data_);
}

}  // namespace securebase::desktop
