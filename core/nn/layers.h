// Building blocks shared by the architectures. Parameter names equal Hugging Face checkpoint
// keys ("weight", "bias"), so loading is a name lookup.
//
// Thread safety: forward() reads parameters only; modules are shared read-only by inference
// jobs. Linear adds the LoRA adapter active on the calling thread (nn/lora_adapter.h).
#pragma once

#include <torch/torch.h>

#include <string>

namespace fm {

// y = x W^T + b, W (out, in) as nn.Linear stores it, plus B(A(x)) * scale when the calling
// thread's active adapter adapts this module.
struct LinearImpl : torch::nn::Module {
  LinearImpl(int64_t in, int64_t out, bool hasBias);
  torch::Tensor forward(const torch::Tensor& x);
  int64_t in = 0, out = 0;
  torch::Tensor weight, bias;
};
TORCH_MODULE(Linear);

// GPT-2's Conv1D: W stored (in, out), y = x W + b.
struct Conv1DImpl : torch::nn::Module {
  Conv1DImpl(int64_t in, int64_t out);
  torch::Tensor forward(const torch::Tensor& x);
  torch::Tensor weight, bias;
};
TORCH_MODULE(Conv1D);

// Llama's RMSNorm, computed in fp32 whatever the model dtype (as transformers does).
struct RMSNormImpl : torch::nn::Module {
  RMSNormImpl(int64_t dim, double eps);
  torch::Tensor forward(const torch::Tensor& x);
  double eps;
  torch::Tensor weight;
};
TORCH_MODULE(RMSNorm);

struct LayerNormImpl : torch::nn::Module {
  LayerNormImpl(int64_t dim, double eps);
  torch::Tensor forward(const torch::Tensor& x);
  double eps;
  torch::Tensor weight, bias;
};
TORCH_MODULE(LayerNorm);

struct EmbeddingImpl : torch::nn::Module {
  EmbeddingImpl(int64_t num, int64_t dim);
  torch::Tensor forward(const torch::Tensor& ids);
  torch::Tensor weight;
};
TORCH_MODULE(Embedding);

// The activations config.json names (hidden_act / activation_function).
enum class Activation { Gelu, GeluTanh, QuickGelu, Relu, Silu };
// Throws UnsupportedError naming the supported ones.
Activation parseActivation(const std::string& name, const char* key);
torch::Tensor activate(const torch::Tensor& x, Activation a);

}  // namespace fm
