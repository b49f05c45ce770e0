#include "datasets/dataset_table_model.h"

#include <QBrush>
#include <QColor>
#include <algorithm>
#include <limits>

namespace fm::ui {

void DatasetTableModel::setPreview(std::shared_ptr<fm::DatasetPreview> preview) {
  beginResetModel();
  m_preview = std::move(preview);
  m_pages.clear();
  m_lru.clear();
  m_readError.clear();
  endResetModel();
}

int DatasetTableModel::rowCount(const QModelIndex& parent) const {
  if (parent.isValid() || !m_preview) return 0;
  return static_cast<int>(std::min<int64_t>(m_preview->rows(), std::numeric_limits<int>::max()));
}

int DatasetTableModel::columnCount(const QModelIndex& parent) const {
  if (parent.isValid() || !m_preview) return 0;
  return static_cast<int>(m_preview->columns().size());
}

const fm::DatasetPreview::Row* DatasetTableModel::rowAt(int row) const {
  if (!m_preview || row < 0 || row >= rowCount()) return nullptr;
  const int64_t page = row / kPageRows;
  auto it = m_pages.find(page);
  if (it == m_pages.end()) {
    std::vector<fm::DatasetPreview::Row> rows;
    try {
      rows = m_preview->read(page * kPageRows, kPageRows);
    } catch (const std::exception& e) {
      // The file changed or vanished under us: show it in the cells, do not crash.
      m_readError = QString::fromStdString(e.what());
      return nullptr;
    }
    ++m_pagesRead;
    it = m_pages.emplace(page, std::move(rows)).first;
    m_lru.push_front(page);
    while (m_lru.size() > kMaxPages) {
      m_pages.erase(m_lru.back());
      m_lru.pop_back();
    }
  } else if (m_lru.front() != page) {
    m_lru.remove(page);
    m_lru.push_front(page);
  }
  const size_t i = static_cast<size_t>(row - page * kPageRows);
  return i < it->second.size() ? &it->second[i] : nullptr;
}

QVariant DatasetTableModel::data(const QModelIndex& index, int role) const {
  if (!index.isValid() || index.row() >= rowCount() || index.column() >= columnCount()) return {};
  const auto* r = rowAt(index.row());
  if (!r) {
    if (role == Qt::DisplayRole) return index.column() == 0 ? m_readError : QString();
    return {};
  }
  const size_t c = static_cast<size_t>(index.column());
  switch (role) {
    case Qt::DisplayRole: {
      if (!r->error.empty()) return index.column() == 0 ? QString::fromStdString(r->error) : QString();
      QString s = QString::fromStdString(c < r->cells.size() ? r->cells[c] : std::string());
      if (s.size() > 300) s = s.left(300) + QChar(0x2026);
      return s.replace(QLatin1Char('\n'), QChar(0x21B5));
    }
    case Qt::ToolTipRole:
      if (!r->error.empty()) return tr("Line %1: %2").arg(r->line).arg(QString::fromStdString(r->error));
      return QString::fromStdString(c < r->cells.size() ? r->cells[c] : std::string()).left(2000);
    case Qt::BackgroundRole:
      if (!r->error.empty()) return QBrush(QColor(255, 227, 227));
      return {};
    case Qt::ForegroundRole:
      if (!r->error.empty()) return QBrush(QColor(150, 20, 20));
      return {};
    default:
      return {};
  }
}

QVariant DatasetTableModel::headerData(int section, Qt::Orientation o, int role) const {
  if (role != Qt::DisplayRole || !m_preview) return QAbstractTableModel::headerData(section, o, role);
  if (o == Qt::Horizontal) {
    if (section < 0 || section >= columnCount()) return {};
    return QString::fromStdString(m_preview->columns()[static_cast<size_t>(section)]);
  }
  if (section < 0 || section >= rowCount()) return {};
  // The line of the file where the row starts, so a row can be found in an editor.
  if (const auto* r = rowAt(section)) return QVariant::fromValue<qlonglong>(r->line);
  return section + 1;
}

}  // namespace fm::ui
