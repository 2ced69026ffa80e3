// Registers the app's QML types under `import SecureBase 1.0`: the QrCode and
// Sparkline items, the Theme singleton (qrc:/qml/Theme.qml), and the
// view-model classes (not creatable from QML; Session owns them).
#ifndef SECUREBASE_DESKTOP_QML_TYPES_H_
#define SECUREBASE_DESKTOP_QML_TYPES_H_

class QQmlEngine;

namespace securebase::desktop {

// Once per process, before the first QML engine loads anything.
void RegisterQmlTypes();

// Settings every engine of the app gets: no QML disk cache (the app writes no
// caches), and the Basic style so layouts look alike everywhere.
void PrepareEnvironment();

}  // namespace securebase::desktop

#endif  // SECUREBASE_DESKTOP_QML_TYPES_H_
