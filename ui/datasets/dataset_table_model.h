// A lazy table over a dataset file: rows are read a page at a time, on demand, and a bounded
// number of pages stay cached, so a million-row file scrolls as smoothly as a small one.
#pragma once

#include <QAbstractTableModel>
#include <list>
#include <map>
#include <memory>
#include <vector>

#include "data/row_index.h"

namespace fm::ui {

class DatasetTableModel : public QAbstractTableModel {
  Q_OBJECT
 public:
  static constexpr int kPageRows = 256;
  static constexpr size_t kMaxPages = 64;

  explicit DatasetTableModel(QObject* parent = nullptr) : QAbstractTableModel(parent) {}
  void setPreview(std::shared_ptr<fm::DatasetPreview> preview);
  std::shared_ptr<fm::DatasetPreview> preview() const { return m_preview; }

  int rowCount(const QModelIndex& parent = {}) const override;
  int columnCount(const QModelIndex& parent = {}) const override;
  QVariant data(const QModelIndex& index, int role) const override;
  QVariant headerData(int section, Qt::Orientation o, int role) const override;

  // The row as the file has it (cells by column name), or an error text.
  const fm::DatasetPreview::Row* rowAt(int row) const;
  int pagesRead() const { return m_pagesRead; }

 private:
  std::shared_ptr<fm::DatasetPreview> m_preview;
  mutable std::map<int64_t, std::vector<fm::DatasetPreview::Row>> m_pages;
  mutable std::list<int64_t> m_lru;  // most recent first
  mutable int m_pagesRead = 0;
  mutable QString m_readError;
};

}  // namespace fm::ui
