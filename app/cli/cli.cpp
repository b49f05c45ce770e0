#include "cli/cli.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <memory>
#include <cmath>
#include <cstdlib>
#include <exception>

#include "arch/loaded_model.h"
#include "data/records.h"
#include "util/utf8.h"
#include "train/trainer.h"
#include "util/error.h"

namespace fmw {
namespace {

size_t editDistance(const std::string& a, const std::string& b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diag = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diag = up;
    }
  }
  return row[b.size()];
}

}  // namespace

std::string trainSettingFlag(const std::string& key) {
  std::string f = "--" + key;
  std::replace(f.begin(), f.end(), '_', '-');
  return f;
}

Args parseArgs(int argc, char** argv, int from, const Command& cmd) {
  std::vector<std::string> switches = cmd.switches, options = cmd.options;
  switches.push_back("--help");
  options.push_back("--threads");
  if (cmd.trainSettings) {
    for (const auto& key : fm::TrainConfig::keys()) options.push_back(trainSettingFlag(key));
    options.push_back("--config");
  }
  auto known = [](const std::vector<std::string>& list, const std::string& s) {
    return std::find(list.begin(), list.end(), s) != list.end();
  };
  Args a;
  for (int i = from; i < argc; ++i)
    if (!fm::isUtf8(argv[i]))
      throw fm::ConfigError("argument " + std::to_string(i) + " is not UTF-8 text; names and text must be UTF-8");
  for (int i = from; i < argc; ++i) {
    const std::string s = argv[i];
    if (s.rfind("--", 0) != 0 || s == "--") {
      a.positional.push_back(s);
      continue;
    }
    const size_t eq = s.find('=');
    const std::string name = s.substr(0, eq);
    if (known(switches, name)) {
      if (eq != std::string::npos) throw fm::ConfigError(name + " takes no value");
      a.opts[name].push_back("1");
    } else if (known(options, name)) {
      if (eq != std::string::npos) {
        a.opts[name].push_back(s.substr(eq + 1));
      } else {
        if (i + 1 >= argc) throw fm::ConfigError("option " + name + " needs a value");
        a.opts[name].push_back(argv[++i]);
      }
    } else {
      std::string best;
      size_t bestDistance = 3;  // suggest only near misses
      for (const auto* list : {&switches, &options})
        for (const auto& candidate : *list) {
          const size_t d = editDistance(name, candidate);
          if (d < bestDistance) bestDistance = d, best = candidate;
        }
      throw fm::ConfigError("unknown option " + name +
                            (best.empty() ? std::string(" (fmw --help lists the options)")
                                          : " (did you mean " + best + "?)"));
    }
  }
  return a;
}

double toNum(const std::string& flag, const std::string& v) {
  double d = 0;
  try {
    size_t n = 0;
    d = std::stod(v, &n);
    if (n != v.size()) throw std::invalid_argument(v);
  } catch (const std::exception&) {
    throw fm::ConfigError(flag + " expects a number, got \"" + v + "\"");
  }
  if (!std::isfinite(d)) throw fm::ConfigError(flag + " expects a finite number, got \"" + v + "\"");
  return d;
}

long long toInt(const std::string& flag, const std::string& v) {
  try {
    size_t n = 0;
    long long d = std::stoll(v, &n);
    if (n != v.size()) throw std::invalid_argument(v);
    return d;
  } catch (const std::exception&) {
    throw fm::ConfigError(flag + " expects an integer, got \"" + v + "\"");
  }
}

std::string needDir(const Args& a, const char* cmd) {
  if (a.positional.empty()) throw fm::ConfigError(std::string("fmw ") + cmd + ": MODEL_DIR is missing");
  return a.positional[0];
}

fm::LoadOptions loadOptions(const Args& a) {
  fm::LoadOptions lo;
  lo.dtype = a.get("--dtype", lo.dtype);
  lo.device = a.get("--device", lo.device);
  return lo;
}

// The workspace: --workspace, else $FMW_WORKSPACE, else ~/fm-workbench.
std::filesystem::path workspace(const Args& a) {
  if (a.has("--workspace")) return a.get("--workspace");
  if (const char* w = std::getenv("FMW_WORKSPACE")) return w;
  const char* home = std::getenv("HOME");
  if (!home) home = std::getenv("USERPROFILE");
  if (!home) throw fm::ConfigError("no home folder: pass --workspace DIR");
  return std::filesystem::path(home) / "fm-workbench";
}

namespace {
std::atomic<bool> g_stop{false};
void onInterrupt(int) { g_stop = true; }
}  // namespace

bool stopRequested() { return g_stop.load(); }

fm::JobContext jobProgress() {
  std::signal(SIGINT, onInterrupt);
  auto last = std::make_shared<std::string>();
  return fm::JobContext(
      [last](double f, const std::string& what) {
        // A new step's name at once; the same step counting on, at most twice a second.
        static auto shown = std::chrono::steady_clock::now();
        const auto now = std::chrono::steady_clock::now();
        const bool sameStep = what.substr(0, what.find(':')) == last->substr(0, last->find(':'));
        if (what != *last && (!sameStep || now - shown > std::chrono::milliseconds(500))) {
          shown = now;
          *last = what;
          if (f >= 0) std::fprintf(stderr, "[%3.0f%%] %s\n", f * 100, what.c_str());
          else std::fprintf(stderr, "%s\n", what.c_str());
        }
        return !g_stop.load();
      },
      [](const std::string& line) { std::fprintf(stderr, "%s\n", line.c_str()); }, [] { return g_stop.load(); });
}

}  // namespace fmw
