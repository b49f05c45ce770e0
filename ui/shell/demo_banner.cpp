#include "shell/demo_banner.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QProgressBar>
#include <QPushButton>
#include <QStyle>

#include "bridge/job.h"
#include "shell/workbench.h"

namespace fm::ui {

DemoBanner::DemoBanner(Workbench* wb, QWidget* parent) : QFrame(parent), m_wb(wb) {
  setObjectName(QStringLiteral("demoBanner"));
  auto* row = new QHBoxLayout(this);
  row->setContentsMargins(12, 6, 8, 6);
  m_text = new QLabel(this);
  m_text->setWordWrap(true);
  m_text->setTextFormat(Qt::RichText);
  m_bar = new QProgressBar(this);
  m_bar->setRange(0, 1000);
  m_bar->setFixedWidth(160);
  m_bar->setTextVisible(false);
  m_action = new QPushButton(this);
  m_close = new QPushButton(QStringLiteral("×"), this);
  m_close->setFlat(true);
  m_close->setFixedWidth(28);
  m_close->setToolTip(tr("Hide this message"));
  row->addWidget(m_text, 1);
  row->addWidget(m_bar);
  row->addWidget(m_action);
  row->addWidget(m_close);
  connect(m_close, &QPushButton::clicked, this, &QWidget::hide);
  connect(m_action, &QPushButton::clicked, this, [this] {
    if (m_mode == Mode::Ready) {
      Q_EMIT openFinetune();
      hide();
    } else if (m_mode == Mode::Failed) {
      Q_EMIT retry();
    }
  });
  connect(wb, &Workbench::demoPreparing, this, &DemoBanner::preparing);
  connect(wb, &Workbench::demoPrepared, this, &DemoBanner::ready);
  connect(wb, &Workbench::demoFailed, this, &DemoBanner::failed);
  hide();
  if (wb->demoJob()) preparing(wb->demoJob());
}

QString DemoBanner::text() const { return m_text->text(); }

void DemoBanner::setTone(const char* background, const char* border) {
  // Light tints with dark text in both themes, so the message reads the same everywhere.
  setStyleSheet(QStringLiteral("#demoBanner { background: %1; border-bottom: 1px solid %2; } "
                               "#demoBanner QLabel { color: #212529; }")
                    .arg(QLatin1String(background), QLatin1String(border)));
}

void DemoBanner::preparing(Job* job) {
  m_mode = Mode::Preparing;
  m_job = job;
  setTone("#e7f5ff", "#a5d8ff");
  m_bar->show();
  m_action->hide();
  m_close->hide();
  connect(job, &Job::changed, this, &DemoBanner::refresh);
  refresh();
  show();
}

void DemoBanner::refresh() {
  if (m_mode != Mode::Preparing || !m_job) return;
  const double p = m_job->progress();
  m_bar->setRange(0, p < 0 ? 0 : 1000);  // unknown: a busy bar
  if (p >= 0) m_bar->setValue(static_cast<int>(p * 1000));
  const double eta = m_job->etaSeconds();
  const QString left = eta >= 0 ? tr("about %1 left").arg(Job::formatDuration(eta)) : tr("usually a minute or two");
  const QString doing = m_job->detail().isEmpty() ? QString() : QStringLiteral(" (%1)").arg(m_job->detail().toHtmlEscaped());
  m_text->setText(tr("<b>Preparing the built-in demo</b>: a small reviews dataset and a tiny language model "
                     "trained from scratch on this computer%1, %2. Then open <b>Fine-tune</b> and press "
                     "<b>Start</b>.")
                      .arg(doing, left));
}

void DemoBanner::ready() {
  m_mode = Mode::Ready;
  setTone("#ebfbee", "#b2f2bb");
  m_bar->hide();
  m_action->setText(tr("Open Fine-tune"));
  m_action->show();
  m_close->show();
  m_text->setText(tr("<b>The demo is ready.</b> The tiny model, the reviews and the Quick demo settings are "
                     "selected: open <b>Fine-tune</b> and press <b>Start</b> to teach it to label reviews."));
  show();
}

void DemoBanner::failed(const QString& message) {
  m_mode = Mode::Failed;
  setTone("#fff5f5", "#ffc9c9");
  m_bar->hide();
  m_action->setText(tr("Try again"));
  m_action->show();
  m_close->show();
  m_text->setText(tr("<b>The demo could not be prepared</b>: %1").arg(message.toHtmlEscaped()));
  show();
}

}  // namespace fm::ui
