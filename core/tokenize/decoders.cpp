// Decoders turn vocabulary pieces back into text; each works on the list of pieces and
// hands the result to the next, as HF's decode_chain does.
#include <cctype>

#include "tokenize/hf_components.h"
#include "tokenize/text_util.h"
#include "util/error.h"

namespace fm::hf {
namespace {

constexpr const char* kSupported =
    "ByteLevel, Metaspace, WordPiece, BPEDecoder, Replace, ByteFallback, Fuse, Strip, Sequence";

std::string replaceAll(const std::string& s, const std::string& from, const std::string& to) {
  if (from.empty()) return s;
  std::string out;
  size_t prev = 0;
  for (size_t pos = s.find(from); pos != std::string::npos; pos = s.find(from, prev)) {
    out.append(s, prev, pos - prev);
    out += to;
    prev = pos + from.size();
  }
  out.append(s, prev, std::string::npos);
  return out;
}

class ByteLevelDecoder : public Decoder {
 public:
  std::vector<std::string> decodeChain(std::vector<std::string> tokens) const override {
    std::string bytes;
    for (const std::string& token : tokens) {
      std::string mapped;
      bool allMapped = true;
      for (size_t i = 0, n = 0; i < token.size(); i += n) {
        int b = unicodeToByte(text::decodeAt(token, i, &n));
        if (b < 0) {
          allMapped = false;
          break;
        }
        mapped += static_cast<char>(b);
      }
      bytes += allMapped ? mapped : token;
    }
    return {text::lossyUtf8(bytes)};
  }
};

class MetaspaceDecoder : public Decoder {
 public:
  MetaspaceDecoder(std::string replacement, bool stripFirst)
      : m_replacement(std::move(replacement)), m_stripFirst(stripFirst) {}
  std::vector<std::string> decodeChain(std::vector<std::string> tokens) const override {
    for (size_t i = 0; i < tokens.size(); ++i) {
      // HF drops every replacement character of the first piece, not only a leading one.
      tokens[i] = replaceAll(tokens[i], m_replacement, i == 0 && m_stripFirst ? "" : " ");
    }
    return tokens;
  }

 private:
  std::string m_replacement;
  bool m_stripFirst;
};

std::string cleanup(const std::string& s) {
  static const std::pair<const char*, const char*> kRules[] = {
      {" .", "."}, {" ?", "?"}, {" !", "!"}, {" ,", ","}, {" ' ", "'"}, {" n't", "n't"},
      {" 'm", "'m"}, {" do not", " don't"}, {" 's", "'s"}, {" 've", "'ve"}, {" 're", "'re"}};
  std::string out = s;
  for (const auto& [from, to] : kRules) out = replaceAll(out, from, to);
  return out;
}

class WordPieceDecoder : public Decoder {
 public:
  WordPieceDecoder(std::string prefix, bool cleanup) : m_prefix(std::move(prefix)), m_cleanup(cleanup) {}
  std::vector<std::string> decodeChain(std::vector<std::string> tokens) const override {
    for (size_t i = 0; i < tokens.size(); ++i) {
      if (i != 0) {
        if (tokens[i].compare(0, m_prefix.size(), m_prefix) == 0) {
          tokens[i] = tokens[i].substr(m_prefix.size());
        } else {
          tokens[i] = " " + tokens[i];
        }
      }
      if (m_cleanup) tokens[i] = cleanup(tokens[i]);
    }
    return tokens;
  }

 private:
  std::string m_prefix;
  bool m_cleanup;
};

class BpeDecoder : public Decoder {
 public:
  explicit BpeDecoder(std::string suffix) : m_suffix(std::move(suffix)) {}
  std::vector<std::string> decodeChain(std::vector<std::string> tokens) const override {
    for (size_t i = 0; i < tokens.size(); ++i) {
      tokens[i] = replaceAll(tokens[i], m_suffix, i + 1 == tokens.size() ? "" : " ");
    }
    return tokens;
  }

 private:
  std::string m_suffix;
};

class ReplaceDecoder : public Decoder {
 public:
  ReplaceDecoder(const std::string& pattern, std::string content)
      : m_regex(pattern), m_content(std::move(content)) {}
  std::vector<std::string> decodeChain(std::vector<std::string> tokens) const override {
    for (std::string& token : tokens) {
      std::string out;
      size_t prev = 0;
      for (auto [start, end] : m_regex.findAll(token)) {
        if (end == start) continue;
        out.append(token, prev, start - prev);
        out += m_content;
        prev = end;
      }
      out.append(token, prev, std::string::npos);
      token = std::move(out);
    }
    return tokens;
  }

 private:
  text::Regex m_regex;
  std::string m_content;
};

class ByteFallbackDecoder : public Decoder {
 public:
  std::vector<std::string> decodeChain(std::vector<std::string> tokens) const override {
    std::vector<std::string> out;
    std::string pending;
    auto flush = [&]() {
      if (pending.empty()) return;
      if (text::isValidUtf8(pending)) {
        out.push_back(pending);
      } else {
        // HF gives one U+FFFD per byte when the run is not valid UTF-8.
        for (size_t i = 0; i < pending.size(); ++i) out.push_back("\xEF\xBF\xBD");
      }
      pending.clear();
    };
    for (std::string& token : tokens) {
      if (token.size() == 6 && token.compare(0, 3, "<0x") == 0 && token[5] == '>' &&
          std::isxdigit(static_cast<unsigned char>(token[3])) &&
          std::isxdigit(static_cast<unsigned char>(token[4]))) {
        pending += static_cast<char>(std::stoi(token.substr(3, 2), nullptr, 16));
        continue;
      }
      flush();
      out.push_back(std::move(token));
    }
    flush();
    return out;
  }
};

class FuseDecoder : public Decoder {
 public:
  std::vector<std::string> decodeChain(std::vector<std::string> tokens) const override {
    std::string joined;
    for (const std::string& t : tokens) joined += t;
    return {joined};
  }
};

class StripDecoder : public Decoder {
 public:
  StripDecoder(char32_t content, size_t start, size_t stop)
      : m_content(content), m_start(start), m_stop(stop) {}
  std::vector<std::string> decodeChain(std::vector<std::string> tokens) const override {
    for (std::string& token : tokens) {
      std::u32string chars = text::toU32(token);
      size_t begin = 0;
      while (begin < m_start && begin < chars.size() && chars[begin] == m_content) ++begin;
      size_t end = chars.size();
      for (size_t i = 0; i < m_stop && end > begin && chars[end - 1] == m_content; ++i) --end;
      token = text::fromU32(chars.substr(begin, end - begin));
    }
    return tokens;
  }

 private:
  char32_t m_content;
  size_t m_start, m_stop;
};

class SequenceDecoder : public Decoder {
 public:
  explicit SequenceDecoder(std::vector<std::unique_ptr<Decoder>> steps) : m_steps(std::move(steps)) {}
  std::vector<std::string> decodeChain(std::vector<std::string> tokens) const override {
    for (const auto& step : m_steps) tokens = step->decodeChain(std::move(tokens));
    return tokens;
  }

 private:
  std::vector<std::unique_ptr<Decoder>> m_steps;
};

}  // namespace

std::unique_ptr<Decoder> makeDecoder(const Json& section, const std::string& file, int depth) {
  if (section.is_null()) return nullptr;
  const std::string type = typeOf(section, file, "decoder");
  if (type == "ByteLevel") return std::make_unique<ByteLevelDecoder>();
  if (type == "Metaspace") {
    bool stripFirst = true;
    if (auto it = section.find("prepend_scheme"); it != section.end() && it->is_string()) {
      stripFirst = it->get<std::string>() != "never";
    } else if (section.contains("add_prefix_space")) {
      stripFirst = section.value("add_prefix_space", true);
    }
    return std::make_unique<MetaspaceDecoder>(
        section.value("replacement", std::string("\xE2\x96\x81")), stripFirst);
  }
  if (type == "WordPiece") {
    return std::make_unique<WordPieceDecoder>(section.value("prefix", std::string("##")),
                                              section.value("cleanup", true));
  }
  if (type == "BPEDecoder") {
    return std::make_unique<BpeDecoder>(section.value("suffix", std::string("</w>")));
  }
  if (type == "Replace") {
    std::string pattern = patternOf(section.value("pattern", Json()), file, "decoder Replace");
    try {
      return std::make_unique<ReplaceDecoder>(pattern, section.value("content", std::string()));
    } catch (const std::runtime_error& e) {
      throwFormat(file, std::string("decoder Replace: ") + e.what());
    }
  }
  if (type == "ByteFallback") return std::make_unique<ByteFallbackDecoder>();
  if (type == "Fuse") return std::make_unique<FuseDecoder>();
  if (type == "Strip") {
    std::u32string content = text::toU32(section.value("content", std::string(" ")));
    if (content.size() != 1) throwFormat(file, "decoder Strip content must be one character");
    return std::make_unique<StripDecoder>(content[0], section.value("start", static_cast<size_t>(0)),
                                          section.value("stop", static_cast<size_t>(0)));
  }
  if (type == "Sequence") {
    checkSequenceDepth(depth, file, "decoder");
    std::vector<std::unique_ptr<Decoder>> steps;
    for (const Json& step : section.value("decoders", Json::array())) {
      if (auto d = makeDecoder(step, file, depth + 1)) steps.push_back(std::move(d));
    }
    return std::make_unique<SequenceDecoder>(std::move(steps));
  }
  throwUnsupported(file, "decoder", type, kSupported);
}

}  // namespace fm::hf
