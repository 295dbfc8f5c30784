//===- Npy.h - NumPy .npy arrays --------------------------------*- C++ -*-===//
//
// Reading and writing NumPy's .npy format (versions 1.0 to 3.0, C order,
// little-endian), and a host array type shared by the tools. Plain C++.
//
//===----------------------------------------------------------------------===//

#ifndef TERNARY_SUPPORT_NPY_H
#define TERNARY_SUPPORT_NPY_H

#include <cstdint>
#include <string>
#include <vector>

namespace ternary {

/// Element types the tools exchange.
enum class DType { F32, F64, I8, U8, I16, I32, I64 };

/// Bytes one element of `dtype` takes.
size_t dtypeSize(DType dtype);
/// NumPy's name of `dtype` ("float32", "int8", ...).
const char *dtypeName(DType dtype);
/// The MLIR element type spelling ("f32", "i8", ...); U8 is "ui8".
const char *dtypeMlirName(DType dtype);

/// A dense, row-major array in host memory.
struct HostArray {
  DType dtype = DType::F32;
  std::vector<int64_t> shape;
  std::vector<char> bytes;

  /// Product of the dimensions (1 for a scalar).
  int64_t numElements() const;
  /// "[2, 3]"
  std::string shapeString() const;
  template <typename T> T *data() {
    return reinterpret_cast<T *>(bytes.data());
  }
  template <typename T> const T *data() const {
    return reinterpret_cast<const T *>(bytes.data());
  }
  /// An array of the given shape and type, zero-filled.
  static HostArray zeros(DType dtype, std::vector<int64_t> shape);
};

/// The byte count of an array of `shape` with `elementSize`-byte elements,
/// as NumPy checks it: no dimension is negative and the product of the
/// non-zero dimensions times the element size fits in int64, even when a
/// zero dimension makes the array empty (so numElements() and every size
/// computed from the shape are defined). False if not.
bool checkedByteCount(const std::vector<int64_t> &shape, size_t elementSize,
                      size_t &bytes);

/// Reads an .npy file. Returns false and sets `error` on failure (a missing
/// file, a malformed header, big-endian or unsupported data). Arrays in
/// Fortran order are reordered to row-major order.
bool readNpy(const std::string &path, HostArray &out, std::string &error);

/// Parses .npy bytes held in memory.
bool parseNpy(const std::string &contents, HostArray &out, std::string &error);

/// Writes an .npy file (version 1.0). Returns false and sets `error` on
/// failure.
bool writeNpy(const std::string &path, const HostArray &array,
              std::string &error);

/// Serialises an array in the .npy format (version 1.0).
std::string serializeNpy(const HostArray &array);

} // namespace ternary

#endif // TERNARY_SUPPORT_NPY_H
