#include "tokenize/spm_backend.h"

#include <filesystem>
#include <mutex>

#ifdef _WIN32
#include <windows.h>
#else
#include <dlfcn.h>
#include <unistd.h>
#endif

#include "util/error.h"

namespace fm {
namespace fs = std::filesystem;

namespace {

#if defined(_WIN32)
const char* kModuleName = "fm_sentencepiece.dll";
#elif defined(__APPLE__)
const char* kModuleName = "libfm_sentencepiece.so";
#else
const char* kModuleName = "libfm_sentencepiece.so";
#endif

fs::path executableDir() {
#if defined(__linux__)
  std::error_code ec;
  fs::path p = fs::read_symlink("/proc/self/exe", ec);
  return ec ? fs::path() : p.parent_path();
#elif defined(_WIN32)
  wchar_t buf[MAX_PATH];
  DWORD n = GetModuleFileNameW(nullptr, buf, MAX_PATH);
  return n ? fs::path(std::wstring(buf, n)).parent_path() : fs::path();
#else
  return {};
#endif
}

struct Module {
  SpmCreateFn create = nullptr;
  SpmTrainFn train = nullptr;
  std::string error;
};

const Module& module() {
  static Module m;
  static std::once_flag once;
  std::call_once(once, [] {
    std::vector<fs::path> candidates;
    if (const char* env = std::getenv("FM_SENTENCEPIECE_MODULE")) candidates.emplace_back(env);
    const fs::path exe = executableDir();
    if (!exe.empty()) {
      candidates.push_back(exe / kModuleName);
      candidates.push_back(exe / ".." / "lib" / kModuleName);
      candidates.push_back(exe / ".." / "lib" / "fm-workbench" / kModuleName);
    }
#ifdef FM_MODULE_BUILD_DIR
    candidates.push_back(fs::path(FM_MODULE_BUILD_DIR) / kModuleName);
#endif
#ifdef FM_MODULE_INSTALL_DIR
    candidates.push_back(fs::path(FM_MODULE_INSTALL_DIR) / kModuleName);
#endif
    std::string tried;
    for (const auto& c : candidates) {
      std::error_code ec;
      if (!fs::exists(c, ec)) {
        tried += "\n  " + c.string();
        continue;
      }
#ifdef _WIN32
      HMODULE h = LoadLibraryW(c.wstring().c_str());
      if (!h) {
        tried += "\n  " + c.string() + " (could not be loaded)";
        continue;
      }
      m.create = reinterpret_cast<SpmCreateFn>(GetProcAddress(h, "fm_spm_create"));
      m.train = reinterpret_cast<SpmTrainFn>(GetProcAddress(h, "fm_spm_train"));
#else
      int flags = RTLD_NOW | RTLD_LOCAL;
#ifdef RTLD_DEEPBIND
      flags |= RTLD_DEEPBIND;
#endif
      void* h = dlopen(c.string().c_str(), flags);
      if (!h) {
        tried += "\n  " + c.string() + " (" + dlerror() + ")";
        continue;
      }
      m.create = reinterpret_cast<SpmCreateFn>(dlsym(h, "fm_spm_create"));
      m.train = reinterpret_cast<SpmTrainFn>(dlsym(h, "fm_spm_train"));
#endif
      if (m.create && m.train) return;
      tried += "\n  " + c.string() + " (lacks the fm_spm entry points)";
    }
    m.error = std::string("SentencePiece support (") + kModuleName +
              ") was not found; the installation is incomplete. Looked in:" + tried +
              "\nSet FM_SENTENCEPIECE_MODULE to its path.";
  });
  return m;
}

}  // namespace

std::unique_ptr<SpmBackend> createSpmBackend() {
  const Module& m = module();
  if (!m.create) throw IoError(m.error);
  std::unique_ptr<SpmBackend> b(m.create());
  if (!b) throw ResourceError("SentencePiece support could not allocate a processor");
  return b;
}

void trainSpm(const std::string& args) {
  const Module& m = module();
  if (!m.train) throw IoError(m.error);
  std::string err;
  if (!m.train(args, &err)) throw FormatError("training the SentencePiece tokenizer on this text failed: " + err);
}

}  // namespace fm
