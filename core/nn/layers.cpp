#include "nn/layers.h"

#include "nn/lora_adapter.h"
#include "util/error.h"

namespace fm {

LinearImpl::LinearImpl(int64_t inF, int64_t outF, bool hasBias) : in(inF), out(outF) {
  weight = register_parameter("weight", torch::empty({outF, inF}));
  if (hasBias) bias = register_parameter("bias", torch::zeros({outF}));
}

namespace {
// y + scale * B(A(dropout(x))) when the thread's active adapter adapts `module`.
torch::Tensor withLora(const torch::nn::Module* module, const torch::Tensor& x, torch::Tensor y, bool training) {
  const LoraAdapter* adapter = activeAdapter();
  const LoraWeights* lora = adapter ? adapter->find(module) : nullptr;
  if (!lora) return y;
  auto h = x;
  if (lora->dropout > 0 && training) {
    at::Generator* gen = activeDropoutGenerator();
    if (gen && h.device().is_cpu()) {
      const double keep = 1.0 - lora->dropout;
      h = h * torch::empty_like(h).bernoulli_(keep, *gen).div_(keep);
    } else {
      h = torch::dropout(h, lora->dropout, /*train=*/true);
    }
  }
  // (.., in) -> (.., r) -> (.., out)
  return y.add_(torch::linear(torch::linear(h, lora->A), lora->B), lora->scale);
}
}  // namespace

torch::Tensor LinearImpl::forward(const torch::Tensor& x) {
  return withLora(this, x, torch::linear(x, weight, bias), is_training());
}

Conv1DImpl::Conv1DImpl(int64_t in, int64_t out) {
  weight = register_parameter("weight", torch::empty({in, out}));
  bias = register_parameter("bias", torch::zeros({out}));
}

torch::Tensor Conv1DImpl::forward(const torch::Tensor& x) {
  // addmm over the flattened rows: (N, in) x (in, out) + b.
  auto sizes = x.sizes().vec();
  auto y = torch::addmm(bias, x.reshape({-1, x.size(-1)}), weight);
  sizes.back() = weight.size(1);
  return withLora(this, x, y.view(sizes), is_training());
}

RMSNormImpl::RMSNormImpl(int64_t dim, double e) : eps(e) {
  weight = register_parameter("weight", torch::ones({dim}));
}

torch::Tensor RMSNormImpl::forward(const torch::Tensor& x) {
  auto h = x.to(torch::kFloat);
  h = h * torch::rsqrt(h.pow(2).mean(-1, /*keepdim=*/true) + eps);
  return weight * h.to(x.scalar_type());
}

LayerNormImpl::LayerNormImpl(int64_t dim, double e) : eps(e) {
  weight = register_parameter("weight", torch::ones({dim}));
  bias = register_parameter("bias", torch::zeros({dim}));
}

torch::Tensor LayerNormImpl::forward(const torch::Tensor& x) {
  return torch::layer_norm(x, {weight.size(0)}, weight, bias, eps);
}

EmbeddingImpl::EmbeddingImpl(int64_t num, int64_t dim) {
  weight = register_parameter("weight", torch::empty({num, dim}));
}

torch::Tensor EmbeddingImpl::forward(const torch::Tensor& ids) { return torch::embedding(weight, ids); }

Activation parseActivation(const std::string& name, const char* key) {
  if (name == "gelu") return Activation::Gelu;
  if (name == "gelu_new" || name == "gelu_pytorch_tanh" || name == "gelu_fast") return Activation::GeluTanh;
  if (name == "quick_gelu") return Activation::QuickGelu;
  if (name == "relu") return Activation::Relu;
  if (name == "silu" || name == "swish") return Activation::Silu;
  throw UnsupportedError(std::string("config.json: ") + key + " \"" + name +
                         "\" is not supported (gelu, gelu_new, gelu_pytorch_tanh, quick_gelu, relu, silu)");
}

torch::Tensor activate(const torch::Tensor& x, Activation a) {
  switch (a) {
    case Activation::Gelu: return torch::gelu(x);
    case Activation::GeluTanh: return torch::gelu(x, "tanh");
    case Activation::QuickGelu: return x * torch::sigmoid(1.702 * x);
    case Activation::Relu: return torch::relu(x);
    case Activation::Silu: return torch::silu(x);
  }
  return x;
}

}  // namespace fm
