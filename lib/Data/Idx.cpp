//===- Idx.cpp - IDX files (MNIST, Fashion-MNIST) -------------------------===//
//
// The IDX format: two zero bytes, a type byte (0x08: unsigned bytes), the
// number of dimensions, each dimension as a big-endian 32-bit integer, then
// the values in row-major order. Files may be gzip-compressed (Debian's
// Fashion-MNIST) or plain (npm's MNIST): zlib reads both.
//
//===----------------------------------------------------------------------===//

#include "ternary/Data/Datasets.h"

#include <cstdio>
#include <filesystem>
#include <zlib.h>

namespace ternary {
namespace data {

namespace {

/// The whole (decompressed) contents of `path`.
bool readMaybeGzip(const std::string &path, std::string &contents,
                   std::string &error) {
  if (!std::filesystem::is_regular_file(path)) {
    error = "'" + path + "': no such file";
    return false;
  }
  gzFile file = gzopen(path.c_str(), "rb");
  if (!file) {
    error = "'" + path + "': cannot be opened";
    return false;
  }
  contents.clear();
  char buffer[1 << 16];
  for (;;) {
    int n = gzread(file, buffer, sizeof(buffer));
    if (n < 0) {
      int code = 0;
      const char *message = gzerror(file, &code);
      error = "'" + path + "': cannot be decompressed (" +
              (message ? message : "zlib error") + ")";
      gzclose(file);
      return false;
    }
    if (n == 0)
      break;
    contents.append(buffer, n);
  }
  // A gzip stream cut short reads as a short file without an error from
  // gzread; gzclose reports it.
  if (int code = gzclose(file); code != Z_OK) {
    error = "'" + path + "': the compressed stream is truncated or corrupt";
    return false;
  }
  return true;
}

} // namespace

bool readIdx(const std::string &path, HostArray &out, std::string &error) {
  std::string contents;
  if (!readMaybeGzip(path, contents, error))
    return false;
  auto byte = [&](size_t i) { return static_cast<unsigned char>(contents[i]); };
  if (contents.size() < 4 || byte(0) != 0 || byte(1) != 0) {
    error = "'" + path +
            "': not an IDX file (it must start with two zero "
            "bytes, a type and a dimension count)";
    return false;
  }
  if (byte(2) != 0x08) {
    char hex[8];
    std::snprintf(hex, sizeof(hex), "0x%02x", byte(2));
    error = "'" + path + "': IDX type " + hex +
            " is not supported (only 0x08, unsigned bytes)";
    return false;
  }
  unsigned dims = byte(3);
  if (dims == 0 || dims > 4) {
    error = "'" + path + "': " + std::to_string(dims) +
            " dimensions (an IDX file of images or labels has 1 to 4)";
    return false;
  }
  size_t header = 4 + 4 * size_t(dims);
  if (contents.size() < header) {
    error = "'" + path + "': truncated header (" +
            std::to_string(contents.size()) + " bytes, " +
            std::to_string(header) + " expected)";
    return false;
  }
  out = HostArray();
  out.dtype = DType::U8;
  for (unsigned d = 0; d < dims; ++d) {
    size_t at = 4 + 4 * d;
    uint32_t value = (uint32_t(byte(at)) << 24) |
                     (uint32_t(byte(at + 1)) << 16) |
                     (uint32_t(byte(at + 2)) << 8) | uint32_t(byte(at + 3));
    out.shape.push_back(value);
  }
  size_t bytes = 0;
  if (!checkedByteCount(out.shape, 1, bytes)) {
    error = "'" + path + "': the shape " + out.shapeString() + " is too big";
    return false;
  }
  if (contents.size() - header != bytes) {
    error = "'" + path + "': the header's shape " + out.shapeString() +
            " needs " + std::to_string(bytes) + " bytes of values, the file " +
            "has " + std::to_string(contents.size() - header) +
            (contents.size() - header < bytes ? " (truncated)" : "");
    return false;
  }
  out.bytes.assign(contents.begin() + header, contents.end());
  return true;
}

namespace {

/// `dir/name` or `dir/name.gz`, whichever exists ("" if neither).
std::string findIdx(const std::string &dir, const std::string &name) {
  std::filesystem::path base = std::filesystem::path(dir) / name;
  if (std::filesystem::is_regular_file(base))
    return base.string();
  std::filesystem::path gz = base.string() + ".gz";
  if (std::filesystem::is_regular_file(gz))
    return gz.string();
  return "";
}

/// One split's {x [N, 1, H, W] f32, labels [N] i64}.
bool readImageSplit(const std::string &dir, const std::string &prefix,
                    float mean, float deviation, std::vector<HostArray> &out,
                    std::string &error) {
  std::string imagesName = prefix + "-images-idx3-ubyte";
  std::string labelsName = prefix + "-labels-idx1-ubyte";
  std::string imagesPath = findIdx(dir, imagesName);
  std::string labelsPath = findIdx(dir, labelsName);
  for (auto [path, name] : {std::pair{&imagesPath, &imagesName},
                            std::pair{&labelsPath, &labelsName}})
    if (path->empty()) {
      error = "'" + dir + "': no " + *name + " (nor " + *name + ".gz)";
      return false;
    }
  HostArray images, labels;
  if (!readIdx(imagesPath, images, error) ||
      !readIdx(labelsPath, labels, error))
    return false;
  if (images.shape.size() != 3) {
    error = "'" + imagesPath + "': images must have 3 dimensions (count, " +
            "rows, columns), got " + images.shapeString();
    return false;
  }
  if (labels.shape.size() != 1 || labels.shape[0] != images.shape[0]) {
    error = "'" + labelsPath + "': " + labels.shapeString() + " labels for " +
            std::to_string(images.shape[0]) + " images";
    return false;
  }
  int64_t n = images.shape[0], h = images.shape[1], w = images.shape[2];
  HostArray x = HostArray::zeros(DType::F32, {n, 1, h, w});
  const uint8_t *pixels = images.data<uint8_t>();
  float *values = x.data<float>();
  for (int64_t i = 0; i < n * h * w; ++i)
    values[i] = (float(pixels[i]) / 255.0f - mean) / deviation;
  HostArray y = HostArray::zeros(DType::I64, {n});
  for (int64_t i = 0; i < n; ++i) {
    uint8_t label = labels.data<uint8_t>()[i];
    if (label >= 10) {
      error = "'" + labelsPath + "': label " + std::to_string(label) +
              " of example " + std::to_string(i) +
              " is out of range (10 classes: 0 to 9)";
      return false;
    }
    y.data<int64_t>()[i] = label;
  }
  out = {std::move(x), std::move(y)};
  return true;
}

} // namespace

bool loadIdxImages(const std::string &dir, float mean, float deviation,
                   Dataset &out, std::string &error) {
  out = Dataset();
  out.name = dir;
  out.kind = DatasetKind::Images;
  out.classes = 10;
  if (!readImageSplit(dir, "train", mean, deviation, out.train, error) ||
      !readImageSplit(dir, "t10k", mean, deviation, out.test, error))
    return false;
  const HostArray &train = out.train[0], &test = out.test[0];
  if (train.shape[2] != test.shape[2] || train.shape[3] != test.shape[3]) {
    error = "'" + dir + "': training images are " +
            std::to_string(train.shape[2]) + "x" +
            std::to_string(train.shape[3]) + ", test images " +
            std::to_string(test.shape[2]) + "x" + std::to_string(test.shape[3]);
    return false;
  }
  out.exampleShape = {1, train.shape[2], train.shape[3]};
  return true;
}

} // namespace data
} // namespace ternary
