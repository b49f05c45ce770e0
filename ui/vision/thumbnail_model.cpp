#include "vision/thumbnail_model.h"

#include <QFileInfo>
#include <QPainter>
#include <QPointer>
#include <QtConcurrent>

#include "bridge/paths.h"
#include "util/error.h"
#include "vision/image.h"

namespace fm::ui {

namespace {

QImage blank(const QColor& fill, bool cross) {
  QImage img(ThumbnailModel::kSide, ThumbnailModel::kSide, QImage::Format_RGB888);
  img.fill(fill);
  if (cross) {
    QPainter p(&img);
    p.setRenderHint(QPainter::Antialiasing);
    p.setPen(QPen(QColor(190, 60, 60), 4));
    const int m = ThumbnailModel::kSide / 3;
    p.drawLine(m, m, 2 * m, 2 * m);
    p.drawLine(2 * m, m, m, 2 * m);
  }
  return img;
}

}  // namespace

ThumbnailModel::ThumbnailModel(QObject* parent) : QAbstractListModel(parent) {
  m_pool.setMaxThreadCount(2);
  m_placeholder = blank(QColor(236, 236, 236), false);
  m_broken = blank(QColor(250, 235, 235), true);
}

ThumbnailModel::~ThumbnailModel() {
  ++m_generation;
  m_pool.clear();
  m_pool.waitForDone();
}

void ThumbnailModel::setFiles(const QStringList& files) {
  beginResetModel();
  ++m_generation;
  m_pool.clear();
  m_files = files;
  m_rows.clear();
  for (int i = 0; i < m_files.size(); ++i) m_rows.insert(m_files[i], i);
  m_pending.clear();
  m_errors.clear();
  m_cache.clear();
  m_labels.clear();
  m_probabilities.clear();
  m_loaded = 0;
  endResetModel();
}

void ThumbnailModel::setLabels(const QStringList& labels, const QHash<QString, std::vector<double>>& probabilities) {
  m_labels = labels;
  m_probabilities = probabilities;
  if (!m_files.isEmpty()) Q_EMIT dataChanged(index(0), index(static_cast<int>(m_files.size()) - 1));
}

void ThumbnailModel::clearLabels() { setLabels({}, {}); }

const std::vector<double>* ThumbnailModel::probabilitiesOf(const QString& file) const {
  auto it = m_probabilities.constFind(file);
  return it == m_probabilities.constEnd() ? nullptr : &it.value();
}

QImage ThumbnailModel::thumbnail(const QString& file) const {
  if (const QImage* img = m_cache.object(file)) return *img;
  return {};
}

int ThumbnailModel::rowCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : static_cast<int>(m_files.size()); }

void ThumbnailModel::request(const QString& file) const {
  if (m_pending.contains(file)) return;
  m_pending.insert(file);
  const quint64 generation = m_generation;
  QPointer<ThumbnailModel> self(const_cast<ThumbnailModel*>(this));
  (void)QtConcurrent::run(&m_pool, [self, generation, file] {
    QImage out;
    QString error;
    try {
      fm::Image img = fm::thumbnailOf(fm::decodeImageFile(toPath(file)).image, kSide);
      // Small pictures (icons, the demo's 64-pixel shapes) are shown larger.
      const int longer = std::max(img.width, img.height);
      if (longer < kSide) {
        const double s = static_cast<double>(kSide) / longer;
        img = fm::resizeImage(img, std::max(1, static_cast<int>(img.height * s)), std::max(1, static_cast<int>(img.width * s)),
                              fm::Resample::Bicubic);
      }
      out = QImage(img.rgb.data(), img.width, img.height, img.width * 3, QImage::Format_RGB888).copy();
    } catch (const std::exception& e) {
      error = QString::fromStdString(fm::errorMessage(e));
    }
    QMetaObject::invokeMethod(
        self.data(),
        [self, generation, file, out, error] {
          if (self) self->deliver(generation, file, out, error);
        },
        Qt::QueuedConnection);
  });
}

void ThumbnailModel::deliver(quint64 generation, const QString& file, const QImage& image, const QString& error) {
  if (generation != m_generation) return;
  m_pending.remove(file);
  if (!error.isEmpty()) m_errors.insert(file, error);
  m_cache.insert(file, new QImage(error.isEmpty() ? image : m_broken));
  ++m_loaded;
  const int row = m_rows.value(file, -1);
  if (row >= 0) Q_EMIT dataChanged(index(row), index(row), {Qt::DecorationRole, Qt::ToolTipRole});
  Q_EMIT thumbnailReady(file);
}

QVariant ThumbnailModel::data(const QModelIndex& idx, int role) const {
  if (!idx.isValid() || idx.row() >= m_files.size()) return {};
  const QString& file = m_files[idx.row()];
  switch (role) {
    case Qt::DecorationRole: {
      if (const QImage* img = m_cache.object(file)) return *img;
      request(file);
      return m_placeholder;
    }
    case Qt::DisplayRole: {
      const QString name = QFileInfo(file).fileName();
      const auto* p = probabilitiesOf(file);
      // Always two lines, so that the grid's cell size (measured once, from the first item)
      // leaves room for the label that labelling adds.
      if (!p || p->empty() || m_labels.size() != static_cast<int>(p->size())) return name + QStringLiteral("\n\u00a0");
      const auto best = std::max_element(p->begin(), p->end()) - p->begin();
      return QStringLiteral("%1\n%2 %3%").arg(name, m_labels[static_cast<int>(best)]).arg((*p)[static_cast<size_t>(best)] * 100, 0, 'f', 0);
    }
    case Qt::ToolTipRole: {
      QString tip = file;
      if (m_errors.contains(file)) tip += QStringLiteral("\n") + m_errors.value(file);
      return tip;
    }
    case PathRole: return file;
    default: return {};
  }
}

}  // namespace fm::ui
