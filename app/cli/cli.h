// The pieces every fmw command shares: the command table entry, the parsed arguments and the
// one flag parser. A command lists the switches (no value) and options (one value each, may be
// repeated) it understands; anything else on its command line is an error naming the option.
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "jobs/job.h"

namespace fm {
struct LoadOptions;
}

namespace fmw {

struct Args {
  std::vector<std::string> positional;
  std::map<std::string, std::vector<std::string>> opts;
  bool has(const std::string& k) const { return opts.count(k) > 0; }
  std::string get(const std::string& k, const std::string& def = "") const {
    auto it = opts.find(k);
    return it == opts.end() || it->second.empty() ? def : it->second.back();
  }
};

struct Command {
  std::string name;
  std::vector<std::string> switches;  // "--json"
  std::vector<std::string> options;   // "--prompt" (takes a value)
  bool trainSettings = false;         // also every run.json key as --key-name VALUE
  int (*run)(const Args&) = nullptr;
};

const std::vector<Command>& modelCommands();
const std::vector<Command>& trainCommands();
const std::vector<Command>& benchCommands();
const std::vector<Command>& collectionCommands();
const std::vector<Command>& visionCommands();

// Parses argv[from..] for `cmd`. --threads N and --help are understood everywhere.
Args parseArgs(int argc, char** argv, int from, const Command& cmd);

double toNum(const std::string& flag, const std::string& value);
long long toInt(const std::string& flag, const std::string& value);
std::string needDir(const Args& a, const char* cmd);
fm::LoadOptions loadOptions(const Args& a);
std::filesystem::path workspace(const Args& a);  // --workspace, $FMW_WORKSPACE or ~/fm-workbench
std::string trainSettingFlag(const std::string& key);  // "lora_r" -> "--lora-r"
// Progress of a long job on stderr (a new step at once, the same step at most twice a second);
// Ctrl+C asks the job to stop.
fm::JobContext jobProgress();
bool stopRequested();  // Ctrl+C was pressed since jobProgress() was set up

}  // namespace fmw
