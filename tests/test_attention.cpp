// The attention kinds the architectures share (core/nn/attention.h), against plain loops:
// causal, bidirectional with key padding, cross-attention over another sequence, and grouped
// key/value heads.
#include <QtTest>

#include <torch/torch.h>

#include "support/test_main.h"
#include "nn/attention.h"
#include "util/error.h"

namespace {

// softmax(q k^T * scale + mask) v for one head, row by row, in float64.
torch::Tensor naive(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v,
                    const std::vector<std::vector<bool>>& visible, double scale) {
  const int64_t T = q.size(0), S = k.size(0);
  auto out = torch::zeros_like(q, torch::kDouble);
  for (int64_t t = 0; t < T; ++t) {
    std::vector<double> w(static_cast<size_t>(S), 0.0);
    double mx = -1e300, sum = 0;
    for (int64_t s = 0; s < S; ++s)
      if (visible[t][s]) mx = std::max(mx, (q[t] * k[s]).sum().item<double>() * scale);
    for (int64_t s = 0; s < S; ++s)
      if (visible[t][s]) sum += (w[s] = std::exp((q[t] * k[s]).sum().item<double>() * scale - mx));
    for (int64_t s = 0; s < S; ++s)
      if (visible[t][s]) out[t] += v[s].to(torch::kDouble) * (w[s] / sum);
  }
  return out;
}

}  // namespace

class TestAttention : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  // libtorch's own errors reach people without the C++ backtrace libtorch appends.
  void torchErrorsLoseTheirBacktrace() {
    try {
      torch::matmul(torch::ones({2, 3}), torch::ones({4, 5}));
      QFAIL("mismatched shapes multiplied");
    } catch (const std::exception& e) {
      const std::string raw = e.what(), msg = fm::errorMessage(e);
      QVERIFY2(!msg.empty() && msg.size() < raw.size(), msg.c_str());
      QVERIFY2(msg.find("Exception raised from") == std::string::npos, msg.c_str());
      QVERIFY2(msg.find("frame #") == std::string::npos, msg.c_str());
      QVERIFY2(msg.find("2x3") != std::string::npos || msg.find("shapes") != std::string::npos, msg.c_str());
    }
    const fm::ConfigError plain("plain message");
    QCOMPARE(fm::errorMessage(plain), std::string("plain message"));
  }

  void causalMaskSeesOnlyThePast() {
    torch::manual_seed(1);
    auto q = torch::randn({1, 1, 5, 4}), k = torch::randn({1, 1, 5, 4}), v = torch::randn({1, 1, 5, 4});
    auto y = fm::attention(q, k, v, fm::causalMask(5, 0, torch::kCPU), 0.5)[0][0];
    std::vector<std::vector<bool>> vis(5, std::vector<bool>(5));
    for (int t = 0; t < 5; ++t)
      for (int s = 0; s < 5; ++s) vis[t][s] = s <= t;
    QVERIFY(torch::allclose(y.to(torch::kDouble), naive(q[0][0], k[0][0], v[0][0], vis, 0.5), 1e-5, 1e-6));
  }

  // Encoders: padded keys get no weight, so a padded row equals the same row unpadded.
  void paddedKeysAreIgnored() {
    torch::manual_seed(2);
    auto q = torch::randn({2, 2, 6, 4}), k = torch::randn({2, 2, 6, 4}), v = torch::randn({2, 2, 6, 4});
    auto keep = torch::tensor({{1, 1, 1, 1, 1, 1}, {1, 1, 1, 0, 0, 0}}, torch::kLong);
    auto y = fm::attention(q, k, v, fm::paddingMask(keep, torch::kFloat), 0.5);  // (2, 2, 6, 4)
    auto alone = fm::attention(q.narrow(0, 1, 1).narrow(2, 0, 3), k.narrow(0, 1, 1).narrow(2, 0, 3),
                               v.narrow(0, 1, 1).narrow(2, 0, 3), {}, 0.5);
    QVERIFY(torch::allclose(y.narrow(0, 1, 1).narrow(2, 0, 3), alone, 1e-5, 1e-6));
    auto full = fm::attention(q.narrow(0, 0, 1), k.narrow(0, 0, 1), v.narrow(0, 0, 1), {}, 0.5);
    QVERIFY(torch::allclose(y.narrow(0, 0, 1), full, 1e-5, 1e-6));
    // bf16 models: the mask value stays finite in the model's dtype.
    QVERIFY(torch::isfinite(fm::paddingMask(keep, torch::kBFloat16)).all().item<bool>());
  }

  // Cross-attention: 3 queries over 7 keys of another sequence, 2 of them padding; grouped
  // heads (4 query heads share 2 key/value heads).
  void crossAttentionWithGroupedHeads() {
    torch::manual_seed(3);
    auto q = torch::randn({1, 4, 3, 8}), k = torch::randn({1, 2, 7, 8}), v = torch::randn({1, 2, 7, 8});
    auto keep = torch::tensor({{1, 1, 1, 1, 1, 0, 0}}, torch::kLong);
    auto y = fm::attention(q, k, v, fm::paddingMask(keep, torch::kFloat), 0.25);
    QCOMPARE(y.sizes().vec(), (std::vector<int64_t>{1, 4, 3, 8}));
    std::vector<std::vector<bool>> vis(3, std::vector<bool>(7));
    for (int t = 0; t < 3; ++t)
      for (int s = 0; s < 7; ++s) vis[t][s] = s < 5;
    for (int h = 0; h < 4; ++h)
      QVERIFY(torch::allclose(y[0][h].to(torch::kDouble), naive(q[0][h], k[0][h / 2], v[0][h / 2], vis, 0.25), 1e-5, 1e-6));
  }
};

FM_TEST_MAIN_APPLESS(TestAttention)
#include "test_attention.moc"
