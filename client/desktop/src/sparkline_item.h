// A small mood trend line (0-10) for the client overview: the last few
// check-ins, the latest one marked.
#ifndef SECUREBASE_DESKTOP_SPARKLINE_ITEM_H_
#define SECUREBASE_DESKTOP_SPARKLINE_ITEM_H_

#include <QColor>
#include <QQuickPaintedItem>
#include <QVariantList>

namespace securebase::desktop {

class SparklineItem : public QQuickPaintedItem {
  Q_OBJECT
  Q_PROPERTY(QVariantList values READ values WRITE setValues NOTIFY valuesChanged)
  Q_PROPERTY(double maximum READ maximum WRITE setMaximum NOTIFY valuesChanged)
  Q_PROPERTY(QColor color READ color WRITE setColor NOTIFY valuesChanged)

 public:
  explicit SparklineItem(QQuickItem* parent = nullptr);
  void paint(QPainter* painter) override;

  QVariantList values() const { return values_; }
  void setValues(const QVariantList& values);
  double maximum() const { return maximum_; }
  void setMaximum(double maximum);
  QColor color() const { return color_; }
  void setColor(const QColor& color);

 signals:
  void valuesChanged();

 private:
  QVariantList values_;
  double maximum_ = 10;
  QColor color_ = QColor("#3b6ea5");
};

}  // namespace securebase::desktop

#endif  // SECUREBASE_DESKTOP_SPARKLINE_ITEM_H_
