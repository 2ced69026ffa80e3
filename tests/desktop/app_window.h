// The whole app (Main.qml over a Session) in a window for tests, screenshots
// and benchmarks: navigate as the user would (HomeScreen.show), find items
// by objectName, wait for frames, grab the window.
#ifndef SECUREBASE_TESTS_DESKTOP_APP_WINDOW_H_
#define SECUREBASE_TESTS_DESKTOP_APP_WINDOW_H_

#include <QImage>
#include <QQmlApplicationEngine>
#include <QQuickItem>
#include <QQuickWindow>
#include <memory>

#include "session.h"

namespace securebase::desktop::testing {

class AppWindow {
 public:
  // Loads Main.qml over `session` (not owned) and waits until it is exposed.
  explicit AppWindow(Session* session, QSize size = QSize(1120, 760));
  ~AppWindow();

  bool loaded() const { return window_ != nullptr; }
  QQuickWindow* window() const { return window_; }
  Session* session() const { return session_; }
  // HomeScreen.show(page, params); false when the home screen is not shown.
  bool Show(const QString& page, const QVariantMap& params = {});
  // The visible item with this objectName under the window, or nullptr.
  QQuickItem* Find(const QString& object_name) const;
  // Waits for pending events and a couple of frames.
  void Settle(int ms = 150) const;
  // Frames swapped so far.
  int frames() const { return *frames_; }
  QImage Grab() const;
  // QML warnings and errors seen since the window loaded.
  const QStringList& warnings() const { return *warnings_; }
  void ClearWarnings() { warnings_->clear(); }

 private:
  Session* session_;
  QQmlApplicationEngine engine_;
  QQuickWindow* window_ = nullptr;
  std::shared_ptr<int> frames_ = std::make_shared<int>(0);
  std::shared_ptr<QStringList> warnings_ = std::make_shared<QStringList>();
};

// Why `image` looks like an empty screen (one colour over almost all of it,
// or too few colours to hold text), or "" when it does not.
QString EmptyScreenReason(const QImage& image);

}  // namespace securebase::desktop::testing

#endif  // SECUREBASE_TESTS_DESKTOP_APP_WINDOW_H_
