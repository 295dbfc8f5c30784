//===- Npy.cpp - NumPy .npy arrays ----------------------------------------===//

#include "ternary/Support/Npy.h"

#include <cstring>
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

/// The value of `key` in a Python dict literal: the text after "'key':" up
/// to the next top-level comma or closing brace.
bool dictValue(const std::string &header, const std::string &key,
               std::string &value) {
  size_t pos = header.find("'" + key + "'");
  if (pos == std::string::npos)
    return false;
  pos = header.find(':', pos);
  if (pos == std::string::npos)
    return false;
  ++pos;
  int depth = 0;
  size_t end = pos;
  for (; end < header.size(); ++end) {
    char c = header[end];
    if (c == '(')
      ++depth;
    else if (c == ')')
      --depth;
    else if ((c == ',' || c == '}') && depth == 0)
      break;
  }
  value = header.substr(pos, end - pos);
  size_t b = value.find_first_not_of(" ");
  size_t e = value.find_last_not_of(" ");
  value = b == std::string::npos ? "" : value.substr(b, e - b + 1);
  return true;
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
  std::string descr, fortran, shape;
  if (!dictValue(header, "descr", descr) ||
      !dictValue(header, "fortran_order", fortran) ||
      !dictValue(header, "shape", shape)) {
    error = "malformed .npy header: " + header;
    return false;
  }
  if (fortran != "False") {
    error = "Fortran-order arrays are not supported";
    return false;
  }
  if (descr.size() < 4 || descr.front() != '\'' || descr.back() != '\'') {
    error = "malformed dtype " + descr;
    return false;
  }
  descr = descr.substr(1, descr.size() - 2);
  char order = descr[0];
  std::string code = descr.substr(1);
  const DTypeInfo *found = nullptr;
  for (const DTypeInfo &i : kDTypes)
    if (code == i.descr)
      found = &i;
  if (!found) {
    error = "unsupported dtype '" + descr +
            "' (float32, float64, int8, uint8, int16, int32, int64)";
    return false;
  }
  if (order == '>' && found->size > 1) {
    error = "big-endian arrays are not supported";
    return false;
  }
  out.dtype = found->dtype;
  out.shape.clear();
  // "(2, 3)", "(5,)" or "()".
  std::stringstream dims(
      shape.substr(1, shape.size() >= 2 ? shape.size() - 2 : 0));
  std::string dim;
  while (std::getline(dims, dim, ',')) {
    size_t b = dim.find_first_not_of(" ");
    if (b == std::string::npos)
      continue;
    try {
      out.shape.push_back(std::stoll(dim.substr(b)));
    } catch (...) {
      error = "malformed shape " + shape;
      return false;
    }
    if (out.shape.back() < 0) {
      error = "malformed shape " + shape;
      return false;
    }
  }
  size_t dataBytes = static_cast<size_t>(out.numElements()) * found->size;
  size_t dataStart = headerStart + headerLen;
  if (contents.size() - dataStart < dataBytes) {
    error = "truncated .npy data: expected " + std::to_string(dataBytes) +
            " bytes, got " + std::to_string(contents.size() - dataStart);
    return false;
  }
  out.bytes.assign(contents.begin() + dataStart,
                   contents.begin() + dataStart + dataBytes);
  return true;
}

bool readNpy(const std::string &path, HostArray &out, std::string &error) {
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
