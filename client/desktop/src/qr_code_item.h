// A QR code of `text` (libqrencode, error correction M), drawn as crisp
// squares in memory; nothing is written to disk or cached by URL.
#ifndef SECUREBASE_DESKTOP_QR_CODE_ITEM_H_
#define SECUREBASE_DESKTOP_QR_CODE_ITEM_H_

#include <QQuickPaintedItem>
#include <QString>
#include <vector>

namespace securebase::desktop {

// The modules of a QR code, row by row (true: dark); empty when `text` is
// empty or too long to encode.
struct QrMatrix {
  int size = 0;
  std::vector<bool> dark;
};
QrMatrix EncodeQr(const QString& text);

class QrCodeItem : public QQuickPaintedItem {
  Q_OBJECT
  Q_PROPERTY(QString text READ text WRITE setText NOTIFY textChanged)
  Q_PROPERTY(int modules READ modules NOTIFY textChanged)

 public:
  explicit QrCodeItem(QQuickItem* parent = nullptr);
  void paint(QPainter* painter) override;

  QString text() const { return text_; }
  void setText(const QString& text);
  int modules() const { return matrix_.size; }

 signals:
  void textChanged();

 private:
  QString text_;
  QrMatrix matrix_;
};

}  // namespace securebase::desktop

#endif  // SECUREBASE_DESKTOP_QR_CODE_ITEM_H_
