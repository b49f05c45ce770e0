// Jinja for chat templates: lexer (jinja2's whitespace rules) -> parser (jinja2's grammar and
// precedence) -> tree-walking renderer with Python value semantics.
#include "tokenize/jinja.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <functional>
#include <tuple>
#include <unordered_map>
#include <vector>

#include "util/error.h"

namespace fm::jinja {
namespace {

constexpr int kMaxDepth = 200;                       // nested expressions / statements / macros
constexpr size_t kMaxOutput = 64u << 20;             // bytes rendered by one call
constexpr size_t kMaxLoopIterations = 10'000'000;    // over all loops of one call
constexpr uint32_t kMaxNesting = 500;                // lists/dicts inside each other (input or built)

[[noreturn]] void fail(const std::string& msg) { throw ConfigError(msg); }

// ---------------------------------------------------------------------------------------------
// Values

struct Value;
struct Dict;
struct Callable;
using List = std::vector<Value>;

struct Value {
  enum class Kind { Undefined, None, Bool, Int, Float, String, List, Dict, Namespace, Callable };
  Kind kind = Kind::Undefined;
  bool b = false;
  int64_t i = 0;
  double f = 0;
  std::string s;  // String; for Undefined the name it was looked up by (for messages)
  std::shared_ptr<List> list;
  bool tuple = false;
  std::shared_ptr<Dict> dict;  // Dict and Namespace
  std::shared_ptr<Callable> fn;
  uint32_t nesting = 0;  // List/Dict: 1 + deepest element, so printing and freeing cannot overflow the stack

  static Value undef(std::string hint = {}) { Value v; v.s = std::move(hint); return v; }
  static Value none() { Value v; v.kind = Kind::None; return v; }
  static Value boolean(bool x) { Value v; v.kind = Kind::Bool; v.b = x; return v; }
  static Value integer(int64_t x) { Value v; v.kind = Kind::Int; v.i = x; return v; }
  static Value real(double x) { Value v; v.kind = Kind::Float; v.f = x; return v; }
  static Value str(std::string x) { Value v; v.kind = Kind::String; v.s = std::move(x); return v; }
  static Value makeList(List l = {}, bool tuple = false);
  static Value makeDict();


  bool isUndef() const { return kind == Kind::Undefined; }
  bool isNone() const { return kind == Kind::None; }
  bool isStr() const { return kind == Kind::String; }
  bool isList() const { return kind == Kind::List; }
  bool isDict() const { return kind == Kind::Dict; }
  bool isNumber() const { return kind == Kind::Int || kind == Kind::Float || kind == Kind::Bool; }
  double num() const { return kind == Kind::Float ? f : kind == Kind::Int ? double(i) : double(b); }
  int64_t intVal() const { return kind == Kind::Int ? i : kind == Kind::Bool ? int64_t(b) : int64_t(f); }
};

struct Dict {
  std::vector<std::pair<std::string, Value>> items;
  const Value* find(const std::string& k) const {
    for (auto& kv : items)
      if (kv.first == k) return &kv.second;
    return nullptr;
  }
  void set(const std::string& k, Value v) {
    for (auto& kv : items)
      if (kv.first == k) { kv.second = std::move(v); return; }
    items.emplace_back(k, std::move(v));
  }
};

Value Value::makeDict() {
  Value v;
  v.kind = Kind::Dict;
  v.dict = std::make_shared<Dict>();
  return v;
}

void checkNesting(Value& v, uint32_t childMax) {
  v.nesting = childMax + 1;
  if (v.nesting > kMaxNesting) fail("value nested deeper than " + std::to_string(kMaxNesting) + " levels");
}

Value Value::makeList(List l, bool tuple) {
  uint32_t deepest = 0;
  for (auto& e : l) deepest = std::max(deepest, e.nesting);
  Value v;
  v.kind = Kind::List;
  v.list = std::make_shared<List>(std::move(l));
  v.tuple = tuple;
  checkNesting(v, deepest);
  return v;
}

// Call after filling a dict.
void updateDictNesting(Value& d) {
  uint32_t deepest = 0;
  for (auto& kv : d.dict->items) deepest = std::max(deepest, kv.second.nesting);
  checkNesting(d, deepest);
}

class Renderer;
using Args = std::vector<Value>;
using Kwargs = std::vector<std::pair<std::string, Value>>;
struct Callable {
  std::string name;
  std::function<Value(Renderer&, Args&, Kwargs&)> call;
};

Value makeFn(std::string name, std::function<Value(Renderer&, Args&, Kwargs&)> f) {
  Value v;
  v.kind = Value::Kind::Callable;
  v.fn = std::make_shared<Callable>(Callable{std::move(name), std::move(f)});
  return v;
}

template <class J>
Value fromJson(const J& j) {
  switch (j.type()) {
    case nlohmann::json::value_t::null: return Value::none();
    case nlohmann::json::value_t::boolean: return Value::boolean(j.template get<bool>());
    case nlohmann::json::value_t::number_integer: return Value::integer(j.template get<int64_t>());
    case nlohmann::json::value_t::number_unsigned: return Value::integer(int64_t(j.template get<uint64_t>()));
    case nlohmann::json::value_t::number_float: return Value::real(j.template get<double>());
    case nlohmann::json::value_t::string: return Value::str(j.template get<std::string>());
    case nlohmann::json::value_t::array: {
      List l;
      for (auto& e : j) l.push_back(fromJson(e));
      return Value::makeList(std::move(l));
    }
    case nlohmann::json::value_t::object: {
      Value d = Value::makeDict();
      for (auto it = j.begin(); it != j.end(); ++it) d.dict->items.emplace_back(it.key(), fromJson(it.value()));
      updateDictNesting(d);
      return d;
    }
    default: return Value::none();
  }
}

bool truthy(const Value& v) {
  switch (v.kind) {
    case Value::Kind::Undefined:
    case Value::Kind::None: return false;
    case Value::Kind::Bool: return v.b;
    case Value::Kind::Int: return v.i != 0;
    case Value::Kind::Float: return v.f != 0;
    case Value::Kind::String: return !v.s.empty();
    case Value::Kind::List: return !v.list->empty();
    case Value::Kind::Dict: return !v.dict->items.empty();
    default: return true;
  }
}

const char* typeName(const Value& v) {
  switch (v.kind) {
    case Value::Kind::Undefined: return "Undefined";
    case Value::Kind::None: return "NoneType";
    case Value::Kind::Bool: return "bool";
    case Value::Kind::Int: return "int";
    case Value::Kind::Float: return "float";
    case Value::Kind::String: return "str";
    case Value::Kind::List: return v.tuple ? "tuple" : "list";
    case Value::Kind::Dict: return "dict";
    case Value::Kind::Namespace: return "Namespace";
    default: return "function";
  }
}

// --- UTF-8 helpers: Python indexes strings by code point.
std::vector<std::string> codepoints(const std::string& s) {
  std::vector<std::string> out;
  for (size_t i = 0; i < s.size();) {
    unsigned char c = s[i];
    size_t n = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 1;
    n = std::min(n, s.size() - i);
    out.push_back(s.substr(i, n));
    i += n;
  }
  return out;
}
size_t u8len(const std::string& s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}
bool isAscii(const std::string& s) {
  for (unsigned char c : s)
    if (c >= 0x80) return false;
  return true;
}

// --- Python str() / repr()
std::string floatRepr(double d) {
  if (std::isnan(d)) return "nan";
  if (std::isinf(d)) return d > 0 ? "inf" : "-inf";
  if (d == 0) return std::signbit(d) ? "-0.0" : "0.0";
  char buf[64];
  int prec = 1;
  for (; prec <= 17; ++prec) {
    std::snprintf(buf, sizeof buf, "%.*e", prec - 1, d);
    if (std::strtod(buf, nullptr) == d) break;
  }
  // buf = d.ddddde[+-]XX: rebuild in Python's repr layout.
  std::string m(buf);
  size_t e = m.find('e');
  int exp = std::atoi(m.c_str() + e + 1);
  std::string digits;
  bool neg = m[0] == '-';
  for (size_t k = neg ? 1 : 0; k < e; ++k)
    if (m[k] != '.') digits += m[k];
  while (digits.size() > 1 && digits.back() == '0') digits.pop_back();
  std::string out = neg ? "-" : "";
  if (exp < -4 || exp >= 16) {
    out += digits.substr(0, 1);
    if (digits.size() > 1) out += "." + digits.substr(1);
    char eb[16];
    std::snprintf(eb, sizeof eb, "e%c%02d", exp < 0 ? '-' : '+', std::abs(exp));
    return out + eb;
  }
  if (exp < 0) return out + "0." + std::string(size_t(-exp - 1), '0') + digits;
  if (int(digits.size()) <= exp + 1) return out + digits + std::string(size_t(exp + 1 - int(digits.size())), '0') + ".0";
  return out + digits.substr(0, size_t(exp + 1)) + "." + digits.substr(size_t(exp + 1));
}

std::string strRepr(const std::string& s) {
  bool sq = s.find('\'') != std::string::npos, dq = s.find('"') != std::string::npos;
  char quote = (sq && !dq) ? '"' : '\'';
  std::string out(1, quote);
  for (unsigned char c : s) {
    if (c == '\\') out += "\\\\";
    else if (c == quote) { out += '\\'; out += char(c); }
    else if (c == '\n') out += "\\n";
    else if (c == '\r') out += "\\r";
    else if (c == '\t') out += "\\t";
    else if (c < 0x20 || c == 0x7f) {
      char b[8];
      std::snprintf(b, sizeof b, "\\x%02x", c);
      out += b;
    } else out += char(c);
  }
  return out + quote;
}

std::string toStr(const Value& v, bool repr = false, int depth = 0);
std::string toStr(const Value& v, bool repr, int depth) {
  if (depth > int(kMaxNesting)) fail("value nested too deeply to print (a namespace that contains itself?)");
  switch (v.kind) {
    case Value::Kind::Undefined: return "";
    case Value::Kind::None: return "None";
    case Value::Kind::Bool: return v.b ? "True" : "False";
    case Value::Kind::Int: return std::to_string(v.i);
    case Value::Kind::Float: return floatRepr(v.f);
    case Value::Kind::String: return repr ? strRepr(v.s) : v.s;
    case Value::Kind::List: {
      std::string o = v.tuple ? "(" : "[";
      for (size_t k = 0; k < v.list->size(); ++k) o += (k ? ", " : "") + toStr((*v.list)[k], true, depth + 1);
      if (v.tuple && v.list->size() == 1) o += ",";
      return o + (v.tuple ? ")" : "]");
    }
    case Value::Kind::Dict:
    case Value::Kind::Namespace: {
      std::string o = v.kind == Value::Kind::Namespace ? "<Namespace {" : "{";
      bool first = true;
      for (auto& kv : v.dict->items) {
        o += (first ? "" : ", ") + strRepr(kv.first) + ": " + toStr(kv.second, true, depth + 1);
        first = false;
      }
      return o + (v.kind == Value::Kind::Namespace ? "}>" : "}");
    }
    default: return "<function " + v.fn->name + ">";
  }
}

// --- json.dumps
struct JsonStyle {
  int indent = -1;  // < 0: one line
  std::string itemSep = ", ";
  std::string keySep = ": ";
  bool ensureAscii = false;
  bool sortKeys = false;
};

void appendUtf8(std::string& o, uint32_t cp) {
  if (cp < 0x80) o += char(cp);
  else if (cp < 0x800) { o += char(0xC0 | (cp >> 6)); o += char(0x80 | (cp & 0x3F)); }
  else if (cp < 0x10000) { o += char(0xE0 | (cp >> 12)); o += char(0x80 | ((cp >> 6) & 0x3F)); o += char(0x80 | (cp & 0x3F)); }
  else { o += char(0xF0 | (cp >> 18)); o += char(0x80 | ((cp >> 12) & 0x3F)); o += char(0x80 | ((cp >> 6) & 0x3F)); o += char(0x80 | (cp & 0x3F)); }
}

uint32_t decodeUtf8(const std::string& s, size_t& i) {
  unsigned char c = s[i];
  int n = c < 0x80 ? 0 : (c >> 5) == 6 ? 1 : (c >> 4) == 14 ? 2 : (c >> 3) == 30 ? 3 : 0;
  uint32_t cp = n == 0 ? c : n == 1 ? (c & 0x1F) : n == 2 ? (c & 0x0F) : (c & 0x07);
  for (int k = 0; k < n && i + 1 < s.size(); ++k) cp = (cp << 6) | (static_cast<unsigned char>(s[++i]) & 0x3F);
  ++i;
  return cp;
}

void jsonStr(const std::string& s, std::string& o, bool ensureAscii) {
  o += '"';
  for (size_t i = 0; i < s.size();) {
    unsigned char c = s[i];
    if (c >= 0x80 && ensureAscii) {
      uint32_t cp = decodeUtf8(s, i);
      char b[16];
      if (cp >= 0x10000) {
        cp -= 0x10000;
        std::snprintf(b, sizeof b, "\\u%04x\\u%04x", 0xD800 + (cp >> 10), 0xDC00 + (cp & 0x3FF));
      } else std::snprintf(b, sizeof b, "\\u%04x", cp);
      o += b;
      continue;
    }
    ++i;
    switch (c) {
      case '"': o += "\\\""; break;
      case '\\': o += "\\\\"; break;
      case '\n': o += "\\n"; break;
      case '\r': o += "\\r"; break;
      case '\t': o += "\\t"; break;
      case '\b': o += "\\b"; break;
      case '\f': o += "\\f"; break;
      default:
        if (c < 0x20 || (ensureAscii && c == 0x7f)) {
          char b[8];
          std::snprintf(b, sizeof b, "\\u%04x", c);
          o += b;
        } else o += char(c);
    }
  }
  o += '"';
}

void toJson(const Value& v, const JsonStyle& st, int level, std::string& o) {
  if (level > kMaxDepth) fail("tojson: value nested too deeply");
  auto nl = [&](int lvl) {
    if (st.indent >= 0) o += "\n" + std::string(size_t(st.indent * lvl), ' ');
  };
  switch (v.kind) {
    case Value::Kind::None: o += "null"; return;
    case Value::Kind::Bool: o += v.b ? "true" : "false"; return;
    case Value::Kind::Int: o += std::to_string(v.i); return;
    case Value::Kind::Float:
      o += std::isnan(v.f) ? "NaN" : std::isinf(v.f) ? (v.f > 0 ? "Infinity" : "-Infinity") : floatRepr(v.f);
      return;
    case Value::Kind::String: jsonStr(v.s, o, st.ensureAscii); return;
    case Value::Kind::List:
      if (v.list->empty()) { o += "[]"; return; }
      o += "[";
      for (size_t k = 0; k < v.list->size(); ++k) {
        if (k) o += st.itemSep;
        nl(level + 1);
        toJson((*v.list)[k], st, level + 1, o);
      }
      nl(level);
      o += "]";
      return;
    case Value::Kind::Dict: {
      if (v.dict->items.empty()) { o += "{}"; return; }
      std::vector<const std::pair<std::string, Value>*> items;
      for (auto& kv : v.dict->items) items.push_back(&kv);
      if (st.sortKeys)
        std::stable_sort(items.begin(), items.end(), [](auto* x, auto* y) { return x->first < y->first; });
      o += "{";
      for (size_t k = 0; k < items.size(); ++k) {
        if (k) o += st.itemSep;
        nl(level + 1);
        jsonStr(items[k]->first, o, st.ensureAscii);
        o += st.keySep;
        toJson(items[k]->second, st, level + 1, o);
      }
      nl(level);
      o += "}";
      return;
    }
    case Value::Kind::Undefined: fail("tojson: value is undefined" + (v.s.empty() ? "" : " ('" + v.s + "')"));
    default: fail(std::string("tojson: object of type '") + typeName(v) + "' is not JSON serializable");
  }
}

bool equals(const Value& a, const Value& b) {
  if (a.isNumber() && b.isNumber()) {
    if (a.kind == Value::Kind::Float || b.kind == Value::Kind::Float) return a.num() == b.num();
    return a.intVal() == b.intVal();
  }
  if (a.kind != b.kind) return false;
  switch (a.kind) {
    case Value::Kind::Undefined:
    case Value::Kind::None: return true;
    case Value::Kind::String: return a.s == b.s;
    case Value::Kind::List:
      if (a.list->size() != b.list->size()) return false;
      for (size_t k = 0; k < a.list->size(); ++k)
        if (!equals((*a.list)[k], (*b.list)[k])) return false;
      return true;
    case Value::Kind::Namespace: return a.dict == b.dict;  // identity, like Python objects
    case Value::Kind::Dict:
      if (a.dict->items.size() != b.dict->items.size()) return false;
      for (auto& kv : a.dict->items) {
        const Value* o = b.dict->find(kv.first);
        if (!o || !equals(kv.second, *o)) return false;
      }
      return true;
    default: return a.fn == b.fn;
  }
}

int compare(const Value& a, const Value& b, const std::string& op) {
  if (a.isNumber() && b.isNumber()) {
    if (a.kind != Value::Kind::Float && b.kind != Value::Kind::Float)
      return a.intVal() < b.intVal() ? -1 : a.intVal() > b.intVal();
    return a.num() < b.num() ? -1 : a.num() > b.num();
  }
  if (a.isStr() && b.isStr()) return a.s < b.s ? -1 : a.s > b.s;
  if (a.isList() && b.isList()) {
    for (size_t k = 0; k < a.list->size() && k < b.list->size(); ++k) {
      if (!equals((*a.list)[k], (*b.list)[k])) return compare((*a.list)[k], (*b.list)[k], op);
    }
    return a.list->size() < b.list->size() ? -1 : a.list->size() > b.list->size();
  }
  fail("'" + op + "' not supported between instances of '" + typeName(a) + "' and '" + typeName(b) + "'");
}

const std::string kPyWs = " \t\n\r\x0b\x0c\x1c\x1d\x1e\x1f";

std::string pyStrip(const std::string& s, const Value* chars, bool left, bool right) {
  std::string set = (chars && chars->isStr()) ? chars->s : kPyWs;
  size_t b = 0, e = s.size();
  if (left)
    while (b < e && set.find(s[b]) != std::string::npos) ++b;
  if (right)
    while (e > b && set.find(s[e - 1]) != std::string::npos) --e;
  return s.substr(b, e - b);
}

bool isSpace(char c) { return kPyWs.find(c) != std::string::npos; }
// Simple case mapping for ASCII, Latin-1, Latin Extended-A, Greek and Cyrillic (the scripts
// chat templates and their messages meet in practice); other code points are left as they are.
uint32_t caseMap(uint32_t c, bool upper) {
  if (c < 0x80) return uint32_t(upper ? std::toupper(int(c)) : std::tolower(int(c)));
  auto shift = [&](uint32_t lo, uint32_t hi, uint32_t delta) -> int {  // upper range [lo, hi], lower = +delta
    if (!upper && c >= lo && c <= hi) return int(c + delta);
    if (upper && c >= lo + delta && c <= hi + delta) return int(c - delta);
    return -1;
  };
  for (auto [lo, hi, d] : {std::tuple<uint32_t, uint32_t, uint32_t>{0xC0, 0xD6, 0x20}, {0xD8, 0xDE, 0x20},
                           {0x391, 0x3A1, 0x20}, {0x3A3, 0x3AB, 0x20}, {0x410, 0x42F, 0x20}, {0x400, 0x40F, 0x50}})
    if (int r = shift(lo, hi, d); r >= 0) return uint32_t(r);
  if (c == 0xFF && upper) return 0x178;
  if (c == 0x178 && !upper) return 0xFF;
  bool evenUpper = (c >= 0x100 && c <= 0x12F) || (c >= 0x132 && c <= 0x137) || (c >= 0x14A && c <= 0x177);
  bool oddUpper = (c >= 0x139 && c <= 0x148) || (c >= 0x179 && c <= 0x17E);
  if (evenUpper || oddUpper) {
    bool isUpper = (c % 2 == 0) == evenUpper;
    if (upper && !isUpper) return c - 1;
    if (!upper && isUpper) return c + 1;
  }
  return c;
}

void appendUtf8(std::string& o, uint32_t cp);
uint32_t decodeUtf8(const std::string& s, size_t& i);

std::string mapCase(const std::string& s, bool upper) {
  std::string o;
  o.reserve(s.size());
  for (size_t i = 0; i < s.size();) appendUtf8(o, caseMap(decodeUtf8(s, i), upper));
  return o;
}
std::string pyUpper(const std::string& s) { return mapCase(s, true); }
std::string pyLower(const std::string& s) { return mapCase(s, false); }

std::string replaceAll(const std::string& s, const std::string& from, const std::string& to, int64_t count) {
  std::string out;
  if (from.empty()) {  // Python inserts `to` between every code point
    auto cps = codepoints(s);
    int64_t n = 0;
    for (auto& cp : cps) {
      if (count < 0 || n < count) { out += to; ++n; }
      out += cp;
    }
    if (count < 0 || n < count) out += to;
    return out;
  }
  size_t pos = 0;
  int64_t n = 0;
  while (count < 0 || n < count) {
    size_t f = s.find(from, pos);
    if (f == std::string::npos) break;
    out += s.substr(pos, f - pos) + to;
    pos = f + from.size();
    ++n;
  }
  return out + s.substr(pos);
}

List pySplit(const std::string& s, const Value* sep, int64_t maxsplit) {
  List out;
  if (!sep || sep->isNone() || sep->isUndef()) {
    size_t i = 0;
    int64_t n = 0;
    while (true) {
      while (i < s.size() && isSpace(s[i])) ++i;
      if (i >= s.size()) break;
      if (maxsplit >= 0 && n >= maxsplit) {  // Python keeps the remainder's trailing whitespace
        out.push_back(Value::str(s.substr(i)));
        break;
      }
      size_t j = i;
      while (j < s.size() && !isSpace(s[j])) ++j;
      out.push_back(Value::str(s.substr(i, j - i)));
      ++n;
      i = j;
    }
    return out;
  }
  if (!sep->isStr() || sep->s.empty()) fail("split(): empty separator");
  size_t pos = 0;
  int64_t n = 0;
  while (maxsplit < 0 || n < maxsplit) {
    size_t f = s.find(sep->s, pos);
    if (f == std::string::npos) break;
    out.push_back(Value::str(s.substr(pos, f - pos)));
    pos = f + sep->s.size();
    ++n;
  }
  out.push_back(Value::str(s.substr(pos)));
  return out;
}

std::string pyTitle(const std::string& s) {  // str.title()
  std::string o = s;
  bool prevCased = false;
  for (auto& c : o) {
    unsigned char u = c;
    if (std::isalpha(u)) {
      c = char(prevCased ? std::tolower(u) : std::toupper(u));
      prevCased = true;
    } else prevCased = u >= 0x80 && prevCased;
  }
  return o;
}

std::string pyCapitalize(const std::string& s) {
  std::string o = pyLower(s);
  if (!o.empty()) o[0] = char(std::toupper((unsigned char)o[0]));
  return o;
}

// Python sequence view: list, tuple, string (as code points), dict (keys).
List iterate(const Value& v) {
  switch (v.kind) {
    case Value::Kind::Undefined: return {};
    case Value::Kind::List: return *v.list;
    case Value::Kind::String: {
      List l;
      for (auto& cp : codepoints(v.s)) l.push_back(Value::str(cp));
      return l;
    }
    case Value::Kind::Dict: {
      List l;
      for (auto& kv : v.dict->items) l.push_back(Value::str(kv.first));
      return l;
    }
    default: fail(std::string("'") + typeName(v) + "' object is not iterable");
  }
}

int64_t length(const Value& v) {
  switch (v.kind) {
    case Value::Kind::Undefined: return 0;
    case Value::Kind::String: return int64_t(u8len(v.s));
    case Value::Kind::List: return int64_t(v.list->size());
    case Value::Kind::Dict:
    case Value::Kind::Namespace: return int64_t(v.dict->items.size());
    default: fail(std::string("object of type '") + typeName(v) + "' has no len()");
  }
}

// ---------------------------------------------------------------------------------------------
// Lexer

enum class T { Data, VarBegin, VarEnd, BlockBegin, BlockEnd, Name, Str, Int, Float, Op, Eof };
struct Tok {
  T type;
  std::string text;
  int64_t i = 0;
  double f = 0;
  int line = 1;
};

[[noreturn]] void syntaxError(int line, const std::string& msg) {
  fail("chat template syntax error at line " + std::to_string(line) + ": " + msg);
}

class Lexer {
 public:
  explicit Lexer(std::string src) : m_src(std::move(src)) {}

  std::vector<Tok> run() {
    const std::string& s = m_src;
    size_t pos = 0;
    bool lineStarting = true;
    while (pos < s.size()) {
      size_t t = pos;
      while (true) {
        t = s.find('{', t);
        if (t == std::string::npos || t + 1 >= s.size()) { t = std::string::npos; break; }
        char c = s[t + 1];
        if (c == '{' || c == '%' || c == '#') break;
        ++t;
      }
      if (t == std::string::npos) {
        emitData(s.substr(pos));
        break;
      }
      std::string data = s.substr(pos, t - pos);
      char kind = s[t + 1];
      size_t p = t + 2;
      char mod = 0;
      if (p < s.size() && (s[p] == '-' || s[p] == '+')) mod = s[p++];
      if (mod == '-') {
        data = pyStrip(data, nullptr, false, true);
      } else if (mod != '+' && kind != '{') {
        size_t l = data.rfind('\n');
        l = l == std::string::npos ? 0 : l + 1;
        if ((l > 0 || lineStarting) && l < data.size() &&
            std::all_of(data.begin() + long(l), data.end(), isSpace))
          data.resize(l);
      }
      emitData(data);
      countLines(s, pos, p);
      if (kind == '#') {
        size_t e = s.find("#}", p);
        if (e == std::string::npos) syntaxError(m_line, "missing end of comment tag");
        char endMod = e > p && (s[e - 1] == '-' || s[e - 1] == '+') ? s[e - 1] : 0;
        pos = finishTag(s, e + 2, endMod, true);
        countLines(s, p, pos);
        lineStarting = pos > 0 && s[pos - 1] == '\n';
        continue;
      }
      if (kind == '%' && tryRaw(s, p, pos, lineStarting)) continue;
      m_toks.push_back({kind == '%' ? T::BlockBegin : T::VarBegin, "", 0, 0, m_line});
      pos = lexInside(s, p, kind == '%');
      lineStarting = pos > 0 && s[pos - 1] == '\n';
    }
    m_toks.push_back({T::Eof, "", 0, 0, m_line});
    return std::move(m_toks);
  }

 private:
  void emitData(const std::string& d) {
    if (!d.empty()) m_toks.push_back({T::Data, d, 0, 0, m_line});
  }
  void countLines(const std::string& s, size_t a, size_t b) {
    for (size_t k = a; k < b && k < s.size(); ++k) m_line += s[k] == '\n';
  }
  // Position after a tag end at `e` (just past "%}"/"}}"/"#}"), applying '-' and trim_blocks.
  static size_t finishTag(const std::string& s, size_t e, char endMod, bool trimBlocks) {
    if (endMod == '-') {
      while (e < s.size() && isSpace(s[e])) ++e;
    } else if (endMod != '+' && trimBlocks && e < s.size() && s[e] == '\n') {
      ++e;
    }
    return e;
  }
  static bool matchWord(const std::string& s, size_t& p, const char* w) {
    size_t q = p;
    while (q < s.size() && isSpace(s[q])) ++q;
    size_t n = std::strlen(w);
    if (s.compare(q, n, w) != 0) return false;
    q += n;
    if (q < s.size() && (std::isalnum((unsigned char)s[q]) || s[q] == '_')) return false;
    while (q < s.size() && isSpace(s[q])) ++q;
    p = q;
    return true;
  }
  bool tryRaw(const std::string& s, size_t p, size_t& pos, bool& lineStarting) {
    size_t q = p;
    if (!matchWord(s, q, "raw")) return false;
    char beginMod = 0;
    if (q < s.size() && s[q] == '-') beginMod = s[q++];
    if (s.compare(q, 2, "%}") != 0) return false;
    size_t bodyStart = q + 2;
    if (beginMod == '-')
      while (bodyStart < s.size() && isSpace(s[bodyStart])) ++bodyStart;
    for (size_t k = bodyStart;; ++k) {
      k = s.find("{%", k);
      if (k == std::string::npos) syntaxError(m_line, "missing end of raw directive");
      size_t r = k + 2;
      char m = 0;
      if (r < s.size() && (s[r] == '-' || s[r] == '+')) m = s[r++];
      if (!matchWord(s, r, "endraw")) continue;
      char em = 0;
      if (r < s.size() && (s[r] == '-' || s[r] == '+')) em = s[r++];
      if (s.compare(r, 2, "%}") != 0) continue;
      std::string body = s.substr(bodyStart, k - bodyStart);
      if (m == '-') body = pyStrip(body, nullptr, false, true);
      else if (m != '+') {
        size_t l = body.rfind('\n');
        l = l == std::string::npos ? 0 : l + 1;
        if (l > 0 && l < body.size() && std::all_of(body.begin() + long(l), body.end(), isSpace)) body.resize(l);
      }
      emitData(body);
      pos = finishTag(s, r + 2, em, true);
      countLines(s, p, pos);
      lineStarting = s[pos - 1] == '\n';
      return true;
    }
  }

  size_t lexInside(const std::string& s, size_t p, bool block) {
    int depth = 0;
    while (true) {
      while (p < s.size() && isSpace(s[p])) {
        m_line += s[p] == '\n';
        ++p;
      }
      if (p >= s.size()) syntaxError(m_line, std::string("unexpected end of template, expected '") + (block ? "%}" : "}}") + "'");
      const char* end = block ? "%}" : "}}";
      if (depth == 0) {
        if ((s[p] == '-' || s[p] == '+') && s.compare(p + 1, 2, end) == 0 && (block || s[p] == '-')) {
          m_toks.push_back({block ? T::BlockEnd : T::VarEnd, "", 0, 0, m_line});
          size_t e = finishTag(s, p + 3, s[p], block);
          countLines(s, p, e);
          return e;
        }
        if (s.compare(p, 2, end) == 0) {
          m_toks.push_back({block ? T::BlockEnd : T::VarEnd, "", 0, 0, m_line});
          size_t e = finishTag(s, p + 2, 0, block);
          countLines(s, p, e);
          return e;
        }
      }
      char c = s[p];
      if (std::isalpha((unsigned char)c) || c == '_') {
        size_t q = p;
        while (q < s.size() && (std::isalnum((unsigned char)s[q]) || s[q] == '_')) ++q;
        m_toks.push_back({T::Name, s.substr(p, q - p), 0, 0, m_line});
        p = q;
      } else if (std::isdigit((unsigned char)c)) {
        size_t q = p;
        bool isFloat = false;
        auto digits = [&] { while (q < s.size() && (std::isdigit((unsigned char)s[q]) || s[q] == '_')) ++q; };
        digits();
        bool afterDot = !m_toks.empty() && m_toks.back().type == T::Op && m_toks.back().text == ".";
        if (!afterDot && q + 1 < s.size() && s[q] == '.' && std::isdigit((unsigned char)s[q + 1])) {
          ++q;
          digits();
          isFloat = true;
        }
        if (!afterDot && q < s.size() && (s[q] == 'e' || s[q] == 'E')) {
          size_t r = q + 1;
          if (r < s.size() && (s[r] == '+' || s[r] == '-')) ++r;
          if (r < s.size() && std::isdigit((unsigned char)s[r])) {
            q = r;
            digits();
            isFloat = true;
          }
        }
        std::string txt;
        for (size_t k = p; k < q; ++k)
          if (s[k] != '_') txt += s[k];
        Tok t{isFloat ? T::Float : T::Int, txt, 0, 0, m_line};
        if (isFloat) t.f = std::strtod(txt.c_str(), nullptr);
        else {
          errno = 0;
          t.i = std::strtoll(txt.c_str(), nullptr, 10);
          if (errno == ERANGE) syntaxError(m_line, "integer literal too large: " + txt);
        }
        m_toks.push_back(t);
        p = q;
      } else if (c == '\'' || c == '"') {
        std::string out;
        size_t q = p + 1;
        int startLine = m_line;
        while (true) {
          if (q >= s.size()) syntaxError(startLine, "unterminated string literal");
          char d = s[q];
          if (d == c) break;
          if (d == '\n') ++m_line;
          if (d == '\\' && q + 1 < s.size()) {
            char e = s[q + 1];
            q += 2;
            switch (e) {
              case 'n': out += '\n'; break;
              case 't': out += '\t'; break;
              case 'r': out += '\r'; break;
              case '\\': out += '\\'; break;
              case '\'': out += '\''; break;
              case '"': out += '"'; break;
              case 'a': out += '\a'; break;
              case 'b': out += '\b'; break;
              case 'f': out += '\f'; break;
              case 'v': out += '\v'; break;
              case '0': out += '\0'; break;
              case '\n': ++m_line; break;
              case 'x':
              case 'u':
              case 'U': {
                size_t n = e == 'x' ? 2 : e == 'u' ? 4 : 8;
                if (q + n > s.size()) syntaxError(m_line, "truncated \\" + std::string(1, e) + " escape");
                uint32_t cp = uint32_t(std::strtoul(s.substr(q, n).c_str(), nullptr, 16));
                q += n;
                appendUtf8(out, cp);
                break;
              }
              default: out += '\\'; out += e;
            }
            continue;
          }
          out += d;
          ++q;
        }
        m_toks.push_back({T::Str, out, 0, 0, startLine});
        p = q + 1;
      } else {
        static const char* ops2[] = {"**", "//", "==", "!=", "<=", ">="};
        std::string op;
        for (auto o : ops2)
          if (s.compare(p, 2, o) == 0) op = o;
        if (op.empty()) {
          if (std::strchr("+-*/%~<>=.,:|()[]{}", c) == nullptr)
            syntaxError(m_line, std::string("unexpected char '") + c + "'");
          op = std::string(1, c);
        }
        if (op == "(" || op == "[" || op == "{") ++depth;
        if ((op == ")" || op == "]" || op == "}") && depth > 0) --depth;
        m_toks.push_back({T::Op, op, 0, 0, m_line});
        p += op.size();
      }
    }
  }

  std::string m_src;
  std::vector<Tok> m_toks;
  int m_line = 1;
};

// ---------------------------------------------------------------------------------------------
// AST

struct Expr;
using ExprP = std::unique_ptr<Expr>;
struct Expr {
  enum K { Const, Name, List, Tuple, Dict, Attr, Item, Slice, Call, Filter, Test, Unary, Binary, Compare, And, Or, Not, CondExpr };
  K k;
  int line = 0;
  Value value;                  // Const
  std::string name;             // Name, Attr, Call/Filter/Test name, Unary/Binary op
  std::vector<ExprP> args;      // children / positional args (Filter/Test: args[0] is the subject)
  std::vector<std::string> ops; // Compare
  std::vector<std::pair<std::string, ExprP>> kwargs;
  bool negate = false;          // Test
};

struct Stmt;
using Body = std::vector<std::unique_ptr<Stmt>>;
struct Stmt {
  enum K { Text, Print, If, For, Set, SetBlock, Macro, FilterBlock, Break, Continue, Generation };
  K k;
  int line = 0;
  std::string text;                    // Text; Set/SetBlock/Macro name
  std::string attr;                    // Set: namespace attribute
  std::vector<std::string> targets;    // For / Set tuple targets
  std::vector<ExprP> exprs;            // If: conditions; For: iter, cond; Set: value; Print
  std::vector<Body> bodies;            // If: one per condition (+ else); For: body, else
  std::vector<std::pair<std::string, ExprP>> params;  // Macro
  ExprP filter;                        // FilterBlock: filter chain applied to a Name "__body__"
};

}  // namespace

struct Program {
  Body body;
};

namespace {

// ---------------------------------------------------------------------------------------------
// Parser

const char* const kFilters[] = {"abs", "attr", "capitalize", "count", "d", "default", "dictsort", "e", "escape",
                                "first", "float", "indent", "int", "items", "join", "last", "length", "list",
                                "lower", "map", "max", "min", "reject", "rejectattr", "replace", "reverse",
                                "round", "safe", "select", "selectattr", "sort", "string", "sum", "title",
                                "tojson", "trim", "unique", "upper", "wordcount"};
const char* const kTests[] = {"boolean", "callable", "defined", "divisibleby", "eq", "equalto", "==", "even",
                              "false", "float", "ge", "gt", "in", "integer", "iterable", "le", "lower", "lt",
                              "mapping", "ne", "none", "number", "odd", "sameas", "sequence", "string", "true",
                              "undefined", "upper", ">", "<", ">=", "<=", "!="};

bool known(const char* const* list, size_t n, const std::string& name) {
  for (size_t k = 0; k < n; ++k)
    if (name == list[k]) return true;
  return false;
}

class Parser {
 public:
  explicit Parser(std::vector<Tok> toks) : m_t(std::move(toks)) {}

  Body parseTemplate() {
    std::string end;
    Body b = parseBody({}, end);
    return b;
  }

 private:
  const Tok& cur() const { return m_t[m_p]; }
  const Tok& peek(size_t n = 1) const { return m_t[std::min(m_p + n, m_t.size() - 1)]; }
  bool isOp(const char* op) const { return cur().type == T::Op && cur().text == op; }
  bool isName(const char* n) const { return cur().type == T::Name && cur().text == n; }
  [[noreturn]] void err(const std::string& msg) const { syntaxError(cur().line, msg); }
  std::string describe(const Tok& t) const {
    switch (t.type) {
      case T::BlockEnd: return "end of statement block";
      case T::VarEnd: return "end of print statement";
      case T::Eof: return "end of template";
      case T::Data: return "template data";
      default: return "'" + t.text + "'";
    }
  }
  void expectOp(const char* op) {
    if (!isOp(op)) err(std::string("expected '") + op + "', got " + describe(cur()));
    ++m_p;
  }
  std::string expectName() {
    if (cur().type != T::Name) err("expected a name, got " + describe(cur()));
    return m_t[m_p++].text;
  }
  void expectBlockEnd() {
    if (cur().type != T::BlockEnd) err("expected end of statement block, got " + describe(cur()));
    ++m_p;
  }

  struct DepthGuard {
    int& d;
    DepthGuard(int& depth, int line) : d(depth) {
      if (++d > kMaxDepth) syntaxError(line, "template nested too deeply");
    }
    ~DepthGuard() { --d; }
  };

  // Statements until a block tag whose name is in `ends`; leaves m_p after that name.
  Body parseBody(const std::vector<std::string>& ends, std::string& endName) {
    DepthGuard g(m_depth, cur().line);
    Body body;
    while (true) {
      const Tok& t = cur();
      if (t.type == T::Eof) {
        if (!ends.empty()) err("unexpected end of template, expected '" + ends.front() + "'");
        return body;
      }
      if (t.type == T::Data) {
        auto s = std::make_unique<Stmt>();
        s->k = Stmt::Text;
        s->text = t.text;
        body.push_back(std::move(s));
        ++m_p;
      } else if (t.type == T::VarBegin) {
        ++m_p;
        auto s = std::make_unique<Stmt>();
        s->k = Stmt::Print;
        s->line = t.line;
        s->exprs.push_back(parseTuple(true));
        if (cur().type != T::VarEnd) err("expected end of print statement, got " + describe(cur()));
        ++m_p;
        body.push_back(std::move(s));
      } else if (t.type == T::BlockBegin) {
        ++m_p;
        if (cur().type != T::Name) err("expected a statement name, got " + describe(cur()));
        std::string name = cur().text;
        if (std::find(ends.begin(), ends.end(), name) != ends.end()) {
          ++m_p;
          endName = name;
          return body;
        }
        body.push_back(parseStatement());
      } else {
        err("unexpected " + describe(t));
      }
    }
  }

  std::unique_ptr<Stmt> parseStatement() {
    int line = cur().line;
    std::string name = expectName();
    auto s = std::make_unique<Stmt>();
    s->line = line;
    std::string end;
    if (name == "if") {
      s->k = Stmt::If;
      s->exprs.push_back(parseTuple(true));
      expectBlockEnd();
      while (true) {
        s->bodies.push_back(parseBody({"elif", "else", "endif"}, end));
        if (end == "elif") {
          s->exprs.push_back(parseTuple(true));
          expectBlockEnd();
        } else if (end == "else") {
          expectBlockEnd();
          s->bodies.push_back(parseBody({"endif"}, end));
          break;
        } else break;
      }
      expectBlockEnd();
    } else if (name == "for") {
      s->k = Stmt::For;
      s->targets = parseTargets();
      if (!isName("in")) err("expected 'in', got " + describe(cur()));
      ++m_p;
      s->exprs.push_back(parseTuple(false));
      if (isName("if")) {
        ++m_p;
        s->exprs.push_back(parseExpr(true));
      }
      if (isName("recursive")) err("recursive loops are not supported");
      expectBlockEnd();
      s->bodies.push_back(parseBody({"endfor", "else"}, end));
      if (end == "else") {
        expectBlockEnd();
        s->bodies.push_back(parseBody({"endfor"}, end));
      }
      expectBlockEnd();
    } else if (name == "set") {
      std::string first = expectName();
      if (isOp(".")) {
        ++m_p;
        s->k = Stmt::Set;
        s->text = first;
        s->attr = expectName();
      } else {
        s->targets.push_back(first);
        while (isOp(",")) {
          ++m_p;
          s->targets.push_back(expectName());
        }
        s->k = Stmt::Set;
      }
      if (isOp("=")) {
        ++m_p;
        s->exprs.push_back(parseTuple(true));
        expectBlockEnd();
      } else {
        if (!s->attr.empty() || s->targets.size() != 1) err("expected '='");
        s->k = Stmt::SetBlock;
        s->text = s->targets[0];
        if (isOp("|")) s->filter = parseFilterChain();
        expectBlockEnd();
        s->bodies.push_back(parseBody({"endset"}, end));
        expectBlockEnd();
      }
    } else if (name == "macro") {
      s->k = Stmt::Macro;
      s->text = expectName();
      expectOp("(");
      while (!isOp(")")) {
        std::string p = expectName();
        ExprP def;
        if (isOp("=")) {
          ++m_p;
          def = parseExpr(true);
        }
        s->params.emplace_back(p, std::move(def));
        if (!isOp(")")) expectOp(",");
      }
      ++m_p;
      expectBlockEnd();
      s->bodies.push_back(parseBody({"endmacro"}, end));
      if (cur().type == T::Name) ++m_p;
      expectBlockEnd();
    } else if (name == "filter") {
      s->k = Stmt::FilterBlock;
      s->filter = parseFilterChain(false);
      expectBlockEnd();
      s->bodies.push_back(parseBody({"endfilter"}, end));
      expectBlockEnd();
    } else if (name == "break" || name == "continue") {
      s->k = name == "break" ? Stmt::Break : Stmt::Continue;
      expectBlockEnd();
    } else if (name == "generation") {
      s->k = Stmt::Generation;
      expectBlockEnd();
      s->bodies.push_back(parseBody({"endgeneration"}, end));
      expectBlockEnd();
    } else {
      err("encountered unknown tag '" + name + "'");
    }
    return s;
  }

  std::vector<std::string> parseTargets() {
    std::vector<std::string> t;
    bool paren = isOp("(");
    if (paren) ++m_p;
    t.push_back(expectName());
    while (isOp(",")) {
      ++m_p;
      if (cur().type != T::Name) break;
      t.push_back(expectName());
    }
    if (paren) expectOp(")");
    return t;
  }

  // Filters applied to the Name "__body__" (filter blocks and `{% set x | f %}`).
  ExprP parseFilterChain(bool leadingPipe = true) {
    auto node = std::make_unique<Expr>();
    node->k = Expr::Name;
    node->name = "__body__";
    if (leadingPipe) expectOp("|");
    node = parseFilter(std::move(node));
    while (isOp("|")) {
      ++m_p;
      node = parseFilter(std::move(node));
    }
    return node;
  }

  ExprP make(Expr::K k, int line) {
    auto e = std::make_unique<Expr>();
    e->k = k;
    e->line = line;
    return e;
  }

  ExprP parseTuple(bool withCond) {
    int line = cur().line;
    ExprP first = parseExpr(withCond);
    if (!isOp(",")) return first;
    auto t = make(Expr::Tuple, line);
    t->args.push_back(std::move(first));
    while (isOp(",")) {
      ++m_p;
      if (cur().type == T::VarEnd || cur().type == T::BlockEnd || isOp(")")) break;
      t->args.push_back(parseExpr(withCond));
    }
    return t;
  }

  ExprP parseExpr(bool withCond) {
    DepthGuard g(m_depth, cur().line);
    ExprP e = parseOr();
    while (withCond && isName("if")) {
      int line = cur().line;
      ++m_p;
      auto c = make(Expr::CondExpr, line);
      ExprP cond = parseOr();
      ExprP other;
      if (isName("else")) {
        ++m_p;
        other = parseExpr(true);
      }
      c->args.push_back(std::move(e));
      c->args.push_back(std::move(cond));
      if (other) c->args.push_back(std::move(other));
      e = std::move(c);
    }
    return e;
  }

  ExprP parseOr() {
    ExprP l = parseAnd();
    while (isName("or")) {
      auto n = make(Expr::Or, cur().line);
      ++m_p;
      n->args.push_back(std::move(l));
      n->args.push_back(parseAnd());
      l = std::move(n);
    }
    return l;
  }
  ExprP parseAnd() {
    ExprP l = parseNot();
    while (isName("and")) {
      auto n = make(Expr::And, cur().line);
      ++m_p;
      n->args.push_back(std::move(l));
      n->args.push_back(parseNot());
      l = std::move(n);
    }
    return l;
  }
  ExprP parseNot() {
    if (isName("not")) {
      DepthGuard g(m_depth, cur().line);
      auto n = make(Expr::Not, cur().line);
      ++m_p;
      n->args.push_back(parseNot());
      return n;
    }
    return parseCompare();
  }
  ExprP parseCompare() {
    int line = cur().line;
    ExprP l = parseMath1();
    std::vector<std::string> ops;
    std::vector<ExprP> rest;
    while (true) {
      std::string op;
      if (cur().type == T::Op && (cur().text == "==" || cur().text == "!=" || cur().text == "<" ||
                                  cur().text == ">" || cur().text == "<=" || cur().text == ">=")) {
        op = cur().text;
        ++m_p;
      } else if (isName("in")) {
        op = "in";
        ++m_p;
      } else if (isName("not") && peek().type == T::Name && peek().text == "in") {
        op = "not in";
        m_p += 2;
      } else break;
      ops.push_back(op);
      rest.push_back(parseMath1());
    }
    if (ops.empty()) return l;
    auto c = make(Expr::Compare, line);
    c->args.push_back(std::move(l));
    for (auto& r : rest) c->args.push_back(std::move(r));
    c->ops = ops;
    return c;
  }
  ExprP binary(ExprP l, const std::string& op, ExprP r, int line) {
    auto n = make(Expr::Binary, line);
    n->name = op;
    n->args.push_back(std::move(l));
    n->args.push_back(std::move(r));
    return n;
  }
  ExprP parseMath1() {
    ExprP l = parseConcat();
    while (isOp("+") || isOp("-")) {
      std::string op = cur().text;
      int line = cur().line;
      ++m_p;
      l = binary(std::move(l), op, parseConcat(), line);
    }
    return l;
  }
  ExprP parseConcat() {
    ExprP l = parseMath2();
    while (isOp("~")) {
      int line = cur().line;
      ++m_p;
      l = binary(std::move(l), "~", parseMath2(), line);
    }
    return l;
  }
  ExprP parseMath2() {
    ExprP l = parsePow();
    while (isOp("*") || isOp("/") || isOp("//") || isOp("%")) {
      std::string op = cur().text;
      int line = cur().line;
      ++m_p;
      l = binary(std::move(l), op, parsePow(), line);
    }
    return l;
  }
  ExprP parsePow() {
    ExprP l = parseUnary(true);
    while (isOp("**")) {
      int line = cur().line;
      ++m_p;
      l = binary(std::move(l), "**", parseUnary(true), line);
    }
    return l;
  }
  ExprP parseUnary(bool withFilter) {
    DepthGuard g(m_depth, cur().line);
    ExprP node;
    if (isOp("-") || isOp("+")) {
      node = make(Expr::Unary, cur().line);
      node->name = cur().text;
      ++m_p;
      node->args.push_back(parseUnary(false));
    } else {
      node = parsePrimary();
    }
    node = parsePostfix(std::move(node));
    if (withFilter) node = parseFilterExpr(std::move(node));
    return node;
  }

  ExprP parsePrimary() {
    const Tok& t = cur();
    int line = t.line;
    if (t.type == T::Name) {
      ++m_p;
      if (t.text == "true" || t.text == "True") { auto c = make(Expr::Const, line); c->value = Value::boolean(true); return c; }
      if (t.text == "false" || t.text == "False") { auto c = make(Expr::Const, line); c->value = Value::boolean(false); return c; }
      if (t.text == "none" || t.text == "None") { auto c = make(Expr::Const, line); c->value = Value::none(); return c; }
      auto n = make(Expr::Name, line);
      n->name = t.text;
      return n;
    }
    if (t.type == T::Str) {
      std::string s;
      while (cur().type == T::Str) s += m_t[m_p++].text;
      auto c = make(Expr::Const, line);
      c->value = Value::str(s);
      return c;
    }
    if (t.type == T::Int || t.type == T::Float) {
      ++m_p;
      auto c = make(Expr::Const, line);
      c->value = t.type == T::Int ? Value::integer(t.i) : Value::real(t.f);
      return c;
    }
    if (isOp("(")) {
      ++m_p;
      if (isOp(")")) {
        ++m_p;
        return make(Expr::Tuple, line);
      }
      ExprP e = parseExpr(true);
      if (isOp(",")) {
        auto tup = make(Expr::Tuple, line);
        tup->args.push_back(std::move(e));
        while (isOp(",")) {
          ++m_p;
          if (isOp(")")) break;
          tup->args.push_back(parseExpr(true));
        }
        e = std::move(tup);
      }
      expectOp(")");
      return e;
    }
    if (isOp("[")) {
      ++m_p;
      auto l = make(Expr::List, line);
      while (!isOp("]")) {
        l->args.push_back(parseExpr(true));
        if (!isOp("]")) expectOp(",");
      }
      ++m_p;
      return l;
    }
    if (isOp("{")) {
      ++m_p;
      auto d = make(Expr::Dict, line);
      while (!isOp("}")) {
        d->args.push_back(parseExpr(true));
        expectOp(":");
        d->args.push_back(parseExpr(true));
        if (!isOp("}")) expectOp(",");
      }
      ++m_p;
      return d;
    }
    err("expected an expression, got " + describe(t));
  }

  void parseCallArgs(Expr& call) {
    expectOp("(");
    while (!isOp(")")) {
      if (cur().type == T::Name && peek().type == T::Op && peek().text == "=") {
        std::string k = cur().text;
        m_p += 2;
        call.kwargs.emplace_back(k, parseExpr(true));
      } else {
        if (!call.kwargs.empty()) err("positional argument after keyword argument");
        call.args.push_back(parseExpr(true));
      }
      if (!isOp(")")) expectOp(",");
    }
    ++m_p;
  }

  ExprP parsePostfix(ExprP node) {
    while (true) {
      int line = cur().line;
      if (isOp(".")) {
        ++m_p;
        auto a = make(Expr::Attr, line);
        if (cur().type == T::Name) a->name = cur().text;
        else if (cur().type == T::Int) {
          a->k = Expr::Item;
          auto c = make(Expr::Const, line);
          c->value = Value::integer(cur().i);
          a->args.push_back(std::move(node));
          a->args.push_back(std::move(c));
          ++m_p;
          node = std::move(a);
          continue;
        } else err("expected a name after '.', got " + describe(cur()));
        ++m_p;
        a->args.push_back(std::move(node));
        node = std::move(a);
      } else if (isOp("[")) {
        ++m_p;
        ExprP parts[3];
        bool slice = false;
        int idx = 0;
        while (true) {
          if (isOp(":")) {
            slice = true;
            if (++idx > 2) err("invalid slice");
            ++m_p;
            continue;
          }
          if (isOp("]")) break;
          if (parts[idx]) err("expected ']'");
          parts[idx] = parseExpr(true);
          if (!slice && isOp(",")) err("tuple subscripts are not supported");
        }
        ++m_p;
        auto n = make(slice ? Expr::Slice : Expr::Item, line);
        n->args.push_back(std::move(node));
        if (slice) {
          for (auto& p : parts) n->args.push_back(std::move(p));  // may be null
        } else {
          if (!parts[0]) err("expected a subscript");
          n->args.push_back(std::move(parts[0]));
        }
        node = std::move(n);
      } else if (isOp("(")) {
        auto c = make(Expr::Call, line);
        c->args.push_back(std::move(node));
        parseCallArgs(*c);
        node = std::move(c);
      } else {
        return node;
      }
    }
  }

  ExprP parseFilter(ExprP subject) {
    int line = cur().line;
    auto f = make(Expr::Filter, line);
    f->name = expectName();
    if (!known(kFilters, std::size(kFilters), f->name)) syntaxError(line, "no filter named '" + f->name + "'");
    f->args.push_back(std::move(subject));
    if (isOp("(")) parseCallArgs(*f);
    return f;
  }

  ExprP parseFilterExpr(ExprP node) {
    while (true) {
      if (isOp("|")) {
        ++m_p;
        node = parseFilter(std::move(node));
      } else if (isName("is")) {
        int line = cur().line;
        ++m_p;
        auto t = make(Expr::Test, line);
        if (isName("not")) {
          t->negate = true;
          ++m_p;
        }
        t->name = expectName();
        if (!known(kTests, std::size(kTests), t->name)) syntaxError(line, "no test named '" + t->name + "'");
        t->args.push_back(std::move(node));
        if (isOp("(")) {
          parseCallArgs(*t);
        } else if ((cur().type == T::Name || cur().type == T::Str || cur().type == T::Int ||
                    cur().type == T::Float || isOp("[") || isOp("{")) &&
                   !isName("else") && !isName("or") && !isName("and")) {
          if (isName("is")) err("you cannot chain multiple tests with is");
          t->args.push_back(parsePostfix(parsePrimary()));
        }
        node = std::move(t);
      } else if (isOp("(")) {
        auto c = make(Expr::Call, cur().line);
        c->args.push_back(std::move(node));
        parseCallArgs(*c);
        node = std::move(c);
      } else {
        return node;
      }
    }
  }

  std::vector<Tok> m_t;
  size_t m_p = 0;
  int m_depth = 0;
};

// ---------------------------------------------------------------------------------------------
// Renderer

struct Frame {
  std::unordered_map<std::string, Value> vars;
  Frame* parent = nullptr;
  const Value* lookup(const std::string& n) const {
    for (const Frame* f = this; f; f = f->parent) {
      auto it = f->vars.find(n);
      if (it != f->vars.end()) return &it->second;
    }
    return nullptr;
  }
};

enum class Flow { Normal, Break, Continue };

const Value* kwarg(Kwargs& kw, const char* name) {
  for (auto& p : kw)
    if (p.first == name) return &p.second;
  return nullptr;
}
// Argument `pos` (positional) or keyword `name`, else nullptr.
const Value* arg(Args& a, Kwargs& kw, size_t pos, const char* name) {
  if (pos < a.size()) return &a[pos];
  return kwarg(kw, name);
}

Value pyIndex(const Value& obj, const Value& key) {
  if (obj.isList() || obj.isStr()) {
    if (!key.isNumber() || key.kind == Value::Kind::Float) return Value::undef();
    int64_t n = obj.isList() ? int64_t(obj.list->size()) : -1;
    int64_t k = key.intVal();
    if (obj.isList()) {
      if (k < 0) k += n;
      if (k < 0 || k >= n) return Value::undef();
      return (*obj.list)[size_t(k)];
    }
    if (isAscii(obj.s)) {
      n = int64_t(obj.s.size());
      if (k < 0) k += n;
      if (k < 0 || k >= n) return Value::undef();
      return Value::str(obj.s.substr(size_t(k), 1));
    }
    auto cps = codepoints(obj.s);
    n = int64_t(cps.size());
    if (k < 0) k += n;
    if (k < 0 || k >= n) return Value::undef();
    return Value::str(cps[size_t(k)]);
  }
  if (obj.isDict() || obj.kind == Value::Kind::Namespace) {
    if (!key.isStr()) return Value::undef();
    const Value* v = obj.dict->find(key.s);
    return v ? *v : Value::undef(key.s);
  }
  return Value::undef();
}

class Renderer {
 public:
  Renderer(const Program& prog, Value ctx) : m_prog(prog) {
    if (ctx.isDict())
      for (auto& kv : ctx.dict->items) m_root.vars[kv.first] = kv.second;
    if (const Value* now = m_root.lookup("__now__"); now && now->isStr()) m_nowOverride = now->s;
    installGlobals();
  }

  std::string run() {
    std::string out;
    execBody(m_prog.body, m_root, out);
    return out;
  }

  // --- statements
  Flow execBody(const Body& body, Frame& f, std::string& out) {
    for (auto& s : body) {
      Flow fl = exec(*s, f, out);
      if (fl != Flow::Normal) return fl;
    }
    return Flow::Normal;
  }

  void emit(std::string& out, const std::string& s) {
    m_emitted += s.size();
    if (m_emitted > kMaxOutput || out.size() + s.size() > kMaxOutput)
      fail("chat template output exceeds " + std::to_string(kMaxOutput >> 20) + " MB");
    out += s;
  }

  struct Depth {
    int& d;
    Depth(int& depth) : d(depth) {
      if (++d > kMaxDepth) fail("chat template recursion too deep (limit " + std::to_string(kMaxDepth) + ")");
    }
    ~Depth() { --d; }
  };

  Flow exec(const Stmt& s, Frame& f, std::string& out) {
    Depth g(m_depth);
    switch (s.k) {
      case Stmt::Text: emit(out, s.text); return Flow::Normal;
      case Stmt::Print: emit(out, toStr(eval(*s.exprs[0], f))); return Flow::Normal;
      case Stmt::If:
        for (size_t k = 0; k < s.exprs.size(); ++k)
          if (truthy(eval(*s.exprs[k], f))) return execBody(s.bodies[k], f, out);
        if (s.bodies.size() > s.exprs.size()) return execBody(s.bodies.back(), f, out);
        return Flow::Normal;
      case Stmt::For: return execFor(s, f, out);
      case Stmt::Set: {
        Value v = eval(*s.exprs[0], f);
        if (!s.attr.empty()) {
          const Value* ns = f.lookup(s.text);
          if (!ns || ns->kind != Value::Kind::Namespace) fail("cannot assign attribute on non-namespace object '" + s.text + "'");
          ns->dict->set(s.attr, v);
        } else assign(s.targets, v, f);
        return Flow::Normal;
      }
      case Stmt::SetBlock: {
        std::string body;
        execBody(s.bodies[0], f, body);
        Value v = Value::str(body);
        if (s.filter) v = applyFilterChain(*s.filter, v, f);
        f.vars[s.text] = v;
        return Flow::Normal;
      }
      case Stmt::Macro: f.vars[s.text] = makeMacro(s); return Flow::Normal;
      case Stmt::FilterBlock: {
        std::string body;
        execBody(s.bodies[0], f, body);
        emit(out, toStr(applyFilterChain(*s.filter, Value::str(body), f)));
        return Flow::Normal;
      }
      case Stmt::Break: return Flow::Break;
      case Stmt::Continue: return Flow::Continue;
      case Stmt::Generation: return execBody(s.bodies[0], f, out);
    }
    return Flow::Normal;
  }

  Value applyFilterChain(const Expr& chain, const Value& body, Frame& f) {
    Frame tmp;
    tmp.parent = &f;
    tmp.vars["__body__"] = body;
    return eval(chain, tmp);
  }

  void assign(const std::vector<std::string>& targets, const Value& v, Frame& f) {
    if (targets.size() == 1) {
      f.vars[targets[0]] = v;
      return;
    }
    List items = iterate(v);
    if (items.size() != targets.size())
      fail("cannot unpack " + std::to_string(items.size()) + " values into " + std::to_string(targets.size()) + " names");
    for (size_t k = 0; k < targets.size(); ++k) f.vars[targets[k]] = items[k];
  }

  Flow execFor(const Stmt& s, Frame& f, std::string& out) {
    Value seq = eval(*s.exprs[0], f);
    // Lists are immutable in the sandbox, so a list is iterated in place rather than copied.
    std::shared_ptr<const List> holder = seq.isList() ? seq.list : std::make_shared<List>(iterate(seq));
    if (s.exprs.size() > 1) {  // `for x in xs if cond`: filter first, so loop.* counts the kept items
      List kept;
      for (auto& it : *holder) {
        countIteration();
        Frame tf;
        tf.parent = &f;
        assign(s.targets, it, tf);
        if (truthy(eval(*s.exprs[1], tf))) kept.push_back(it);
      }
      holder = std::make_shared<List>(std::move(kept));
    }
    const List& items = *holder;
    size_t n = items.size();
    // One loop object updated in place (a fresh one only if the template kept a reference):
    // building it per iteration dominated the cost of long loops.
    auto cycleIndex = std::make_shared<size_t>(0);
    Value loop;
    for (size_t k = 0; k < n; ++k) {
      countIteration();
      if (!loop.dict || loop.dict.use_count() > 1) {
        loop = Value::makeDict();
        auto& d = *loop.dict;
        for (const char* key : {"index", "index0", "revindex", "revindex0", "first", "last", "length", "depth",
                                "depth0", "previtem", "nextitem"})
          d.items.emplace_back(key, Value());
        d.items.emplace_back("cycle", makeFn("cycle", [cycleIndex](Renderer&, Args& a, Kwargs&) {
                               if (a.empty()) fail("no items for cycling given");
                               return a[*cycleIndex % a.size()];
                             }));
      }
      *cycleIndex = k;
      auto& it0 = loop.dict->items;
      it0[0].second = Value::integer(int64_t(k + 1));
      it0[1].second = Value::integer(int64_t(k));
      it0[2].second = Value::integer(int64_t(n - k));
      it0[3].second = Value::integer(int64_t(n - k - 1));
      it0[4].second = Value::boolean(k == 0);
      it0[5].second = Value::boolean(k + 1 == n);
      it0[6].second = Value::integer(int64_t(n));
      it0[7].second = Value::integer(1);
      it0[8].second = Value::integer(0);
      it0[9].second = k > 0 ? items[k - 1] : Value::undef("previtem");
      it0[10].second = k + 1 < n ? items[k + 1] : Value::undef("nextitem");
      Frame it;
      it.parent = &f;
      it.vars.emplace("loop", loop);
      assign(s.targets, items[k], it);
      Flow fl = execBody(s.bodies[0], it, out);
      if (fl == Flow::Break) break;
    }
    if (n == 0 && s.bodies.size() > 1) return execBody(s.bodies[1], f, out);
    return Flow::Normal;
  }

  void countIteration() {
    if (++m_iterations > kMaxLoopIterations)
      fail("chat template exceeded " + std::to_string(kMaxLoopIterations) + " loop iterations");
  }

  Value makeMacro(const Stmt& s) {
    const Stmt* def = &s;
    return makeFn(s.text, [def](Renderer& r, Args& a, Kwargs& kw) {
      Depth g(r.m_depth);
      Frame mf;
      mf.parent = &r.m_root;
      if (a.size() > def->params.size()) fail("macro '" + def->text + "' takes not more than " + std::to_string(def->params.size()) + " argument(s)");
      for (size_t k = 0; k < def->params.size(); ++k) {
        const auto& p = def->params[k];
        if (k < a.size()) mf.vars[p.first] = a[k];
        else if (const Value* v = kwarg(kw, p.first.c_str())) mf.vars[p.first] = *v;
        else if (p.second) mf.vars[p.first] = r.eval(*p.second, mf);
        else mf.vars[p.first] = Value::undef(p.first);
      }
      for (auto& p : kw) {
        bool ok = false;
        for (auto& q : def->params) ok = ok || q.first == p.first;
        if (!ok) fail("macro '" + def->text + "' takes no keyword argument '" + p.first + "'");
      }
      std::string out;
      r.execBody(def->bodies[0], mf, out);
      return Value::str(out);
    });
  }

  // --- expressions
  Value eval(const Expr& e, Frame& f) {
    Depth g(m_depth);
    switch (e.k) {
      case Expr::Const: return e.value;
      case Expr::Name: {
        const Value* v = f.lookup(e.name);
        return v ? *v : Value::undef(e.name);
      }
      case Expr::List:
      case Expr::Tuple: {
        List l;
        for (auto& a : e.args) l.push_back(eval(*a, f));
        return Value::makeList(std::move(l), e.k == Expr::Tuple);
      }
      case Expr::Dict: {
        Value d = Value::makeDict();
        for (size_t k = 0; k + 1 < e.args.size(); k += 2) {
          Value key = eval(*e.args[k], f);
          if (!key.isStr()) fail("only string dict keys are supported, got " + std::string(typeName(key)));
          d.dict->set(key.s, eval(*e.args[k + 1], f));
        }
        updateDictNesting(d);
        return d;
      }
      case Expr::Attr: return getAttr(eval(*e.args[0], f), e.name, *e.args[0]);
      case Expr::Item: {
        Value obj = eval(*e.args[0], f);
        Value key = eval(*e.args[1], f);
        requireDefined(obj, *e.args[0]);
        Value v = pyIndex(obj, key);
        if (v.isUndef() && key.isStr()) return getAttr(obj, key.s, *e.args[0]);
        return v;
      }
      case Expr::Slice: return slice(e, f);
      case Expr::Call: {
        Value fn = eval(*e.args[0], f);
        Args a;
        Kwargs kw;
        for (size_t k = 1; k < e.args.size(); ++k) a.push_back(eval(*e.args[k], f));
        for (auto& p : e.kwargs) kw.emplace_back(p.first, eval(*p.second, f));
        if (fn.kind != Value::Kind::Callable) {
          if (fn.isUndef()) fail("'" + (fn.s.empty() ? describe(*e.args[0]) : fn.s) + "' is undefined");
          fail(std::string("'") + typeName(fn) + "' object is not callable");
        }
        return fn.fn->call(*this, a, kw);
      }
      case Expr::Filter: return filter(e, f);
      case Expr::Test: {
        bool r = test(e, f);
        return Value::boolean(e.negate ? !r : r);
      }
      case Expr::Unary: {
        Value v = eval(*e.args[0], f);
        if (!v.isNumber()) fail(std::string("bad operand type for unary ") + e.name + ": '" + typeName(v) + "'");
        if (e.name == "+") return v.kind == Value::Kind::Bool ? Value::integer(v.b) : v;
        if (v.kind == Value::Kind::Float) return Value::real(-v.f);
        return Value::integer(-v.intVal());
      }
      case Expr::Binary: return binary(e.name, eval(*e.args[0], f), eval(*e.args[1], f));
      case Expr::Compare: {
        Value l = eval(*e.args[0], f);
        for (size_t k = 0; k < e.ops.size(); ++k) {
          Value r = eval(*e.args[k + 1], f);
          if (!compareOp(e.ops[k], l, r)) return Value::boolean(false);
          l = std::move(r);
        }
        return Value::boolean(true);
      }
      case Expr::And: {
        Value l = eval(*e.args[0], f);
        return truthy(l) ? eval(*e.args[1], f) : l;
      }
      case Expr::Or: {
        Value l = eval(*e.args[0], f);
        return truthy(l) ? l : eval(*e.args[1], f);
      }
      case Expr::Not: return Value::boolean(!truthy(eval(*e.args[0], f)));
      case Expr::CondExpr:
        if (truthy(eval(*e.args[1], f))) return eval(*e.args[0], f);
        return e.args.size() > 2 ? eval(*e.args[2], f) : Value::undef();
    }
    return Value::undef();
  }

  static std::string describe(const Expr& e) {
    if (e.k == Expr::Name) return e.name;
    if (e.k == Expr::Attr) return describe(*e.args[0]) + "." + e.name;
    return "value";
  }

  void requireDefined(const Value& obj, const Expr& src) {
    if (obj.isUndef()) fail("'" + (obj.s.empty() ? describe(src) : obj.s) + "' is undefined");
  }

  bool compareOp(const std::string& op, const Value& l, const Value& r) {
    if (op == "==") return equals(l, r);
    if (op == "!=") return !equals(l, r);
    if (op == "in" || op == "not in") {
      bool in = contains(r, l);
      return op == "in" ? in : !in;
    }
    int c = compare(l, r, op);
    if (op == "<") return c < 0;
    if (op == ">") return c > 0;
    if (op == "<=") return c <= 0;
    return c >= 0;
  }

  static bool contains(const Value& container, const Value& item) {
    switch (container.kind) {
      case Value::Kind::String:
        if (!item.isStr()) fail("'in <string>' requires string as left operand, not " + std::string(typeName(item)));
        return container.s.find(item.s) != std::string::npos;
      case Value::Kind::List:
        for (auto& x : *container.list)
          if (equals(x, item)) return true;
        return false;
      case Value::Kind::Dict:
        return item.isStr() && container.dict->find(item.s) != nullptr;
      case Value::Kind::Undefined: fail("'" + container.s + "' is undefined");
      default: fail(std::string("argument of type '") + typeName(container) + "' is not iterable");
    }
  }

  static int64_t floorDiv(int64_t a, int64_t b) {
    int64_t q = a / b;
    if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
    return q;
  }

  Value binary(const std::string& op, const Value& l, const Value& r) {
    if (op == "~") return Value::str(toStr(l) + toStr(r));
    auto typeErr = [&]() -> Value {
      if (l.isUndef() || r.isUndef()) fail("'" + (l.isUndef() ? l.s : r.s) + "' is undefined");
      fail("unsupported operand type(s) for " + op + ": '" + typeName(l) + "' and '" + typeName(r) + "'");
    };
    bool bothInt = (l.kind == Value::Kind::Int || l.kind == Value::Kind::Bool) &&
                   (r.kind == Value::Kind::Int || r.kind == Value::Kind::Bool);
    if (op == "+") {
      if (l.isStr() && r.isStr()) return Value::str(l.s + r.s);
      if (l.isList() && r.isList()) {
        List c = *l.list;
        c.insert(c.end(), r.list->begin(), r.list->end());
        return Value::makeList(std::move(c), l.tuple && r.tuple);
      }
      if (!l.isNumber() || !r.isNumber()) return typeErr();
      return bothInt ? Value::integer(l.intVal() + r.intVal()) : Value::real(l.num() + r.num());
    }
    if (op == "*") {
      const Value* seq = l.isStr() || l.isList() ? &l : r.isStr() || r.isList() ? &r : nullptr;
      const Value* cnt = seq == &l ? &r : &l;
      if (seq && (cnt->kind == Value::Kind::Int || cnt->kind == Value::Kind::Bool)) {
        int64_t n = std::max<int64_t>(0, cnt->intVal());
        if (seq->isStr()) {
          if (seq->s.size() * size_t(n) > kMaxOutput) fail("string repetition too large");
          std::string o;
          for (int64_t k = 0; k < n; ++k) o += seq->s;
          return Value::str(o);
        }
        if (seq->list->size() * size_t(n) > kMaxOutput) fail("list repetition too large");
        List o;
        for (int64_t k = 0; k < n; ++k) o.insert(o.end(), seq->list->begin(), seq->list->end());
        return Value::makeList(std::move(o), seq->tuple);
      }
      if (!l.isNumber() || !r.isNumber()) return typeErr();
      return bothInt ? Value::integer(l.intVal() * r.intVal()) : Value::real(l.num() * r.num());
    }
    if (!l.isNumber() || !r.isNumber()) return typeErr();
    if (op == "-") return bothInt ? Value::integer(l.intVal() - r.intVal()) : Value::real(l.num() - r.num());
    if (op == "/") {
      if (r.num() == 0) fail("division by zero");
      return Value::real(l.num() / r.num());
    }
    if (op == "//") {
      if (r.num() == 0) fail("integer division or modulo by zero");
      if (bothInt) return Value::integer(floorDiv(l.intVal(), r.intVal()));
      return Value::real(std::floor(l.num() / r.num()));
    }
    if (op == "%") {
      if (r.num() == 0) fail("integer division or modulo by zero");
      if (bothInt) {
        int64_t a = l.intVal(), b = r.intVal();
        return Value::integer(a - floorDiv(a, b) * b);
      }
      double m = std::fmod(l.num(), r.num());
      if (m != 0 && ((m < 0) != (r.num() < 0))) m += r.num();
      return Value::real(m);
    }
    if (op == "**") {
      if (bothInt && r.intVal() >= 0) {
        int64_t res = 1, base = l.intVal();
        for (int64_t k = 0; k < r.intVal(); ++k) {
          if (__builtin_mul_overflow(res, base, &res)) fail("integer overflow in **");
        }
        return Value::integer(res);
      }
      return Value::real(std::pow(l.num(), r.num()));
    }
    fail("unknown operator " + op);
  }

  Value slice(const Expr& e, Frame& f) {
    Value obj = eval(*e.args[0], f);
    requireDefined(obj, *e.args[0]);
    auto opt = [&](int k, bool& has) -> int64_t {
      has = false;
      if (!e.args[size_t(k)]) return 0;
      Value v = eval(*e.args[size_t(k)], f);
      if (v.isNone()) return 0;
      if (v.kind != Value::Kind::Int && v.kind != Value::Kind::Bool) fail("slice indices must be integers or None");
      has = true;
      return v.intVal();
    };
    bool hs, he, hst;
    int64_t start = opt(1, hs), stop = opt(2, he), step = opt(3, hst);
    if (!hst) step = 1;
    if (step == 0) fail("slice step cannot be zero");
    std::vector<std::string> cps;
    int64_t n;
    if (obj.isList()) n = int64_t(obj.list->size());
    else if (obj.isStr()) { cps = codepoints(obj.s); n = int64_t(cps.size()); }
    else fail(std::string("'") + typeName(obj) + "' object is not subscriptable");
    auto norm = [&](int64_t v, bool has, int64_t defPos, int64_t defNeg) {
      if (!has) return step > 0 ? defPos : defNeg;
      if (v < 0) v += n;
      if (step > 0) return std::clamp<int64_t>(v, 0, n);
      return std::clamp<int64_t>(v, -1, n - 1);
    };
    int64_t b = norm(start, hs, 0, n - 1), en = norm(stop, he, n, -1);
    List outL;
    std::string outS;
    for (int64_t k = b; step > 0 ? k < en : k > en; k += step) {
      if (obj.isList()) outL.push_back((*obj.list)[size_t(k)]);
      else outS += cps[size_t(k)];
    }
    return obj.isList() ? Value::makeList(std::move(outL), obj.tuple) : Value::str(outS);
  }

  // --- attributes and methods
  Value getAttr(const Value& obj, const std::string& name, const Expr& src) {
    requireDefined(obj, src);
    static const char* const kMutating[] = {"append", "extend", "insert", "pop", "remove", "clear", "sort",
                                            "reverse", "update", "setdefault", "popitem", "add", "discard"};
    if (obj.isList() || obj.isDict()) {
      for (auto m : kMutating)
        if (name == m) {
          if (obj.isList() && (name == "update" || name == "setdefault" || name == "popitem" || name == "add" || name == "discard")) break;
          if (obj.isDict() && (name == "append" || name == "extend" || name == "insert" || name == "remove" || name == "sort" || name == "reverse" || name == "add" || name == "discard")) break;
          std::string msg = "access to attribute '" + name + "' of '" + typeName(obj) + "' object is unsafe.";
          return makeFn(name, [msg](Renderer&, Args&, Kwargs&) -> Value { fail(msg); });
        }
    }
    if (Value m = method(obj, name); m.kind == Value::Kind::Callable) return m;
    if (obj.isDict() || obj.kind == Value::Kind::Namespace) {
      const Value* v = obj.dict->find(name);
      return v ? *v : Value::undef(name);
    }
    return Value::undef(name);
  }

  Value method(const Value& obj, const std::string& name) {
    Value self = obj;
    using R = Renderer;
    auto fn = [&](std::function<Value(R&, Args&, Kwargs&)> f) { return makeFn(name, std::move(f)); };
    if (obj.isStr()) {
      const std::string& s = obj.s;
      if (name == "strip" || name == "lstrip" || name == "rstrip")
        return fn([s, name](R&, Args& a, Kwargs& kw) {
          const Value* c = arg(a, kw, 0, "chars");
          return Value::str(pyStrip(s, c, name != "rstrip", name != "lstrip"));
        });
      if (name == "split")
        return fn([s](R&, Args& a, Kwargs& kw) {
          const Value* sep = arg(a, kw, 0, "sep");
          const Value* mx = arg(a, kw, 1, "maxsplit");
          return Value::makeList(pySplit(s, sep, mx ? mx->intVal() : -1));
        });
      if (name == "startswith" || name == "endswith")
        return fn([s, name](R&, Args& a, Kwargs&) {
          if (a.empty()) fail(name + "() takes at least 1 argument");
          List opts = a[0].isList() ? *a[0].list : List{a[0]};
          for (auto& o : opts) {
            if (!o.isStr()) fail(name + " first arg must be str or a tuple of str");
            bool hit = name == "startswith" ? s.compare(0, o.s.size(), o.s) == 0
                                            : s.size() >= o.s.size() && s.compare(s.size() - o.s.size(), o.s.size(), o.s) == 0;
            if (hit) return Value::boolean(true);
          }
          return Value::boolean(false);
        });
      if (name == "upper") return fn([s](R&, Args&, Kwargs&) { return Value::str(pyUpper(s)); });
      if (name == "lower") return fn([s](R&, Args&, Kwargs&) { return Value::str(pyLower(s)); });
      if (name == "title") return fn([s](R&, Args&, Kwargs&) { return Value::str(pyTitle(s)); });
      if (name == "capitalize") return fn([s](R&, Args&, Kwargs&) { return Value::str(pyCapitalize(s)); });
      if (name == "replace")
        return fn([s](R&, Args& a, Kwargs&) {
          if (a.size() < 2 || !a[0].isStr() || !a[1].isStr()) fail("replace() takes two string arguments");
          return Value::str(replaceAll(s, a[0].s, a[1].s, a.size() > 2 ? a[2].intVal() : -1));
        });
      if (name == "count" || name == "find")
        return fn([s, name](R&, Args& a, Kwargs&) {
          if (a.empty() || !a[0].isStr()) fail(name + "() takes a string argument");
          const std::string& sub = a[0].s;
          if (name == "find") {
            size_t p = s.find(sub);
            return Value::integer(p == std::string::npos ? -1 : int64_t(u8len(s.substr(0, p))));
          }
          if (sub.empty()) return Value::integer(int64_t(u8len(s)) + 1);
          int64_t c = 0;
          for (size_t p = s.find(sub); p != std::string::npos; p = s.find(sub, p + sub.size())) ++c;
          return Value::integer(c);
        });
      if (name == "join")
        return fn([s](R&, Args& a, Kwargs&) {
          if (a.empty()) fail("join() takes exactly one argument");
          std::string o;
          List items = iterate(a[0]);
          for (size_t k = 0; k < items.size(); ++k) {
            if (!items[k].isStr()) fail("sequence item " + std::to_string(k) + ": expected str instance, " + typeName(items[k]) + " found");
            o += (k ? s : "") + items[k].s;
          }
          return Value::str(o);
        });
      if (name == "isdigit" || name == "isalpha" || name == "isspace" || name == "isalnum")
        return fn([s, name](R&, Args&, Kwargs&) {
          if (s.empty()) return Value::boolean(false);
          for (unsigned char c : s) {
            bool ok = name == "isdigit" ? std::isdigit(c) : name == "isalpha" ? std::isalpha(c)
                      : name == "isspace" ? isSpace(char(c)) : std::isalnum(c);
            if (!ok) return Value::boolean(false);
          }
          return Value::boolean(true);
        });
    }
    if (obj.isDict()) {
      if (name == "items" || name == "keys" || name == "values")
        return fn([self, name](R&, Args&, Kwargs&) {
          List l;
          for (auto& kv : self.dict->items) {
            if (name == "items") l.push_back(Value::makeList({Value::str(kv.first), kv.second}, true));
            else if (name == "keys") l.push_back(Value::str(kv.first));
            else l.push_back(kv.second);
          }
          return Value::makeList(std::move(l));
        });
      if (name == "get")
        return fn([self](R&, Args& a, Kwargs&) {
          if (a.empty()) fail("get expected at least 1 argument");
          const Value* v = a[0].isStr() ? self.dict->find(a[0].s) : nullptr;
          return v ? *v : a.size() > 1 ? a[1] : Value::none();
        });
      if (name == "copy") return fn([self](R&, Args&, Kwargs&) { Value d = self; d.dict = std::make_shared<Dict>(*self.dict); return d; });
    }
    if (obj.isList()) {
      if (name == "index" || name == "count")
        return fn([self, name](R&, Args& a, Kwargs&) {
          if (a.empty()) fail(name + "() takes exactly one argument");
          int64_t c = 0;
          for (size_t k = 0; k < self.list->size(); ++k)
            if (equals((*self.list)[k], a[0])) {
              if (name == "index") return Value::integer(int64_t(k));
              ++c;
            }
          if (name == "index") fail(toStr(a[0], true) + " is not in list");
          return Value::integer(c);
        });
      if (name == "copy") return fn([self](R&, Args&, Kwargs&) { return Value::makeList(*self.list); });
    }
    return Value::undef(name);
  }

  // --- tests
  bool test(const Expr& e, Frame& f) {
    const std::string& n = e.name;
    if (n == "defined" || n == "undefined") {
      bool def = !eval(*e.args[0], f).isUndef();
      return n == "defined" ? def : !def;
    }
    Value v = eval(*e.args[0], f);
    Args a;
    Kwargs kw;
    for (size_t k = 1; k < e.args.size(); ++k) a.push_back(eval(*e.args[k], f));
    for (auto& p : e.kwargs) kw.emplace_back(p.first, eval(*p.second, f));
    return testValue(n, v, a);
  }

  bool testValue(const std::string& n, const Value& v, const Args& a) {
    auto need = [&]() -> const Value& {
      if (a.empty()) fail("test '" + n + "' needs an argument");
      return a[0];
    };
    if (n == "defined") return !v.isUndef();
    if (n == "undefined") return v.isUndef();
    if (n == "none") return v.isNone();
    if (n == "string") return v.isStr();
    if (n == "mapping") return v.isDict();
    if (n == "iterable") return v.isStr() || v.isList() || v.isDict() || v.isUndef();
    if (n == "sequence") return v.isStr() || v.isList() || v.isDict();
    if (n == "number") return v.isNumber();
    if (n == "integer") return v.kind == Value::Kind::Int;
    if (n == "float") return v.kind == Value::Kind::Float;
    if (n == "boolean") return v.kind == Value::Kind::Bool;
    if (n == "true") return v.kind == Value::Kind::Bool && v.b;
    if (n == "false") return v.kind == Value::Kind::Bool && !v.b;
    if (n == "callable") return v.kind == Value::Kind::Callable;
    if (n == "lower") return v.isStr() && pyLower(v.s) == v.s;
    if (n == "upper") return v.isStr() && pyUpper(v.s) == v.s;
    if (n == "odd" || n == "even") {
      if (!v.isNumber()) fail("test '" + n + "' needs a number");
      int64_t x = v.intVal();
      return n == "odd" ? (x % 2 != 0) : (x % 2 == 0);
    }
    if (n == "divisibleby") {
      int64_t d = need().intVal();
      if (d == 0) fail("integer division or modulo by zero");
      return v.intVal() % d == 0;
    }
    if (n == "eq" || n == "equalto" || n == "==") return equals(v, need());
    if (n == "ne" || n == "!=") return !equals(v, need());
    if (n == "sameas") {
      const Value& o = need();
      if (v.kind != o.kind) return false;
      if (v.kind == Value::Kind::Bool) return v.b == o.b;
      if (v.kind == Value::Kind::None || v.kind == Value::Kind::Undefined) return true;
      return v.list == o.list && v.dict == o.dict && v.fn == o.fn && v.kind != Value::Kind::String && v.kind != Value::Kind::Int;
    }
    if (n == "in") return contains(need(), v);
    if (n == "gt" || n == ">") return compareOp(">", v, need());
    if (n == "lt" || n == "<") return compareOp("<", v, need());
    if (n == "ge" || n == ">=") return compareOp(">=", v, need());
    if (n == "le" || n == "<=") return compareOp("<=", v, need());
    fail("no test named '" + n + "'");
  }

  // --- filters
  Value attrPath(const Value& item, const Value& attr) {
    if (attr.kind == Value::Kind::Int) return pyIndex(item, attr);
    std::string path = toStr(attr);
    Value cur = item;
    size_t p = 0;
    while (true) {
      size_t d = path.find('.', p);
      std::string part = path.substr(p, d == std::string::npos ? std::string::npos : d - p);
      if (cur.isUndef()) return cur;
      bool digits = !part.empty() && std::all_of(part.begin(), part.end(), [](char c) { return std::isdigit((unsigned char)c); });
      Value key = digits ? Value::integer(std::stoll(part)) : Value::str(part);
      Value next = pyIndex(cur, key);
      if (next.isUndef() && !digits) next = cur.isDict() ? next : Value::undef(part);
      cur = next;
      if (d == std::string::npos) return cur;
      p = d + 1;
    }
  }

  Value filter(const Expr& e, Frame& f) {
    const std::string& n = e.name;
    Value v = eval(*e.args[0], f);
    Args a;
    Kwargs kw;
    for (size_t k = 1; k < e.args.size(); ++k) a.push_back(eval(*e.args[k], f));
    for (auto& p : e.kwargs) kw.emplace_back(p.first, eval(*p.second, f));
    return applyFilter(n, v, a, kw);
  }

  Value applyFilter(const std::string& n, const Value& v, Args& a, Kwargs& kw) {
    if (n == "safe") return v;
    if (n == "default" || n == "d") {
      const Value* def = arg(a, kw, 0, "default_value");
      const Value* boolean = arg(a, kw, 1, "boolean");
      bool useDefault = v.isUndef() || (boolean && truthy(*boolean) && !truthy(v));
      return useDefault ? (def ? *def : Value::str("")) : v;
    }
    if (n == "length" || n == "count") return Value::integer(length(v));
    if (n == "string") return Value::str(toStr(v));
    if (n == "tojson") {  // transformers: tojson(x, ensure_ascii=False, indent=None, separators=None, sort_keys=False)
      const Value* ascii = arg(a, kw, 0, "ensure_ascii");
      const Value* ind = arg(a, kw, 1, "indent");
      const Value* seps = arg(a, kw, 2, "separators");
      const Value* sortKeys = arg(a, kw, 3, "sort_keys");
      JsonStyle st;
      st.indent = ind && !ind->isNone() ? int(std::max<int64_t>(0, ind->intVal())) : -1;
      st.itemSep = st.indent >= 0 ? "," : ", ";
      if (seps && seps->isList() && seps->list->size() == 2) {
        st.itemSep = toStr((*seps->list)[0]);
        st.keySep = toStr((*seps->list)[1]);
      }
      st.ensureAscii = ascii && truthy(*ascii);
      st.sortKeys = sortKeys && truthy(*sortKeys);
      std::string o;
      toJson(v, st, 0, o);
      return Value::str(o);
    }
    if (n == "items") {
      if (v.isUndef()) return Value::makeList();
      if (!v.isDict()) fail("items filter: can only get item pairs from a mapping");
      List l;
      for (auto& kv : v.dict->items) l.push_back(Value::makeList({Value::str(kv.first), kv.second}, true));
      return Value::makeList(std::move(l));
    }
    if (n == "list") return Value::makeList(iterate(v));
    if (n == "first" || n == "last") {
      List l = iterate(v);
      if (l.empty()) return Value::undef(n);
      return n == "first" ? l.front() : l.back();
    }
    if (n == "reverse") {
      if (v.isStr()) {
        auto cps = codepoints(v.s);
        std::string o;
        for (auto it = cps.rbegin(); it != cps.rend(); ++it) o += *it;
        return Value::str(o);
      }
      List l = iterate(v);
      std::reverse(l.begin(), l.end());
      return Value::makeList(std::move(l));
    }
    if (n == "join") {
      const Value* sep = arg(a, kw, 0, "d");
      const Value* attr = arg(a, kw, 1, "attribute");
      std::string o;
      List l = iterate(v);
      for (size_t k = 0; k < l.size(); ++k) {
        if (k && sep) o += toStr(*sep);
        o += toStr(attr ? attrPath(l[k], *attr) : l[k]);
      }
      return Value::str(o);
    }
    if (n == "upper" || n == "lower" || n == "title" || n == "capitalize" || n == "trim" || n == "replace" ||
        n == "indent" || n == "wordcount") {
      std::string s = toStr(v);
      if (n == "upper") return Value::str(pyUpper(s));
      if (n == "lower") return Value::str(pyLower(s));
      if (n == "capitalize") return Value::str(pyCapitalize(s));
      if (n == "trim") return Value::str(pyStrip(s, arg(a, kw, 0, "chars"), true, true));
      if (n == "title") {  // jinja: capitalize each piece split on -, whitespace and brackets
        std::string o;
        bool start = true;
        for (char c : s) {
          bool sep = c == '-' || isSpace(c) || std::strchr("[](){}", c) != nullptr;
          if (sep) { o += c; start = true; continue; }
          o += char(start ? std::toupper((unsigned char)c) : std::tolower((unsigned char)c));
          start = false;
        }
        return Value::str(o);
      }
      if (n == "replace") {
        const Value* from = arg(a, kw, 0, "old");
        const Value* to = arg(a, kw, 1, "new");
        const Value* cnt = arg(a, kw, 2, "count");
        if (!from || !to) fail("replace filter needs two arguments");
        return Value::str(replaceAll(s, toStr(*from), toStr(*to), cnt && !cnt->isNone() ? cnt->intVal() : -1));
      }
      if (n == "wordcount") {
        int64_t c = 0;
        bool in = false;
        for (char ch : s) {
          bool w = std::isalnum((unsigned char)ch) || ch == '_' || (unsigned char)ch >= 0x80;
          if (w && !in) ++c;
          in = w;
        }
        return Value::integer(c);
      }
      // indent
      const Value* width = arg(a, kw, 0, "width");
      const Value* first = arg(a, kw, 1, "first");
      const Value* blank = arg(a, kw, 2, "blank");
      std::string ind = width ? (width->isStr() ? width->s : std::string(size_t(std::max<int64_t>(0, width->intVal())), ' ')) : "    ";
      s += "\n";
      std::vector<std::string> lines;
      size_t p = 0;
      while (p < s.size()) {
        size_t q = p;
        while (q < s.size() && s[q] != '\n' && s[q] != '\r' && s[q] != '\x0b' && s[q] != '\x0c' &&
               s[q] != '\x1c' && s[q] != '\x1d' && s[q] != '\x1e')
          ++q;
        lines.push_back(s.substr(p, q - p));
        if (q < s.size() && s[q] == '\r' && q + 1 < s.size() && s[q + 1] == '\n') ++q;
        p = q + 1;
      }
      std::string rv;
      if (blank && truthy(*blank)) {
        for (size_t k = 0; k < lines.size(); ++k) rv += (k ? "\n" + ind : "") + lines[k];
      } else {
        rv = lines.empty() ? "" : lines[0];
        for (size_t k = 1; k < lines.size(); ++k) rv += "\n" + (lines[k].empty() ? "" : ind) + lines[k];
      }
      if (first && truthy(*first)) rv = ind + rv;
      return Value::str(rv);
    }
    if (n == "int") {
      const Value* def = arg(a, kw, 0, "default");
      Value dv = def ? *def : Value::integer(0);
      if (v.isNumber()) return Value::integer(v.intVal());
      if (v.isStr()) {
        std::string s = pyStrip(v.s, nullptr, true, true);
        char* end = nullptr;
        errno = 0;
        long long x = std::strtoll(s.c_str(), &end, 10);
        if (!s.empty() && end && *end == 0 && errno == 0) return Value::integer(x);
        double d = std::strtod(s.c_str(), &end);
        if (!s.empty() && end && *end == 0 && std::isfinite(d)) return Value::integer(int64_t(d));
      }
      return dv;
    }
    if (n == "float") {
      const Value* def = arg(a, kw, 0, "default");
      if (v.isNumber()) return Value::real(v.num());
      if (v.isStr()) {
        std::string s = pyStrip(v.s, nullptr, true, true);
        char* end = nullptr;
        double d = std::strtod(s.c_str(), &end);
        if (!s.empty() && end && *end == 0) return Value::real(d);
      }
      return def ? *def : Value::real(0);
    }
    if (n == "abs") {
      if (v.kind == Value::Kind::Float) return Value::real(std::fabs(v.f));
      if (v.isNumber()) return Value::integer(std::llabs(v.intVal()));
      fail(std::string("bad operand type for abs(): '") + typeName(v) + "'");
    }
    if (n == "round") {
      const Value* prec = arg(a, kw, 0, "precision");
      const Value* method = arg(a, kw, 1, "method");
      int p = prec ? int(prec->intVal()) : 0;
      std::string m = method ? toStr(*method) : "common";
      double scale = std::pow(10.0, p), x = v.num() * scale;
      double r = m == "ceil" ? std::ceil(x) : m == "floor" ? std::floor(x) : std::nearbyint(x);
      return Value::real(r / scale);
    }
    if (n == "map" || n == "select" || n == "reject" || n == "selectattr" || n == "rejectattr") {
      List in = iterate(v), out;
      bool byAttr = n == "selectattr" || n == "rejectattr";
      if (n == "map") {
        const Value* attr = kwarg(kw, "attribute");
        const Value* def = kwarg(kw, "default");
        for (auto& item : in) {
          if (attr) {
            Value r = attrPath(item, *attr);
            out.push_back(r.isUndef() && def ? *def : r);
          } else {
            if (a.empty()) fail("map filter needs a filter name or attribute=");
            Args rest(a.begin() + 1, a.end());
            Kwargs none;
            out.push_back(applyFilter(toStr(a[0]), item, rest, none));
          }
        }
        return Value::makeList(std::move(out));
      }
      size_t ti = byAttr ? 1 : 0;
      if (byAttr && a.empty()) fail(n + " needs an attribute name");
      std::string testName = a.size() > ti ? toStr(a[ti]) : "";
      Args targs(a.size() > ti + 1 ? a.begin() + long(ti + 1) : a.end(), a.end());
      for (auto& item : in) {
        Value subject = byAttr ? attrPath(item, a[0]) : item;
        bool ok = testName.empty() ? truthy(subject) : testValue(testName, subject, targs);
        if (ok == (n == "select" || n == "selectattr")) out.push_back(item);
      }
      return Value::makeList(std::move(out));
    }
    if (n == "unique") {
      List out;
      for (auto& item : iterate(v)) {
        bool seen = false;
        for (auto& o : out) seen = seen || equals(o, item);
        if (!seen) out.push_back(item);
      }
      return Value::makeList(std::move(out));
    }
    if (n == "sort" || n == "dictsort" || n == "min" || n == "max") {
      bool dict = n == "dictsort";
      if (dict && !v.isDict()) fail("dictsort: value is not a mapping");
      List l;
      if (dict)
        for (auto& kv : v.dict->items) l.push_back(Value::makeList({Value::str(kv.first), kv.second}, true));
      else l = iterate(v);
      const Value* rev = kwarg(kw, "reverse");
      if (n == "sort" && !rev && !a.empty()) rev = &a[0];
      const Value* attr = kwarg(kw, "attribute");
      const Value* cs = kwarg(kw, "case_sensitive");
      bool caseSens = cs && truthy(*cs);
      const Value* by = kwarg(kw, "by");
      size_t keyIdx = dict && by && toStr(*by) == "value" ? 1 : 0;
      auto key = [&](const Value& x) {
        Value k = dict ? (*x.list)[keyIdx] : attr ? attrPath(x, *attr) : x;
        if (k.isStr() && !caseSens) k.s = pyLower(k.s);
        return k;
      };
      std::stable_sort(l.begin(), l.end(), [&](const Value& x, const Value& y) { return compare(key(x), key(y), "<") < 0; });
      if (rev && truthy(*rev)) std::reverse(l.begin(), l.end());
      if (n == "min" || n == "max") {
        if (l.empty()) return Value::undef(n);
        if (n == "min") return l.front();
        // max keeps the first of equal maxima, like Python's max()
        Value best = l.back();
        for (auto& x : l)
          if (compare(key(x), key(best), "<") == 0) return x;
        return best;
      }
      return Value::makeList(std::move(l));
    }
    if (n == "sum") {
      const Value* attr = kwarg(kw, "attribute");
      const Value* start = kwarg(kw, "start");
      Value acc = start ? *start : Value::integer(0);
      for (auto& x : iterate(v)) acc = binary("+", acc, attr ? attrPath(x, *attr) : x);
      return acc;
    }
    if (n == "attr") {
      if (a.empty()) fail("attr filter needs a name");
      if (v.isDict()) return method(v, toStr(a[0]));
      return Value::undef(toStr(a[0]));
    }
    if (n == "e" || n == "escape") {
      std::string o;
      for (char c : toStr(v)) {
        switch (c) {
          case '&': o += "&amp;"; break;
          case '<': o += "&lt;"; break;
          case '>': o += "&gt;"; break;
          case '"': o += "&#34;"; break;
          case '\'': o += "&#39;"; break;
          default: o += c;
        }
      }
      return Value::str(o);
    }
    fail("no filter named '" + n + "'");
  }

  // --- globals
  void installGlobals() {
    auto setIfAbsent = [&](const char* name, Value v) {
      if (!m_root.vars.count(name)) m_root.vars[name] = std::move(v);
    };
    setIfAbsent("raise_exception", makeFn("raise_exception", [](Renderer&, Args& a, Kwargs&) -> Value {
                  fail(a.empty() ? std::string() : toStr(a[0]));
                }));
    setIfAbsent("strftime_now", makeFn("strftime_now", [](Renderer& r, Args& a, Kwargs&) {
                  if (a.empty() || !a[0].isStr()) fail("strftime_now(format) needs a format string");
                  return Value::str(r.strftimeNow(a[0].s));
                }));
    setIfAbsent("range", makeFn("range", [](Renderer&, Args& a, Kwargs&) {
                  int64_t start = 0, stop = 0, step = 1;
                  for (auto& x : a)
                    if (x.kind != Value::Kind::Int && x.kind != Value::Kind::Bool) fail("range() arguments must be integers");
                  if (a.size() == 1) stop = a[0].intVal();
                  else if (a.size() >= 2) { start = a[0].intVal(); stop = a[1].intVal(); }
                  if (a.size() >= 3) step = a[2].intVal();
                  if (a.empty() || step == 0) fail("range() needs 1 to 3 integer arguments and a non-zero step");
                  // jinja2's sandbox caps range() at 100000 items (MAX_RANGE)
                  int64_t count = step > 0 ? (stop > start ? (stop - start + step - 1) / step : 0)
                                           : (start > stop ? (start - stop - step - 1) / -step : 0);
                  if (count > 100000) fail("Range too big. The sandbox blocks ranges larger than MAX_RANGE (100000).");
                  List l;
                  l.reserve(size_t(count));
                  for (int64_t k = 0; k < count; ++k) l.push_back(Value::integer(start + k * step));
                  return Value::makeList(std::move(l));
                }));
    setIfAbsent("namespace", makeFn("namespace", [](Renderer& r, Args& a, Kwargs& kw) {
                  Value ns = Value::makeDict();
                  ns.kind = Value::Kind::Namespace;
                  for (auto& x : a)
                    if (x.isDict()) for (auto& kv : x.dict->items) ns.dict->set(kv.first, kv.second);
                  for (auto& p : kw) ns.dict->set(p.first, p.second);
                  r.m_namespaces.push_back(ns.dict);
                  return ns;
                }));
    setIfAbsent("dict", makeFn("dict", [](Renderer&, Args& a, Kwargs& kw) {
                  Value d = Value::makeDict();
                  for (auto& x : a)
                    if (x.isDict()) for (auto& kv : x.dict->items) d.dict->set(kv.first, kv.second);
                  for (auto& p : kw) d.dict->set(p.first, p.second);
                  updateDictNesting(d);
                  return d;
                }));
  }

  std::string strftimeNow(const std::string& fmt) {
    std::tm tm{};
    if (!m_nowOverride.empty()) {
      int y = 0, mo = 0, d = 0;
      if (std::sscanf(m_nowOverride.c_str(), "%d-%d-%d", &y, &mo, &d) != 3)
        fail("__now__ must be a date 'YYYY-MM-DD', got '" + m_nowOverride + "'");
      tm.tm_year = y - 1900;
      tm.tm_mon = mo - 1;
      tm.tm_mday = d;
      tm.tm_hour = 12;  // mktime normalises weekday/yearday; noon avoids DST edge cases
      tm.tm_isdst = -1;
      std::mktime(&tm);
      tm.tm_hour = 0;
    } else {
      std::time_t t = std::time(nullptr);
      localtime_r(&t, &tm);
    }
    if (fmt.empty()) return "";
    std::vector<char> buf(fmt.size() * 8 + 256);
    size_t n = std::strftime(buf.data(), buf.size(), fmt.c_str(), &tm);
    return std::string(buf.data(), n);
  }

  // A namespace may end up holding itself ({% set ns.me = ns %}); emptying them all at the end
  // breaks such shared_ptr cycles.
  std::vector<std::shared_ptr<Dict>> m_namespaces;
  ~Renderer() {
    for (auto& d : m_namespaces) d->items.clear();
  }

  const Program& m_prog;
  Frame m_root;
  std::string m_nowOverride;
  size_t m_emitted = 0;
  size_t m_iterations = 0;
  int m_depth = 0;
};

// Jinja normalises newlines and drops one trailing newline (keep_trailing_newline=False).
std::string normaliseSource(const std::string& src) {
  std::string s;
  s.reserve(src.size());
  for (size_t k = 0; k < src.size(); ++k) {
    if (src[k] == '\r') {
      s += '\n';
      if (k + 1 < src.size() && src[k + 1] == '\n') ++k;
    } else s += src[k];
  }
  if (!s.empty() && s.back() == '\n') s.pop_back();
  return s;
}

// break/continue are valid anywhere inside a for body (not inside a macro defined there).
void checkLoopControls(const Body& body, int loopDepth) {
  for (auto& s : body) {
    if ((s->k == Stmt::Break || s->k == Stmt::Continue) && loopDepth == 0)
      syntaxError(s->line, std::string("'") + (s->k == Stmt::Break ? "break" : "continue") + "' outside of a loop");
    for (size_t k = 0; k < s->bodies.size(); ++k) {
      int d = loopDepth;
      if (s->k == Stmt::For && k == 0) d += 1;
      if (s->k == Stmt::Macro) d = 0;
      checkLoopControls(s->bodies[k], d);
    }
  }
}

}  // namespace

Template Template::parse(const std::string& source) {
  Lexer lexer(normaliseSource(source));
  Parser parser(lexer.run());
  auto prog = std::make_shared<Program>();
  prog->body = parser.parseTemplate();
  checkLoopControls(prog->body, 0);
  Template t;
  t.m_program = std::move(prog);
  return t;
}

std::string Template::render(const nlohmann::json& context) const {
  if (!m_program) fail("chat template: render() called on an empty Template; use Template::parse()");
  Renderer r(*m_program, fromJson(context));
  return r.run();
}

std::string Template::render(const nlohmann::ordered_json& context) const {
  if (!m_program) fail("chat template: render() called on an empty Template; use Template::parse()");
  Renderer r(*m_program, fromJson(context));
  return r.run();
}

}  // namespace fm::jinja
