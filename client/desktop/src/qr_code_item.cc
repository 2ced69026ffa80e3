#include "qr_code_item.h"

#include <qrencode.h>

#include <QPainter>

#include "secret_text.h"

namespace securebase::desktop {

QrMatrix EncodeQr(const QString& text) {
  QrMatrix matrix;
  if (text.isEmpty()) return matrix;
  QByteArray utf8 = text.toUtf8();
  QRcode* code = QRcode_encodeString(utf8.constData(), 0, QR_ECLEVEL_M, QR_MODE_8, 1);
  WipeBytes(utf8.data(), static_cast<size_t>(utf8.size()));
  if (code == nullptr) return matrix;
  matrix.size = code->width;
  matrix.dark.resize(static_cast<size_t>(code->width) * code->width);
  for (size_t i = 0; i < matrix.dark.size(); ++i) matrix.dark[i] = (code->data[i] & 1) != 0;
  // The encoded data is the invite code or safety number: wipe it.
  WipeBytes(code->data, matrix.dark.size());
  QRcode_free(code);
  return matrix;
}

QrCodeItem::QrCodeItem(QQuickItem* parent) : QQuickPaintedItem(parent) { setAntialiasing(false); }

void QrCodeItem::setText(const QString& text) {
  if (text == text_) return;
  text_ = text;
  matrix_ = EncodeQr(text);
  emit textChanged();
  update();
}

void QrCodeItem::paint(QPainter* painter) {
  const qreal side = std::min(width(), height());
  painter->fillRect(QRectF(0, 0, side, side), Qt::white);
  if (matrix_.size == 0) return;
  const int quiet = 4;  // The quiet zone the standard asks for, in modules.
  const int total = matrix_.size + 2 * quiet;
  const qreal module = side / total;
  painter->setPen(Qt::NoPen);
  painter->setBrush(Qt::black);
  for (int y = 0; y < matrix_.size; ++y) {
    for (int x = 0; x < matrix_.size; ++x) {
      if (!matrix_.dark[static_cast<size_t>(y) * matrix_.size + x]) continue;
      painter->drawRect(
          QRectF((x + quiet) * module, (y + quiet) * module, module + 0.5, module + 0.5));
    }
  }
}

}  // namespace securebase::desktop
