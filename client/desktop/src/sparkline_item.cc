#include "sparkline_item.h"

#include <QPainter>
#include <QPainterPath>

namespace securebase::desktop {

SparklineItem::SparklineItem(QQuickItem* parent) : QQuickPaintedItem(parent) {
  setAntialiasing(true);
}

void SparklineItem::setValues(const QVariantList& values) {
  values_ = values;
  emit valuesChanged();
  update();
}

void SparklineItem::setMaximum(double maximum) {
  maximum_ = maximum > 0 ? maximum : 1;
  emit valuesChanged();
  update();
}

void SparklineItem::setColor(const QColor& color) {
  color_ = color;
  emit valuesChanged();
  update();
}

void SparklineItem::paint(QPainter* painter) {
  painter->setRenderHint(QPainter::Antialiasing, true);
  const qreal pad = 3;
  const qreal w = width() - 2 * pad;
  const qreal h = height() - 2 * pad;
  // The midline (5 of 10) as a faint reference.
  painter->setPen(QPen(QColor(0, 0, 0, 30), 1, Qt::DashLine));
  painter->drawLine(QPointF(pad, pad + h / 2), QPointF(pad + w, pad + h / 2));
  if (values_.isEmpty() || w <= 0 || h <= 0) return;
  auto point = [&](int i) {
    const qreal x = values_.size() == 1 ? pad + w : pad + w * i / (values_.size() - 1);
    const qreal v = std::clamp(values_[i].toDouble(), 0.0, maximum_);
    return QPointF(x, pad + h - h * v / maximum_);
  };
  QPainterPath path(point(0));
  for (int i = 1; i < values_.size(); ++i) path.lineTo(point(i));
  painter->setPen(QPen(color_, 2, Qt::SolidLine, Qt::RoundCap, Qt::RoundJoin));
  painter->setBrush(Qt::NoBrush);
  painter->drawPath(path);
  painter->setPen(Qt::NoPen);
  painter->setBrush(color_);
  painter->drawEllipse(point(static_cast<int>(values_.size()) - 1), 3, 3);
}

}  // namespace securebase::desktop
