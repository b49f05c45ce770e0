// A small Jinja interpreter for Hugging Face chat templates (tokenizer_config.json's
// "chat_template"). It renders the way transformers' apply_chat_template does: jinja2's
// ImmutableSandboxedEnvironment with trim_blocks, lstrip_blocks and the loopcontrols
// extension, plus the globals raise_exception(msg) and strftime_now(fmt), and a tojson filter
// that keeps key order and non-ASCII text (ensure_ascii=False) and takes indent=.
//
//   auto tpl = fm::jinja::Template::parse(config["chat_template"].get<std::string>());
//   nlohmann::ordered_json ctx = {{"messages", messages}, {"add_generation_prompt", true},
//                                 {"bos_token", "<s>"}, {"eos_token", "</s>"}};
//   std::string prompt = tpl.render(ctx);
//
// Thread safety: a Template is immutable after parse(); render() may run on many threads at
// once, each call keeps its own state.
//
// The context's top-level keys become template variables. Pass nlohmann::ordered_json to keep
// the key order of the input (tojson and {{ dict }} print keys in that order); a plain
// nlohmann::json stores objects sorted by key, so that is the order they print in.
// strftime_now() formats the local time; a context key "__now__" holding "YYYY-MM-DD" makes
// it format that date (midnight) instead, so tests do not depend on the clock.
//
// Errors: syntax errors (message with the line), unknown filters/tests, runtime type errors and
// raise_exception(msg) (message exactly msg) throw fm::ConfigError. Nesting depth, loop
// iterations and output size are bounded so a hostile template fails instead of crashing.
// Also understood: transformers' {% generation %}...{% endgeneration %} (renders its body).
// Not supported: template inheritance/include/import, {% call %} blocks, recursive loops,
// string % formatting and str.format, *args/**kwargs, non-string dict keys, arbitrary-precision
// integers (64-bit here). upper/lower map ASCII, Latin-1, Latin Extended-A, Greek and Cyrillic
// only; title/capitalize change ASCII letters only.
#pragma once

#include <memory>
#include <string>

#include <nlohmann/json.hpp>

namespace fm::jinja {

struct Program;  // the parsed template (defined in jinja.cpp)

class Template {
 public:
  static Template parse(const std::string& source);  // throws ConfigError
  std::string render(const nlohmann::json& context) const;          // throws ConfigError
  std::string render(const nlohmann::ordered_json& context) const;  // throws ConfigError

 private:
  std::shared_ptr<const Program> m_program;
};

}  // namespace fm::jinja
