#include "arch/config_values.h"

#include "util/error.h"

namespace fm {

int64_t configInt(const nlohmann::json& c, const char* key, int64_t def) {
  if (!c.contains(key) || c[key].is_null()) return def;
  if (!c[key].is_number_integer()) throw ConfigError(std::string("config.json: \"") + key + "\" must be an integer");
  return c[key].get<int64_t>();
}

double configNum(const nlohmann::json& c, const char* key, double def) {
  if (!c.contains(key) || c[key].is_null()) return def;
  if (!c[key].is_number()) throw ConfigError(std::string("config.json: \"") + key + "\" must be a number");
  return c[key].get<double>();
}

bool configBool(const nlohmann::json& c, const char* key, bool def) {
  if (!c.contains(key) || c[key].is_null()) return def;
  if (!c[key].is_boolean()) throw ConfigError(std::string("config.json: \"") + key + "\" must be true or false");
  return c[key].get<bool>();
}

std::string configArchitecture(const nlohmann::json& c, const std::string& fallback) {
  const auto it = c.find("architectures");
  if (it != c.end() && it->is_array() && !it->empty() && (*it)[0].is_string()) return (*it)[0].get<std::string>();
  return fallback;
}

}  // namespace fm
