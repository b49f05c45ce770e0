// Reading a model folder's JSON values (config.json and its neighbours) the way every family
// file needs them: absent or null gives the default; a value of the wrong type is a
// FormatError that names the file (`where`) and the key.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

namespace fm {

int64_t configInt(const nlohmann::json& c, const char* key, int64_t def, const char* where = "config.json");
double configNum(const nlohmann::json& c, const char* key, double def, const char* where = "config.json");
bool configBool(const nlohmann::json& c, const char* key, bool def, const char* where = "config.json");
std::string configString(const nlohmann::json& c, const char* key, const std::string& def,
                         const char* where = "config.json");
// architectures[0], or `fallback` when the config names none.
std::string configArchitecture(const nlohmann::json& c, const std::string& fallback);

}  // namespace fm
