// The pictures of a folder as a list model for a thumbnail grid. Thumbnails are decoded on a
// small thread pool only when the view asks for them (the visible ones), cached, and delivered
// back on the GUI thread, so a folder of thousands of pictures scrolls smoothly. A picture that
// cannot be read shows a broken-picture mark and says why in its tooltip. Zero-shot labels,
// once computed, are shown under each picture.
#pragma once

#include <QAbstractListModel>
#include <QCache>
#include <QHash>
#include <QImage>
#include <QSet>
#include <QStringList>
#include <QThreadPool>
#include <vector>

namespace fm::ui {

class ThumbnailModel : public QAbstractListModel {
  Q_OBJECT
 public:
  enum Roles { PathRole = Qt::UserRole + 1 };
  static constexpr int kSide = 112;

  explicit ThumbnailModel(QObject* parent = nullptr);
  ~ThumbnailModel() override;

  void setFiles(const QStringList& files);
  const QStringList& files() const { return m_files; }
  // Labels and their probabilities per picture (by path); the best one is shown.
  void setLabels(const QStringList& labels, const QHash<QString, std::vector<double>>& probabilities);
  void clearLabels();
  const QStringList& labels() const { return m_labels; }
  const std::vector<double>* probabilitiesOf(const QString& file) const;
  // The cached thumbnail of a file, or a null image while it is not loaded yet.
  QImage thumbnail(const QString& file) const;
  // Thumbnails delivered so far (the tests wait on it).
  int loadedCount() const { return m_loaded; }

  int rowCount(const QModelIndex& parent = {}) const override;
  QVariant data(const QModelIndex& index, int role) const override;

 Q_SIGNALS:
  void thumbnailReady(const QString& file);

 private:
  void request(const QString& file) const;
  void deliver(quint64 generation, const QString& file, const QImage& image, const QString& error);

  QStringList m_files;
  QHash<QString, int> m_rows;
  QStringList m_labels;
  QHash<QString, std::vector<double>> m_probabilities;
  mutable QCache<QString, QImage> m_cache{4000};
  mutable QSet<QString> m_pending;
  QHash<QString, QString> m_errors;
  mutable QThreadPool m_pool;
  quint64 m_generation = 0;
  int m_loaded = 0;
  QImage m_placeholder, m_broken;
};

}  // namespace fm::ui
