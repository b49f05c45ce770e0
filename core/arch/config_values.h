// Reading config.json values the way every family file needs them: absent or null gives the
// default; a value of the wrong type is a ConfigError that names the key.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

namespace fm {

int64_t configInt(const nlohmann::json& c, const char* key, int64_t def);
double configNum(const nlohmann::json& c, const char* key, double def);
bool configBool(const nlohmann::json& c, const char* key, bool def);
// architectures[0], or `fallback` when the config names none.
std::string configArchitecture(const nlohmann::json& c, const std::string& fallback);

}  // namespace fm
