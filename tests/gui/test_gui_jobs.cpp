// The job bridge: work runs off the GUI thread, its events arrive throttled and in order,
// exceptions become failed jobs with their message, cancel is honoured; the jobs table passes
// QAbstractItemModelTester.
#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QThread>
#include <QtTest>
#include <atomic>
#include <stdexcept>

#include "bridge/job.h"
#include "finetune/loss_chart.h"

using fm::ui::Job;
using fm::ui::JobRunner;

class TestGuiJobs : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void workRunsOffTheGuiThreadAndEventsArriveThrottledInOrder() {
    JobRunner runner;
    QAbstractItemModelTester tester(runner.model(), QAbstractItemModelTester::FailureReportingMode::QtTest);
    QThread* gui = QThread::currentThread();
    std::atomic<bool> offGui{false};
    QVector<int> seen;
    int deliveries = 0;
    QThread* deliveredOn = nullptr;
    Job* job = runner.start("count", JobRunner::Light, [&](Job& j) {
      offGui = QThread::currentThread() != gui;
      for (int i = 0; i < 2000; ++i) {
        j.setProgress(i / 2000.0, QString("item %1").arg(i));
        j.post([&seen, &deliveredOn, i] {
          seen.push_back(i);
          deliveredOn = QThread::currentThread();
        });
        if (i % 100 == 0) QThread::msleep(10);  // ~200 ms of work
      }
    });
    connect(job, &Job::changed, this, [&] { ++deliveries; });
    QSignalSpy done(job, &Job::finished);
    QVERIFY(done.wait(10000));
    QVERIFY(offGui.load());
    QCOMPARE(deliveredOn, gui);
    QCOMPARE(seen.size(), 2000);
    for (int i = 0; i < seen.size(); ++i) QCOMPARE(seen[i], i);
    // 2000 reports over ~200 ms reach the GUI in a handful of batches, not 2000 calls.
    QVERIFY2(deliveries <= 8, qPrintable(QString("deliveries: %1").arg(deliveries)));
    QCOMPARE(job->state(), Job::State::Completed);
    QCOMPARE(job->progress(), 1.0);
    QCOMPARE(runner.model()->rowCount(), 1);
  }

  void anExceptionBecomesAFailedJobWithItsMessage() {
    JobRunner runner;
    Job* job = runner.start("broken", JobRunner::Heavy, [](Job&) {
      throw std::runtime_error("model.safetensors: tensor 'lm_head.weight' is truncated");
    });
    QSignalSpy done(job, &Job::finished);
    QVERIFY(done.wait(5000));
    QCOMPARE(job->state(), Job::State::Failed);
    QVERIFY(job->message().contains("truncated"));
    QVERIFY(runner.model()->data(runner.model()->index(0, fm::ui::JobsModel::State), Qt::DisplayRole).toString() ==
            Job::stateName(Job::State::Failed));
  }

  void cancelStopsTheWorkAtItsNextCheck() {
    JobRunner runner;
    std::atomic<int> steps{0};
    Job* job = runner.start("long", JobRunner::Heavy, [&](Job& j) {
      while (!j.cancelRequested() && steps < 100000) {
        ++steps;
        QThread::msleep(1);
      }
    });
    QSignalSpy done(job, &Job::finished);
    QTest::qWait(100);
    QVERIFY(job->isActive());
    job->cancel();
    QVERIFY(done.wait(5000));
    QCOMPARE(job->state(), Job::State::Cancelled);
    QVERIFY(steps.load() < 100000);
  }

  void heavyJobsRunOneAtATime() {
    JobRunner runner;
    std::atomic<int> running{0}, most{0};
    QList<Job*> jobs;
    for (int k = 0; k < 3; ++k)
      jobs << runner.start("heavy", JobRunner::Heavy, [&](Job&) {
        most = std::max(most.load(), ++running);
        QThread::msleep(50);
        --running;
      });
    QSignalSpy last(jobs.back(), &Job::finished);
    QVERIFY(last.wait(5000));
    QCOMPARE(most.load(), 1);
  }

  void finishedJobsBeyondTheLimitAreDroppedOldestFirst() {
    JobRunner runner;
    QAbstractItemModelTester tester(runner.model(), QAbstractItemModelTester::FailureReportingMode::QtTest);
    std::atomic<bool> release{false};
    Job* longRunning = runner.start("long", JobRunner::Heavy, [&](Job&) {
      while (!release) QThread::msleep(2);
    });
    QList<QPointer<Job>> quick;
    for (int k = 0; k < fm::ui::JobsModel::kKeepFinished + 10; ++k) {
      quick << runner.start(QString("quick %1").arg(k), JobRunner::Light, [](Job&) {});
      QSignalSpy done(quick.back().data(), &Job::finished);
      QVERIFY(done.wait(5000));
    }
    QTRY_COMPARE(runner.model()->rowCount(), fm::ui::JobsModel::kKeepFinished + 1);
    QCOMPARE(runner.model()->jobAt(0), longRunning);  // running jobs stay, whatever their age
    QTRY_VERIFY(quick.front().isNull());               // the oldest finished ones went
    QVERIFY(!quick.back().isNull());
    release = true;
    QVERIFY(runner.waitForDone(5000));
  }

  // What the work returns arrives with finished, and is let go of afterwards.
  void theResultArrivesWithFinished() {
    JobRunner runner;
    Job* job = runner.start("answer", JobRunner::Light, [](Job&) { return std::vector<int>{4, 2}; });
    std::vector<int> seen;
    bool hadResult = false;
    connect(job, &Job::finished, job, [&](Job::State s) {
      QCOMPARE(s, Job::State::Completed);
      if (const auto* r = job->result<std::vector<int>>()) {
        hadResult = true;
        seen = *r;
      }
      QVERIFY(job->result<int>() == nullptr);  // another type: nothing
    });
    QSignalSpy done(job, &Job::finished);
    QVERIFY(done.wait(5000));
    QVERIFY(hadResult);
    QCOMPARE(seen, (std::vector<int>{4, 2}));
    QVERIFY(job->result<std::vector<int>>() == nullptr);  // released after finished
    Job* failing = runner.start("fails", JobRunner::Light, [](Job&) -> int { throw std::runtime_error("no"); });
    QSignalSpy failed(failing, &Job::finished);
    bool failedWithoutResult = false;
    connect(failing, &Job::finished, failing, [&] { failedWithoutResult = failing->result<int>() == nullptr; });
    QVERIFY(failed.wait(5000));
    QVERIFY(failedWithoutResult);
  }

  // A load replaced by a newer one, and routine work once done, leave the Jobs list; a routine
  // job that failed stays, so its reason can be read.
  void replacedAndRoutineJobsLeaveTheList() {
    JobRunner runner;
    std::atomic<bool> release{false};
    Job* old = runner.start("load a", JobRunner::Light, [&](Job& job) {
      while (!release && !job.cancelRequested()) QThread::msleep(2);
    });
    old->supersede();
    Job* routine = runner.start("generate", JobRunner::Light, [](Job&) {});
    routine->setRoutine(true);
    Job* broken = runner.start("generate badly", JobRunner::Light, [](Job&) { throw std::runtime_error("bad"); });
    broken->setRoutine(true);
    QTRY_COMPARE(runner.model()->rowCount(), 1);
    QCOMPARE(runner.model()->jobAt(0), broken);
    QCOMPARE(broken->state(), Job::State::Failed);
    release = true;
    QVERIFY(runner.waitForDone(5000));
  }

  // While the loss sits flat after its first fall, the chart says that this is expected; the note
  // goes when the loss falls again. Accuracy points get their own axis.
  void aPlateauIsExplainedOnTheChart() {
    fm::ui::LossChart chart;
    for (double loss : {10.0, 5.0, 2.0, 1.0}) chart.addTrainPoint(chart.trainPoints() * 5, loss, 1e-3);
    QVERIFY(chart.plateauNote().isEmpty());
    for (int i = 0; i < 12; ++i) chart.addTrainPoint(chart.trainPoints() * 5, 0.35 * (i % 2 ? 1.02 : 0.98), 1e-3);
    QVERIFY2(chart.plateauNote().contains("plateau"), qPrintable(chart.plateauNote()));
    chart.addTrainPoint(chart.trainPoints() * 5, 0.1, 1e-3);
    QVERIFY(chart.plateauNote().isEmpty());
    chart.addEvalPoint(40, 0.3, 0.5);
    chart.addEvalPoint(80, 0.1, 0.95);
    QCOMPARE(chart.accuracyPoints(), 2);
  }

  // The chart's overfitting marker: eval loss rising twice while train loss falls.
  void overfittingIsMarkedWhereEvalLossTurns() {
    fm::ui::LossChart chart;
    QSignalSpy spy(&chart, &fm::ui::LossChart::overfittingDetected);
    for (int s = 1; s <= 40; ++s) chart.addTrainPoint(s, 2.0 / s, 1e-3);
    chart.addEvalPoint(10, 1.0);
    chart.addEvalPoint(20, 0.8);
    chart.addEvalPoint(30, 0.9);
    QCOMPARE(spy.count(), 0);  // one rise is noise
    chart.addEvalPoint(40, 1.1);
    QCOMPARE(spy.count(), 1);
    QCOMPARE(spy.at(0).at(0).toDouble(), 30.0);
    QVERIFY(chart.overfitting());

    // Both losses rising is divergence, not overfitting.
    chart.clear();
    for (int s = 1; s <= 40; ++s) chart.addTrainPoint(s, 0.1 * s, 1e-3);
    for (int k = 1; k <= 4; ++k) chart.addEvalPoint(10 * k, 0.5 * k);
    QVERIFY(!chart.overfitting());
    QCOMPARE(chart.trainPoints(), 40);
    QCOMPARE(chart.evalPoints(), 4);
  }
};

QTEST_MAIN(TestGuiJobs)
#include "test_gui_jobs.moc"
