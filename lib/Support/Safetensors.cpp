//===- Safetensors.cpp - The safetensors checkpoint format ----------------===//

#include "ternary/Support/Safetensors.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <unistd.h>

namespace ternary {

namespace {

const char *safetensorsDType(DType dtype) {
  switch (dtype) {
  case DType::F32:
    return "F32";
  case DType::F64:
    return "F64";
  case DType::I8:
    return "I8";
  case DType::U8:
    return "U8";
  case DType::I16:
    return "I16";
  case DType::I32:
    return "I32";
  case DType::I64:
    return "I64";
  }
  return "?";
}

bool parseDType(const std::string &name, DType &out) {
  for (DType d : {DType::F32, DType::F64, DType::I8, DType::U8, DType::I16,
                  DType::I32, DType::I64})
    if (name == safetensorsDType(d))
      return out = d, true;
  return false;
}

std::string quoted(const std::string &s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\')
      out += '\\';
    out += c;
  }
  return out + "\"";
}

/// A minimal JSON reader for the header: objects, arrays, strings and
/// integers (all a safetensors header holds).
struct Json {
  enum Kind { Object, Array, String, Number } kind = Number;
  std::vector<std::pair<std::string, Json>> members;
  std::vector<Json> items;
  std::string text;
  int64_t number = 0;

  const Json *get(const std::string &key) const {
    for (const auto &[k, v] : members)
      if (k == key)
        return &v;
    return nullptr;
  }
};

class JsonParser {
public:
  explicit JsonParser(const std::string &s) : s(s) {}

  bool parse(Json &out) {
    if (!value(out))
      return false;
    skip();
    return pos == s.size();
  }

private:
  const std::string &s;
  size_t pos = 0;

  void skip() {
    while (pos < s.size() && std::isspace(static_cast<unsigned char>(s[pos])))
      ++pos;
  }
  bool eat(char c) {
    skip();
    if (pos < s.size() && s[pos] == c)
      return ++pos, true;
    return false;
  }
  bool string(std::string &out) {
    if (!eat('"'))
      return false;
    while (pos < s.size() && s[pos] != '"') {
      if (s[pos] == '\\' && pos + 1 < s.size())
        ++pos;
      out += s[pos++];
    }
    return eat('"');
  }
  bool value(Json &out) {
    skip();
    if (pos >= s.size())
      return false;
    if (s[pos] == '{') {
      out.kind = Json::Object;
      ++pos;
      if (eat('}'))
        return true;
      do {
        std::string key;
        Json v;
        if (!string(key) || !eat(':') || !value(v))
          return false;
        out.members.emplace_back(std::move(key), std::move(v));
      } while (eat(','));
      return eat('}');
    }
    if (s[pos] == '[') {
      out.kind = Json::Array;
      ++pos;
      if (eat(']'))
        return true;
      do {
        Json v;
        if (!value(v))
          return false;
        out.items.push_back(std::move(v));
      } while (eat(','));
      return eat(']');
    }
    if (s[pos] == '"') {
      out.kind = Json::String;
      return string(out.text);
    }
    out.kind = Json::Number;
    size_t start = pos;
    if (s[pos] == '-')
      ++pos;
    while (pos < s.size() && std::isdigit(static_cast<unsigned char>(s[pos])))
      ++pos;
    if (pos == start || (s[start] == '-' && pos == start + 1))
      return false;
    // Decimal, checked for overflow (no exceptions).
    bool negative = s[start] == '-';
    int64_t value = 0;
    for (size_t i = start + (negative ? 1 : 0); i < pos; ++i) {
      int digit = s[i] - '0';
      if (value > (INT64_MAX - digit) / 10)
        return false;
      value = value * 10 + digit;
    }
    out.number = negative ? -value : value;
    return true;
  }
};

} // namespace

const HostArray *TensorFile::find(const std::string &name) const {
  for (const auto &[n, a] : tensors)
    if (n == name)
      return &a;
  return nullptr;
}

namespace {
/// The 8-byte length and the padded JSON header: everything of the file but
/// the tensors' bytes, which follow in file order.
std::string safetensorsPrefix(const TensorFile &file) {
  std::ostringstream header;
  header << "{";
  bool first = true;
  if (!file.metadata.empty()) {
    header << "\"__metadata__\":{";
    bool firstMeta = true;
    for (const auto &[k, v] : file.metadata) {
      header << (firstMeta ? "" : ",") << quoted(k) << ":" << quoted(v);
      firstMeta = false;
    }
    header << "}";
    first = false;
  }
  size_t offset = 0;
  for (const auto &[name, array] : file.tensors) {
    header << (first ? "" : ",") << quoted(name) << ":{\"dtype\":\""
           << safetensorsDType(array.dtype) << "\",\"shape\":[";
    for (size_t d = 0; d < array.shape.size(); ++d)
      header << (d ? "," : "") << array.shape[d];
    header << "],\"data_offsets\":[" << offset << ","
           << offset + array.bytes.size() << "]}";
    offset += array.bytes.size();
    first = false;
  }
  header << "}";
  std::string text = header.str();
  while (text.size() % 8 != 0) // the format pads the header with spaces
    text += ' ';
  std::string out;
  uint64_t size = text.size();
  for (int i = 0; i < 8; ++i)
    out += static_cast<char>(static_cast<unsigned char>(size >> (8 * i)));
  return out + text;
}
} // namespace

std::string serializeSafetensors(const TensorFile &file) {
  std::string out = safetensorsPrefix(file);
  for (const auto &entry : file.tensors)
    out.append(entry.second.bytes.begin(), entry.second.bytes.end());
  return out;
}

bool writeSafetensors(const std::string &path, const TensorFile &file,
                      std::string &error) {
  // The tensors are written from their own buffers, not copied into one
  // string first (checkpoints are as large as the model and its moments).
  std::string prefix = safetensorsPrefix(file);
  std::string tmp = path + ".tmp";
  {
    std::FILE *f = std::fopen(tmp.c_str(), "wb");
    if (!f) {
      error = "cannot create '" + tmp + "': " + std::strerror(errno);
      return false;
    }
    bool ok = std::fwrite(prefix.data(), 1, prefix.size(), f) == prefix.size();
    for (const auto &entry : file.tensors)
      ok = ok &&
           std::fwrite(entry.second.bytes.data(), 1, entry.second.bytes.size(),
                       f) == entry.second.bytes.size();
    ok = ok && std::fflush(f) == 0 && ::fsync(fileno(f)) == 0;
    ok = (std::fclose(f) == 0) && ok;
    if (!ok) {
      error = "cannot write '" + tmp + "': " + std::strerror(errno);
      std::remove(tmp.c_str());
      return false;
    }
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    error = "cannot rename '" + tmp + "' to '" + path +
            "': " + std::strerror(errno);
    std::remove(tmp.c_str());
    return false;
  }
  return true;
}

bool readSafetensors(const std::string &path, TensorFile &file,
                     std::string &error) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    error = "'" + path + "' is a directory, not a safetensors file";
    return false;
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    error = "cannot open '" + path + "'";
    return false;
  }
  std::string contents((std::istreambuf_iterator<char>(in)),
                       std::istreambuf_iterator<char>());
  return parseSafetensors(contents, path, file, error);
}

bool parseSafetensors(const std::string &contents, const std::string &path,
                      TensorFile &file, std::string &error) {
  if (contents.size() < 8) {
    error = "'" + path + "' is too short for a safetensors file";
    return false;
  }
  uint64_t size = 0;
  for (int i = 7; i >= 0; --i)
    size = (size << 8) | static_cast<unsigned char>(contents[i]);
  if (size > contents.size() - 8) {
    error = "'" + path + "': the header length exceeds the file";
    return false;
  }
  Json header;
  if (!JsonParser(contents.substr(8, size)).parse(header) ||
      header.kind != Json::Object) {
    error = "'" + path + "': malformed JSON header";
    return false;
  }
  size_t dataStart = 8 + size, dataSize = contents.size() - dataStart;
  file = TensorFile();
  std::set<std::string> names;
  std::vector<std::pair<int64_t, int64_t>> ranges;
  auto bad = [&](const std::string &what) {
    error = "'" + path + "': " + what;
    return false;
  };
  for (const auto &[name, entry] : header.members) {
    if (!names.insert(name).second)
      return bad("the header names '" + name + "' twice");
    if (name == "__metadata__") {
      if (entry.kind != Json::Object)
        return bad("__metadata__ is not an object");
      for (const auto &[k, v] : entry.members) {
        if (v.kind != Json::String)
          return bad("metadata '" + k + "' is not a string");
        file.metadata[k] = v.text;
      }
      continue;
    }
    const Json *dtype = entry.get("dtype"), *shape = entry.get("shape"),
               *offsets = entry.get("data_offsets");
    HostArray array;
    if (entry.kind != Json::Object || !dtype || dtype->kind != Json::String ||
        !shape || shape->kind != Json::Array || !offsets ||
        offsets->kind != Json::Array || offsets->items.size() != 2 ||
        offsets->items[0].kind != Json::Number ||
        offsets->items[1].kind != Json::Number ||
        !parseDType(dtype->text, array.dtype))
      return bad("bad entry for tensor '" + name + "'");
    // The byte count, checked for overflow before anything is allocated.
    for (const Json &d : shape->items) {
      if (d.kind != Json::Number)
        return bad("bad shape for tensor '" + name + "'");
      array.shape.push_back(d.number);
    }
    size_t expected = 0;
    if (!checkedByteCount(array.shape, dtypeSize(array.dtype), expected))
      return bad("bad shape for tensor '" + name + "'");
    int64_t begin = offsets->items[0].number, end = offsets->items[1].number;
    if (begin < 0 || end < begin || size_t(end) > dataSize ||
        size_t(end - begin) != expected)
      return bad("bad data range for tensor '" + name + "'");
    ranges.emplace_back(begin, end);
    array.bytes.assign(contents.begin() + dataStart + begin,
                       contents.begin() + dataStart + end);
    file.tensors.emplace_back(name, std::move(array));
  }
  // The tensors cover the data exactly, without overlaps or holes (the
  // format's rule).
  std::sort(ranges.begin(), ranges.end());
  int64_t covered = 0;
  for (auto [begin, end] : ranges) {
    if (begin != covered)
      return bad(begin < covered ? "tensors overlap in the data"
                                 : "the data has a hole between tensors");
    covered = end;
  }
  if (size_t(covered) != dataSize)
    return bad("the data has " + std::to_string(dataSize - covered) +
               " bytes after the last tensor");
  return true;
}

} // namespace ternary
