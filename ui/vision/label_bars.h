// Zero-shot label probabilities as horizontal bars, best first: the teaching view of "how sure
// is the model, and of what".
#pragma once

#include <QStringList>
#include <QWidget>
#include <vector>

namespace fm::ui {

class LabelBars : public QWidget {
  Q_OBJECT
 public:
  explicit LabelBars(QWidget* parent = nullptr);
  void setScores(const QStringList& labels, const std::vector<double>& probabilities);
  void clear();
  int rows() const { return static_cast<int>(m_rows.size()); }
  QSize sizeHint() const override;
  QSize minimumSizeHint() const override;

 protected:
  void paintEvent(QPaintEvent* event) override;

 private:
  std::vector<std::pair<QString, double>> m_rows;  // sorted, best first
};

}  // namespace fm::ui
