//===- HostArrays.cpp - Host arrays on the command line -------------------===//

#include "ternary/Support/HostArrays.h"

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <sstream>
#include <type_traits>

using namespace ternary;

namespace {

template <typename T>
void appendValues(std::ostringstream &os, const HostArray &a, size_t dim,
                  int64_t &flat) {
  if (dim == a.shape.size()) {
    T v = a.data<T>()[flat++];
    if constexpr (std::is_floating_point_v<T>) {
      char buf[32];
      std::snprintf(buf, sizeof buf, "%.9g", static_cast<double>(v));
      os << buf;
    } else {
      os << static_cast<int64_t>(v);
    }
    return;
  }
  os << '[';
  for (int64_t i = 0; i < a.shape[dim]; ++i) {
    if (i)
      os << ", ";
    appendValues<T>(os, a, dim + 1, flat);
  }
  os << ']';
}

/// `text` split at every `sep` (empty pieces kept).
std::vector<std::string> split(const std::string &text, char sep) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (true) {
    size_t end = text.find(sep, start);
    parts.push_back(text.substr(start, end - start));
    if (end == std::string::npos)
      return parts;
    start = end + 1;
  }
}

std::string trim(const std::string &s) {
  size_t b = s.find_first_not_of(" \t"), e = s.find_last_not_of(" \t");
  return b == std::string::npos ? "" : s.substr(b, e - b + 1);
}

/// A whole decimal integer (optionally signed), or false.
bool parseInteger(const std::string &s, int64_t &out) {
  if (s.empty())
    return false;
  errno = 0;
  char *end = nullptr;
  long long v = std::strtoll(s.c_str(), &end, 10);
  if (errno != 0 || *end != '\0')
    return false;
  out = v;
  return true;
}

/// A whole floating-point number (as strtod reads it: nan, inf included).
bool parseDouble(const std::string &s, double &out) {
  if (s.empty())
    return false;
  char *end = nullptr;
  out = std::strtod(s.c_str(), &end);
  return *end == '\0';
}

} // namespace

std::string ternary::formatArray(const HostArray &a) {
  std::ostringstream os;
  for (int64_t d : a.shape)
    os << d << 'x';
  os << dtypeMlirName(a.dtype) << '=';
  int64_t flat = 0;
  switch (a.dtype) {
  case DType::F32:
    appendValues<float>(os, a, 0, flat);
    break;
  case DType::F64:
    appendValues<double>(os, a, 0, flat);
    break;
  case DType::I8:
    appendValues<int8_t>(os, a, 0, flat);
    break;
  case DType::U8:
    appendValues<uint8_t>(os, a, 0, flat);
    break;
  case DType::I16:
    appendValues<int16_t>(os, a, 0, flat);
    break;
  case DType::I32:
    appendValues<int32_t>(os, a, 0, flat);
    break;
  case DType::I64:
    appendValues<int64_t>(os, a, 0, flat);
    break;
  }
  return os.str();
}

bool ternary::parseInlineArray(const std::string &text, HostArray &out,
                               std::string &error, int64_t maxElements) {
  auto fail = [&](const std::string &what) {
    error = "inline value '" + text + "'" + what;
    return false;
  };
  size_t eq = text.find('=');
  if (eq == std::string::npos)
    return fail(" must look like 2x3xf32=1,2,3,4,5,6");
  std::vector<std::string> parts = split(text.substr(0, eq), 'x');
  std::string dtype = parts.back();
  parts.pop_back();
  static const std::pair<const char *, DType> names[] = {
      {"f32", DType::F32}, {"f64", DType::F64}, {"i8", DType::I8},
      {"ui8", DType::U8},  {"i16", DType::I16}, {"i32", DType::I32},
      {"i64", DType::I64}};
  const DType *found = nullptr;
  for (const auto &[name, d] : names)
    if (dtype == name)
      found = &d;
  if (!found)
    return fail(": unknown element type '" + dtype + "'");
  std::vector<int64_t> shape;
  int64_t count = 1;
  for (const std::string &dim : parts) {
    int64_t d;
    if (!parseInteger(dim, d) || d < 0)
      return fail(": bad dimension '" + dim + "'");
    if (d != 0 && count > maxElements / d)
      return fail(": more than " + std::to_string(maxElements) + " elements");
    count *= d;
    shape.push_back(d);
  }
  HostArray a = HostArray::zeros(*found, shape);
  std::vector<std::string> values;
  for (const std::string &v : split(text.substr(eq + 1), ','))
    if (!v.empty())
      values.push_back(trim(v));
  if (values.size() != 1 && int64_t(values.size()) != count)
    return fail(": " + std::to_string(values.size()) + " values for " +
                std::to_string(count) + " elements");
  size_t elementSize = dtypeSize(a.dtype);
  for (int64_t e = 0; e < count; ++e) {
    const std::string &v = values.size() == 1 ? values[0] : values[e];
    char *dst = a.bytes.data() + e * elementSize;
    if (a.dtype == DType::F32 || a.dtype == DType::F64) {
      double d;
      if (!parseDouble(v, d))
        return fail(": bad number '" + v + "'");
      if (a.dtype == DType::F32) {
        float f = static_cast<float>(d);
        std::memcpy(dst, &f, 4);
      } else {
        std::memcpy(dst, &d, 8);
      }
    } else {
      int64_t i;
      if (!parseInteger(v, i))
        return fail(": bad integer '" + v + "'");
      std::memcpy(dst, &i, elementSize); // little-endian truncation
    }
  }
  out = std::move(a);
  return true;
}

bool ternary::readArrayArgument(const std::string &spec, HostArray &out,
                                std::string &error) {
  if (!spec.empty() && spec[0] == '@')
    return readNpy(spec.substr(1), out, error);
  return parseInlineArray(spec, out, error);
}

std::string ternary::formatFloat(double v) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%g", v);
  return buffer;
}

std::string ternary::firstNonFinite(const HostArray &a) {
  auto scan = [&](auto *values) -> std::string {
    for (int64_t e = 0; e < a.numElements(); ++e)
      if (!std::isfinite(values[e]))
        return std::string(std::isnan(values[e]) ? "nan"
                           : values[e] > 0       ? "inf"
                                                 : "-inf") +
               " at element " + std::to_string(e);
    return "";
  };
  if (a.dtype == DType::F32)
    return scan(a.data<float>());
  if (a.dtype == DType::F64)
    return scan(a.data<double>());
  return "";
}
