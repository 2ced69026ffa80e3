// A passphrase while an unlock takes: held in locked memory (never swapped
// when mlock is allowed), wiped when the last holder lets go, never copied
// into a std::string or a QString by this class.
//
// The QML text field the person typed into has its own copy, which the UI
// clears as soon as it handed the text over (Session::unlock); Qt gives no way
// to wipe a QString's old buffer, so that copy lives until the allocator
// reuses it. That is the limit of what an app on Qt can promise.
#ifndef SECUREBASE_DESKTOP_SECRET_TEXT_H_
#define SECUREBASE_DESKTOP_SECRET_TEXT_H_

#include <cstddef>
#include <memory>
#include <string_view>

class QString;

namespace securebase::desktop {

class SecretText {
 public:
  // Copies the UTF-8 form of `text`; the temporary UTF-8 buffer is wiped.
  static std::shared_ptr<const SecretText> FromQString(const QString& text);
  explicit SecretText(std::string_view text);
  ~SecretText();  // Wiped on destruction.
  SecretText(const SecretText&) = delete;
  SecretText& operator=(const SecretText&) = delete;

  std::string_view view() const { return {data_, size_}; }
  bool empty() const { return size_ == 0; }

 private:
  char* data_ = nullptr;
  size_t size_ = 0;
  bool locked_ = false;
};

// Overwrites `size` bytes at `data` in a way the compiler may not drop.
void WipeBytes(void* data, size_t size);

}  // namespace securebase::desktop

#endif  // SECUREBASE_DESKTOP_SECRET_TEXT_H_
