#pragma once
// The collection's map: every chunk as a dot on the two directions along which its vectors
// spread the most, coloured by document; after a search the question is a star and the chunks
// it retrieved are ringed and numbered by rank. Hovering a dot names its document and first
// words; clicking it asks to show that chunk.
#include <QHash>
#include <QPointF>
#include <QVector>
#include <QWidget>
#include <memory>

namespace fm::rag {
struct ChunkMap;
}

namespace fm::ui {

class ChunkMapView : public QWidget {
  Q_OBJECT
 public:
  struct Mark {
    qint64 chunk = 0;
    QPointF at;
    int rank = 0;  // 1-based
  };

  explicit ChunkMapView(QWidget* parent = nullptr);
  void setMap(std::shared_ptr<const fm::rag::ChunkMap> map, const QHash<qint64, QString>& documentNames);
  // The question's place (none: `hasQuery` false) and the retrieved chunks', best first.
  void setQuery(bool hasQuery, QPointF at, const QVector<Mark>& hits);
  void clear();
  bool hasMap() const { return m_map != nullptr; }
  int pointCount() const;
  int markCount() const { return m_hits.size(); }
  bool hasQuery() const { return m_hasQuery; }
  // The dot nearest to a widget position within `radius` pixels (-1: none); for tests.
  int pointAt(QPointF pos, double radius = 6) const;
  QPointF widgetPos(QPointF mapPoint) const;

  QSize sizeHint() const override { return {480, 300}; }
  QSize minimumSizeHint() const override { return {200, 140}; }

 Q_SIGNALS:
  void chunkClicked(qint64 chunk, qint64 document);

 protected:
  void paintEvent(QPaintEvent* event) override;
  void mouseMoveEvent(QMouseEvent* event) override;
  void mousePressEvent(QMouseEvent* event) override;
  void leaveEvent(QEvent* event) override;

 private:
  QRectF plotRect() const;
  QColor documentColour(qint64 document) const;
  std::shared_ptr<const fm::rag::ChunkMap> m_map;
  QHash<qint64, QString> m_names;
  QHash<qint64, int> m_docOrder;  // document id -> colour index
  QRectF m_bounds;                // of the points and marks, in map units
  bool m_hasQuery = false;
  QPointF m_query;
  QVector<Mark> m_hits;
  int m_hover = -1;
};

}  // namespace fm::ui
