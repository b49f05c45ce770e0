#include "arch/config_values.h"

#include "util/error.h"

namespace fm {

namespace {
bool absent(const nlohmann::json& c, const char* key) { return !c.is_object() || !c.contains(key) || c[key].is_null(); }
FormatError wrongType(const char* where, const char* key, const char* want, const nlohmann::json& v) {
  return FormatError(std::string(where) + ": \"" + key + "\" must be " + want + ", found " + v.type_name());
}
}  // namespace

int64_t configInt(const nlohmann::json& c, const char* key, int64_t def, const char* where) {
  if (absent(c, key)) return def;
  if (!c[key].is_number_integer()) throw wrongType(where, key, "an integer", c[key]);
  return c[key].get<int64_t>();
}

double configNum(const nlohmann::json& c, const char* key, double def, const char* where) {
  if (absent(c, key)) return def;
  if (!c[key].is_number()) throw wrongType(where, key, "a number", c[key]);
  return c[key].get<double>();
}

bool configBool(const nlohmann::json& c, const char* key, bool def, const char* where) {
  if (absent(c, key)) return def;
  if (!c[key].is_boolean()) throw wrongType(where, key, "true or false", c[key]);
  return c[key].get<bool>();
}

std::string configString(const nlohmann::json& c, const char* key, const std::string& def, const char* where) {
  if (absent(c, key)) return def;
  if (!c[key].is_string()) throw wrongType(where, key, "a string", c[key]);
  return c[key].get<std::string>();
}

std::string configArchitecture(const nlohmann::json& c, const std::string& fallback) {
  const auto it = c.find("architectures");
  if (it != c.end() && it->is_array() && !it->empty() && (*it)[0].is_string()) return (*it)[0].get<std::string>();
  return fallback;
}

}  // namespace fm
