// Reading one setting of a training config from JSON or from a command-line flag, with the
// error naming the setting: shared by the trainers' table-driven configs.
#pragma once

#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <type_traits>
#include <vector>

#include "util/error.h"

namespace fm {

// `what` starts the message: "training config: \"lr\" must be a number, got \"x\"".
template <typename T>
void readConfigField(const nlohmann::json& v, const std::string& key, T& out, const char* what) {
  try {
    if constexpr (std::is_same_v<T, bool>) {
      if (!v.is_boolean()) throw std::invalid_argument("");
    } else if constexpr (std::is_integral_v<T>) {
      if (!v.is_number_integer()) throw std::invalid_argument("");
    } else if constexpr (std::is_floating_point_v<T>) {
      if (!v.is_number()) throw std::invalid_argument("");
    } else if constexpr (std::is_same_v<T, std::string>) {
      if (!v.is_string()) throw std::invalid_argument("");
    }
    out = v.get<T>();
  } catch (const std::exception&) {
    const char* want = std::is_same_v<T, bool>                          ? "true or false"
                       : std::is_integral_v<T>                          ? "an integer"
                       : std::is_floating_point_v<T>                    ? "a number"
                       : std::is_same_v<T, std::string>                 ? "a string"
                                                                        : "a list of strings";
    throw ConfigError(std::string(what) + ": \"" + key + "\" must be " + want + ", got " + v.dump());
  }
}

template <typename T>
void parseConfigField(const std::string& text, const std::string& key, T& out, const char* what) {
  if constexpr (std::is_same_v<T, std::string>) {
    out = text;
  } else if constexpr (std::is_same_v<T, std::vector<std::string>>) {
    out.clear();
    std::stringstream ss(text);
    std::string item;
    while (std::getline(ss, item, ','))
      if (!item.empty()) out.push_back(item);
  } else if constexpr (std::is_same_v<T, bool>) {
    if (text == "true" || text == "1" || text == "yes") out = true;
    else if (text == "false" || text == "0" || text == "no") out = false;
    else throw ConfigError("--" + key + ": expected true or false, got \"" + text + "\"");
  } else {
    nlohmann::json v;
    try {
      v = nlohmann::json::parse(text);
    } catch (const std::exception&) {
      throw ConfigError("--" + key + ": expected a number, got \"" + text + "\"");
    }
    readConfigField(v, key, out, what);
  }
}

}  // namespace fm
