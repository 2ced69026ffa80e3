#include "qml_types.h"

#include <QQmlEngine>
#include <QQuickStyle>
#include <QUrl>

#include "care_controller.h"
#include "contact_list_model.h"
#include "conversation_model.h"
#include "dashboard_model.h"
#include "exercise_list_model.h"
#include "qr_code_item.h"
#include "session.h"
#include "sparkline_item.h"
#include "template_list_model.h"
#include "trust_controller.h"

namespace securebase::desktop {

void PrepareEnvironment() {
  // QML files are compiled in memory only: no cache files under ~/.cache.
  qputenv("QML_DISABLE_DISK_CACHE", "1");
  QQuickStyle::setStyle("Basic");
}

void RegisterQmlTypes() {
  static bool done = false;
  if (done) return;
  done = true;
  const char* uri = "SecureBase";
  qmlRegisterType<QrCodeItem>(uri, 1, 0, "QrCode");
  qmlRegisterType<SparklineItem>(uri, 1, 0, "Sparkline");
  qmlRegisterSingletonType(QUrl("qrc:/qml/Theme.qml"), uri, 1, 0, "Theme");
  const QString owned = "owned by Session";
  qmlRegisterUncreatableType<Session>(uri, 1, 0, "Session", owned);
  qmlRegisterUncreatableType<ContactListModel>(uri, 1, 0, "ContactListModel", owned);
  qmlRegisterUncreatableType<ConversationModel>(uri, 1, 0, "ConversationModel", owned);
  qmlRegisterUncreatableType<ExerciseListModel>(uri, 1, 0, "ExerciseListModel", owned);
  qmlRegisterUncreatableType<DashboardModel>(uri, 1, 0, "DashboardModel", owned);
  qmlRegisterUncreatableType<TemplateListModel>(uri, 1, 0, "TemplateListModel", owned);
  qmlRegisterUncreatableType<TrustController>(uri, 1, 0, "TrustController", owned);
  qmlRegisterUncreatableType<CareController>(uri, 1, 0, "CareController", owned);
}

}  // namespace securebase::desktop
