// One row of a list model as a map of its role names, for QML's
// `model.get(row)`-style access.
#ifndef SECUREBASE_DESKTOP_MODEL_ROWS_H_
#define SECUREBASE_DESKTOP_MODEL_ROWS_H_

#include <QAbstractItemModel>
#include <QVariantMap>

namespace securebase::desktop {

inline QVariantMap RowAsMap(const QAbstractItemModel& model, int row) {
  QVariantMap out;
  if (row < 0 || row >= model.rowCount()) return out;
  const QHash<int, QByteArray> names = model.roleNames();
  for (auto it = names.begin(); it != names.end(); ++it) {
    out.insert(QString::fromLatin1(it.value()), model.data(model.index(row, 0), it.key()));
  }
  return out;
}

}  // namespace securebase::desktop

#endif  // SECUREBASE_DESKTOP_MODEL_ROWS_H_
