//===- Npy.cpp - NumPy .npy arrays ----------------------------------------===//

#include "ternary/Support/Npy.h"

#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace ternary {

namespace {
struct DTypeInfo {
  DType dtype;
  const char *descr; // without the byte-order character
  size_t size;
  const char *name;
  const char *mlir;
};
constexpr DTypeInfo kDTypes[] = {
    {DType::F32, "f4", 4, "float32", "f32"},
    {DType::F64, "f8", 8, "float64", "f64"},
    {DType::I8, "i1", 1, "int8", "i8"},
    {DType::U8, "u1", 1, "uint8", "ui8"},
    {DType::I16, "i2", 2, "int16", "i16"},
    {DType::I32, "i4", 4, "int32", "i32"},
    {DType::I64, "i8", 8, "int64", "i64"},
};

const DTypeInfo &info(DType dtype) {
  for (const DTypeInfo &i : kDTypes)
    if (i.dtype == dtype)
      return i;
  return kDTypes[0];
}

/// The header dict of an .npy file, as NumPy writes and reads it: a Python
/// dict literal `{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }`
/// with exactly these three keys, each once, then only spaces and one
/// final newline. NumPy evaluates the header as a literal and refuses any
/// other keys; this parser accepts the same subset and refuses the rest
/// (an unclosed dict, a NUL, a repeated or unknown key) with the reason.
struct Header {
  std::string descr;
  bool fortranOrder = false;
  std::vector<int64_t> shape;
};

class HeaderParser {
public:
  explicit HeaderParser(const std::string &text) : text(text) {}

  bool parse(Header &out, std::string &error) {
    if (text.find('\0') != std::string::npos)
      return fail("a NUL byte in the header", error);
    skipSpaces();
    if (!consume('{'))
      return fail("the header is not a dict", error);
    bool seen[3] = {false, false, false};
    while (true) {
      skipSpaces();
      if (consume('}'))
        break;
      std::string key;
      if (!parseString(key))
        return fail("expected a quoted key", error);
      skipSpaces();
      if (!consume(':'))
        return fail("expected ':' after '" + key + "'", error);
      skipSpaces();
      int which = key == "descr"           ? 0
                  : key == "fortran_order" ? 1
                  : key == "shape"         ? 2
                                           : -1;
      if (which < 0)
        return fail("unknown key '" + key + "'", error);
      if (seen[which])
        return fail("the key '" + key + "' appears twice", error);
      seen[which] = true;
      bool ok = which == 0   ? parseString(out.descr)
                : which == 1 ? parseBool(out.fortranOrder)
                             : parseShape(out.shape);
      if (!ok)
        return fail("bad value for '" + key + "'", error);
      skipSpaces();
      if (consume(','))
        continue;
      if (consume('}'))
        break;
      return fail("expected ',' or '}' after the value of '" + key + "'",
                  error);
    }
    for (int k = 0; k < 3; ++k)
      if (!seen[k])
        return fail(std::string("the key '") +
                        (k == 0   ? "descr"
                         : k == 1 ? "fortran_order"
                                  : "shape") +
                        "' is missing",
                    error);
    while (pos < text.size() && text[pos] == ' ')
      ++pos;
    if (pos < text.size() && text[pos] == '\n')
      ++pos;
    if (pos != text.size())
      return fail("text after the dict", error);
    return true;
  }

private:
  const std::string &text;
  size_t pos = 0;

  bool fail(const std::string &what, std::string &error) {
    error = "malformed .npy header (" + what + "): " + text;
    return false;
  }
  void skipSpaces() {
    while (pos < text.size() && (text[pos] == ' ' || text[pos] == '\t'))
      ++pos;
  }
  bool consume(char c) {
    if (pos < text.size() && text[pos] == c) {
      ++pos;
      return true;
    }
    return false;
  }
  bool parseString(std::string &out) {
    if (pos >= text.size() || (text[pos] != '\'' && text[pos] != '"'))
      return false;
    char quote = text[pos++];
    size_t end = text.find(quote, pos);
    if (end == std::string::npos)
      return false;
    out = text.substr(pos, end - pos);
    pos = end + 1;
    return true;
  }
  bool parseBool(bool &out) {
    for (auto [word, value] : {std::pair{"True", true}, {"False", false}})
      if (text.compare(pos, std::strlen(word), word) == 0) {
        pos += std::strlen(word);
        out = value;
        return true;
      }
    return false;
  }
  /// "(2, 3)", "(5,)" or "()": non-negative decimal integers.
  bool parseShape(std::vector<int64_t> &out) {
    out.clear();
    if (!consume('('))
      return false;
    while (true) {
      skipSpaces();
      if (consume(')'))
        return true;
      size_t start = pos;
      int64_t value = 0;
      while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
        if (value > (INT64_MAX - (text[pos] - '0')) / 10)
          return false;
        value = value * 10 + (text[pos++] - '0');
      }
      if (pos == start)
        return false;
      out.push_back(value);
      skipSpaces();
      if (consume(')'))
        return true;
      if (!consume(','))
        return false;
    }
  }
};
/// Reorders the values of `a`, read in column-major (Fortran) order, into
/// row-major order: the element at index (i0, ..., in-1) moves from
/// offset sum_k i_k * prod_{j<k} d_j.
void toRowMajor(HostArray &a) {
  size_t size = dtypeSize(a.dtype);
  int64_t rank = a.shape.size(), count = a.numElements();
  std::vector<int64_t> stride(rank, 1), index(rank, 0);
  for (int64_t k = 1; k < rank; ++k)
    stride[k] = stride[k - 1] * a.shape[k - 1];
  std::vector<char> rowMajor(a.bytes.size());
  for (int64_t e = 0; e < count; ++e) {
    int64_t from = 0;
    for (int64_t k = 0; k < rank; ++k)
      from += index[k] * stride[k];
    std::memcpy(rowMajor.data() + e * size, a.bytes.data() + from * size, size);
    for (int64_t k = rank - 1; k >= 0 && ++index[k] == a.shape[k]; --k)
      index[k] = 0;
  }
  a.bytes = std::move(rowMajor);
}

} // namespace

size_t dtypeSize(DType dtype) { return info(dtype).size; }
const char *dtypeName(DType dtype) { return info(dtype).name; }
const char *dtypeMlirName(DType dtype) { return info(dtype).mlir; }

int64_t HostArray::numElements() const {
  int64_t n = 1;
  for (int64_t d : shape)
    n *= d;
  return n;
}

std::string HostArray::shapeString() const {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i)
    s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + "]";
}

bool checkedByteCount(const std::vector<int64_t> &shape, size_t elementSize,
                      size_t &bytes) {
  int64_t product = static_cast<int64_t>(elementSize);
  bool empty = false;
  for (int64_t d : shape) {
    if (d < 0)
      return false;
    if (d == 0) {
      empty = true;
      continue;
    }
    if (__builtin_mul_overflow(product, d, &product))
      return false;
  }
  bytes = empty ? 0 : static_cast<size_t>(product);
  return true;
}

HostArray HostArray::zeros(DType dtype, std::vector<int64_t> shape) {
  HostArray a;
  a.dtype = dtype;
  a.shape = std::move(shape);
  a.bytes.assign(static_cast<size_t>(a.numElements()) * dtypeSize(dtype), 0);
  return a;
}

bool parseNpy(const std::string &contents, HostArray &out, std::string &error) {
  if (contents.size() < 10 || contents.compare(0, 6, "\x93NUMPY") != 0) {
    error = "not an .npy file (bad magic)";
    return false;
  }
  unsigned major = static_cast<unsigned char>(contents[6]);
  size_t headerLen, headerStart;
  if (major == 1) {
    headerLen = static_cast<unsigned char>(contents[8]) |
                static_cast<unsigned char>(contents[9]) << 8;
    headerStart = 10;
  } else if (major == 2 || major == 3) {
    if (contents.size() < 12) {
      error = "truncated .npy header";
      return false;
    }
    headerLen = 0;
    for (int i = 0; i < 4; ++i)
      headerLen |=
          static_cast<size_t>(static_cast<unsigned char>(contents[8 + i]))
          << (8 * i);
    headerStart = 12;
  } else {
    error = "unsupported .npy version " + std::to_string(major);
    return false;
  }
  if (contents.size() < headerStart + headerLen) {
    error = "truncated .npy header";
    return false;
  }
  std::string header = contents.substr(headerStart, headerLen);
  Header parsed;
  if (!HeaderParser(header).parse(parsed, error))
    return false;
  std::string descr = parsed.descr;
  if (descr.size() < 2) {
    error = "malformed dtype '" + descr + "'";
    return false;
  }
  char order = descr[0];
  std::string code = descr.substr(1);
  const DTypeInfo *found = nullptr;
  for (const DTypeInfo &i : kDTypes)
    if (code == i.descr && (order == '<' || order == '|' || order == '='))
      found = &i;
  if (!found && order == '>')
    for (const DTypeInfo &i : kDTypes)
      if (code == i.descr && i.size == 1)
        found = &i;
  if (!found) {
    error = order == '>' ? "big-endian arrays are not supported"
                         : "unsupported dtype '" + descr +
                               "' (float32, float64, int8, uint8, int16, "
                               "int32, int64)";
    return false;
  }
  out.dtype = found->dtype;
  out.shape = parsed.shape;
  // The byte count, checked for overflow before anything is allocated (the
  // file must hold them all).
  size_t dataStart = headerStart + headerLen;
  size_t available = contents.size() - dataStart;
  size_t dataBytes = 0;
  if (!checkedByteCount(out.shape, found->size, dataBytes)) {
    error = "the shape " + out.shapeString() +
            " is too big: its byte count does not fit in 64 bits (the file "
            "holds " +
            std::to_string(available) + " bytes)";
    return false;
  }
  if (contents.size() - dataStart < dataBytes) {
    error = "truncated .npy data: expected " + std::to_string(dataBytes) +
            " bytes, got " + std::to_string(contents.size() - dataStart);
    return false;
  }
  out.bytes.assign(contents.begin() + dataStart,
                   contents.begin() + dataStart + dataBytes);
  if (parsed.fortranOrder && out.shape.size() > 1)
    toRowMajor(out);
  return true;
}

bool readNpy(const std::string &path, HostArray &out, std::string &error) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    error = "'" + path + "' is a directory, not an .npy file";
    return false;
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    error = "cannot open '" + path + "'";
    return false;
  }
  std::stringstream buffer;
  buffer << in.rdbuf();
  if (!parseNpy(buffer.str(), out, error)) {
    error = "'" + path + "': " + error;
    return false;
  }
  return true;
}

std::string serializeNpy(const HostArray &array) {
  const DTypeInfo &i = info(array.dtype);
  std::string shape = "(";
  for (size_t d = 0; d < array.shape.size(); ++d)
    shape += std::to_string(array.shape[d]) + ", ";
  if (array.shape.size() > 1)
    shape.resize(shape.size() - 2);
  else if (array.shape.size() == 1)
    shape.resize(shape.size() - 1);
  shape += ")";
  std::string header = std::string("{'descr': '") + (i.size == 1 ? '|' : '<') +
                       i.descr +
                       "', 'fortran_order': False, 'shape': " + shape + ", }";
  // Pad with spaces so that the data starts at a multiple of 64 bytes.
  size_t total = 10 + header.size() + 1;
  header.append((64 - total % 64) % 64, ' ');
  header += '\n';
  std::string out = "\x93NUMPY";
  out += '\x01';
  out += '\x00';
  out += static_cast<char>(header.size() & 0xff);
  out += static_cast<char>(header.size() >> 8);
  out += header;
  out.append(array.bytes.begin(), array.bytes.end());
  return out;
}

bool writeNpy(const std::string &path, const HostArray &array,
              std::string &error) {
  std::ofstream out(path, std::ios::binary);
  if (!out) {
    error = "cannot write '" + path + "'";
    return false;
  }
  std::string bytes = serializeNpy(array);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (!out) {
    error = "cannot write '" + path + "'";
    return false;
  }
  return true;
}

} // namespace ternary
