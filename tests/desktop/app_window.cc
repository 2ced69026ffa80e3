#include "tests/desktop/app_window.h"

#include <QQmlContext>
#include <QSet>
#include <QTest>

namespace securebase::desktop::testing {

AppWindow::AppWindow(Session* session, QSize size) : session_(session) {
  auto warnings = warnings_;
  QObject::connect(&engine_, &QQmlEngine::warnings, [warnings](const QList<QQmlError>& list) {
    for (const QQmlError& e : list) warnings->append(e.toString());
  });
  engine_.rootContext()->setContextProperty("session", session);
  engine_.rootContext()->setContextProperty("windowTitleSuffix", QString());
  engine_.load(QUrl("qrc:/qml/Main.qml"));
  if (engine_.rootObjects().isEmpty()) return;
  window_ = qobject_cast<QQuickWindow*>(engine_.rootObjects().first());
  if (window_ == nullptr) return;
  auto frames = frames_;
  QObject::connect(window_, &QQuickWindow::frameSwapped, [frames] { ++*frames; });
  window_->resize(size);
  window_->show();
  if (!QTest::qWaitForWindowExposed(window_)) window_ = nullptr;
  Settle();
}

AppWindow::~AppWindow() = default;

bool AppWindow::Show(const QString& page, const QVariantMap& params) {
  QObject* home = Find("homeScreen");
  if (home == nullptr) return false;
  const bool ok = QMetaObject::invokeMethod(home, "show", Q_ARG(QVariant, page),
                                            Q_ARG(QVariant, QVariant(params)));
  Settle();
  return ok;
}

namespace {

// Through the visual tree: items a Loader made are not QObject children.
QQuickItem* FindVisible(QQuickItem* item, const QString& object_name) {
  if (item == nullptr || !item->isVisible()) return nullptr;
  if (item->objectName() == object_name) return item;
  for (QQuickItem* child : item->childItems()) {
    if (QQuickItem* found = FindVisible(child, object_name)) return found;
  }
  return nullptr;
}

}  // namespace

QQuickItem* AppWindow::Find(const QString& object_name) const {
  if (window_ == nullptr) return nullptr;
  return FindVisible(window_->contentItem(), object_name);
}

void AppWindow::Settle(int ms) const {
  if (window_ == nullptr) return;
  const int start = *frames_;
  QTest::qWait(ms);
  // At least two more frames after the waiting (layouts settle in one).
  for (int i = 0; i < 40 && *frames_ < start + 2; ++i) {
    window_->update();
    QTest::qWait(20);
  }
}

QImage AppWindow::Grab() const { return window_ ? window_->grabWindow() : QImage(); }

QString EmptyScreenReason(const QImage& image) {
  if (image.isNull() || image.width() < 100 || image.height() < 100) return "no image";
  QHash<QRgb, int> counts;
  const int step = 3;
  int samples = 0;
  for (int y = 0; y < image.height(); y += step) {
    for (int x = 0; x < image.width(); x += step) {
      ++counts[image.pixel(x, y)];
      ++samples;
    }
  }
  int most = 0;
  for (int c : counts) most = std::max(most, c);
  if (most > samples * 97 / 100) return "one colour covers 97% of the window";
  if (counts.size() < 24) return QString("only %1 colours: no text or controls").arg(counts.size());
  return {};
}

}  // namespace securebase::desktop::testing
