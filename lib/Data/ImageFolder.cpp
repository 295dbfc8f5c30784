//===- ImageFolder.cpp - JPEG image folders (CIFAR-10) --------------------===//
//
// An image folder as torchvision's ImageFolder reads it:
// `train/<class>/*.jpg` and `test/<class>/*.jpg`, the classes being the
// training split's folder names in sorted order. Read from a directory, or
// straight from a .tar.gz of that layout (../shared/data/cifar10 holds one),
// without unpacking it. JPEGs are decoded by libjpeg(-turbo) into RGB.
//
//===----------------------------------------------------------------------===//

#include "ternary/Data/Datasets.h"

#include <algorithm>
#include <csetjmp>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <zlib.h>

#include <jpeglib.h>

namespace ternary {
namespace data {

namespace {

namespace fs = std::filesystem;

/// One image file of the folder: its split, class and bytes.
struct ImageFile {
  std::string path, split, label;
  std::string bytes;
};

/// Splits "train/cat/0001.jpg" (any prefix before the split) into split
/// and class; false for other paths.
bool splitPath(const std::string &path, std::string &split,
               std::string &label) {
  std::vector<std::string> parts;
  for (const auto &part : fs::path(path))
    if (!part.empty() && part != "." && part != "/")
      parts.push_back(part.string());
  if (parts.size() < 3)
    return false;
  split = parts[parts.size() - 3];
  label = parts[parts.size() - 2];
  std::string ext = fs::path(parts.back()).extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(), ::tolower);
  return (split == "train" || split == "test") &&
         (ext == ".jpg" || ext == ".jpeg");
}

/// The regular files of a (gzip-compressed) tar archive whose paths are
/// images of the layout.
bool readTarGz(const std::string &path, std::vector<ImageFile> &files,
               std::string &error) {
  gzFile file = gzopen(path.c_str(), "rb");
  if (!file) {
    error = "'" + path + "': cannot be opened";
    return false;
  }
  auto readExactly = [&](char *buffer, size_t n) {
    size_t done = 0;
    while (done < n) {
      int got = gzread(file, buffer + done, unsigned(n - done));
      if (got <= 0)
        return false;
      done += got;
    }
    return true;
  };
  std::string longName;
  char header[512];
  bool ok = true;
  while (true) {
    if (!readExactly(header, 512)) {
      error = "'" + path + "': the archive is truncated or corrupt";
      ok = false;
      break;
    }
    if (std::all_of(header, header + 512, [](char c) { return c == 0; }))
      break; // the end-of-archive block
    std::string name(header, strnlen(header, 100));
    std::string prefix(header + 345, strnlen(header + 345, 155));
    if (!prefix.empty())
      name = prefix + "/" + name;
    if (!longName.empty()) {
      name = longName;
      longName.clear();
    }
    uint64_t size = 0;
    for (int i = 124; i < 136 && header[i]; ++i)
      if (header[i] >= '0' && header[i] <= '7')
        size = size * 8 + uint64_t(header[i] - '0');
    char type = header[156];
    std::string data(size, '\0');
    size_t padded = (size + 511) / 512 * 512;
    std::string padding(padded - size, '\0');
    if (!readExactly(data.data(), size) ||
        !readExactly(padding.data(), padding.size())) {
      error = "'" + path + "': the archive is truncated at '" + name + "'";
      ok = false;
      break;
    }
    if (type == 'L') { // GNU long name of the next entry
      longName = std::string(data.c_str());
      continue;
    }
    std::string split, label;
    if ((type == '0' || type == '\0') && splitPath(name, split, label))
      files.push_back({path + ":" + name, split, label, std::move(data)});
  }
  gzclose(file);
  return ok;
}

/// The images of a directory with train/ and test/.
bool readDirectory(const std::string &dir, std::vector<ImageFile> &files,
                   std::string &error) {
  for (const char *split : {"train", "test"}) {
    fs::path root = fs::path(dir) / split;
    if (!fs::is_directory(root)) {
      error = "'" + dir + "': no " + split +
              "/ folder (an image folder holds train/<class>/*.jpg and "
              "test/<class>/*.jpg)";
      return false;
    }
    std::vector<fs::path> paths;
    for (const auto &entry : fs::recursive_directory_iterator(root))
      if (entry.is_regular_file())
        paths.push_back(entry.path());
    std::sort(paths.begin(), paths.end());
    for (const fs::path &p : paths) {
      std::string s, label;
      if (!splitPath(p.string(), s, label))
        continue;
      std::ifstream in(p, std::ios::binary);
      std::string bytes((std::istreambuf_iterator<char>(in)), {});
      files.push_back({p.string(), s, label, std::move(bytes)});
    }
  }
  return true;
}

/// libjpeg's errors end the decoding of one image (longjmp), not the
/// process (its default).
struct JpegError {
  jpeg_error_mgr manager;
  std::jmp_buf jump;
  char message[JMSG_LENGTH_MAX];
};

void onJpegError(j_common_ptr info) {
  auto *e = reinterpret_cast<JpegError *>(info->err);
  (*info->err->format_message)(info, e->message);
  std::longjmp(e->jump, 1);
}

/// Decodes `bytes` into RGB rows; false with `error` set.
bool decodeJpeg(const std::string &bytes, std::vector<uint8_t> &rgb, int &width,
                int &height, std::string &error) {
  jpeg_decompress_struct info;
  JpegError e;
  info.err = jpeg_std_error(&e.manager);
  e.manager.error_exit = onJpegError;
  e.manager.output_message = [](j_common_ptr) {}; // warnings: quiet
  if (setjmp(e.jump)) {
    jpeg_destroy_decompress(&info);
    error = e.message;
    return false;
  }
  jpeg_create_decompress(&info);
  jpeg_mem_src(&info, reinterpret_cast<const unsigned char *>(bytes.data()),
               bytes.size());
  jpeg_read_header(&info, TRUE);
  info.out_color_space = JCS_RGB;
  jpeg_start_decompress(&info);
  width = info.output_width;
  height = info.output_height;
  rgb.resize(size_t(width) * height * 3);
  while (info.output_scanline < info.output_height) {
    unsigned char *row = rgb.data() + size_t(info.output_scanline) * width * 3;
    jpeg_read_scanlines(&info, &row, 1);
  }
  jpeg_finish_decompress(&info);
  jpeg_destroy_decompress(&info);
  return true;
}

} // namespace

bool loadImageFolder(const std::string &path, const float mean[3],
                     const float deviation[3], Dataset &out,
                     std::string &error) {
  std::vector<ImageFile> files;
  std::string archive = path;
  if (fs::is_directory(path) && !fs::is_directory(fs::path(path) / "train")) {
    // A directory holding the archive (../shared/data/cifar10).
    archive.clear();
    for (const auto &entry : fs::directory_iterator(path))
      if (entry.path().string().size() > 7 &&
          entry.path().string().substr(entry.path().string().size() - 7) ==
              ".tar.gz")
        archive = entry.path().string();
    if (archive.empty()) {
      error =
          "'" + path + "': no train/ and test/ folders and no .tar.gz of them";
      return false;
    }
  }
  if (fs::is_directory(archive) ? !readDirectory(archive, files, error)
                                : !readTarGz(archive, files, error))
    return false;

  // Classes: the training split's folder names, sorted.
  std::map<std::string, int64_t> classes;
  for (const ImageFile &f : files)
    if (f.split == "train")
      classes[f.label] = 0;
  if (classes.size() < 2) {
    error = "'" + path + "': the training split has " +
            std::to_string(classes.size()) +
            " class folders; a classifier needs at least 2";
    return false;
  }
  int64_t next = 0;
  for (auto &entry : classes)
    entry.second = next++;

  int width = 0, height = 0;
  std::vector<uint8_t> rgb;
  std::map<std::string, std::vector<const ImageFile *>> bySplit;
  for (const ImageFile &f : files)
    bySplit[f.split].push_back(&f);
  for (const char *split : {"train", "test"}) {
    const std::vector<const ImageFile *> &images = bySplit[split];
    if (images.empty()) {
      error = "'" + path + "': no images in the " + split + " split";
      return false;
    }
    int64_t n = images.size();
    HostArray x, y = HostArray::zeros(DType::I64, {n});
    for (int64_t i = 0; i < n; ++i) {
      const ImageFile &f = *images[i];
      auto label = classes.find(f.label);
      if (label == classes.end()) {
        error = "'" + f.path + "': class '" + f.label +
                "' has no folder in the training split";
        return false;
      }
      int w, h;
      std::string problem;
      if (!decodeJpeg(f.bytes, rgb, w, h, problem)) {
        error = "'" + f.path + "': not a decodable JPEG (" + problem + ")";
        return false;
      }
      if (width == 0) {
        width = w;
        height = h;
      }
      if (w != width || h != height) {
        error = "'" + f.path + "' is " + std::to_string(w) + "x" +
                std::to_string(h) + ", the other images " +
                std::to_string(width) + "x" + std::to_string(height);
        return false;
      }
      if (i == 0)
        x = HostArray::zeros(DType::F32, {n, 3, height, width});
      float *image = x.data<float>() + i * 3 * height * width;
      for (int c = 0; c < 3; ++c)
        for (int p = 0; p < height * width; ++p)
          image[c * height * width + p] =
              (float(rgb[p * 3 + c]) / 255.0f - mean[c]) / deviation[c];
      y.data<int64_t>()[i] = label->second;
    }
    (std::string(split) == "train" ? out.train : out.test) = {std::move(x),
                                                              std::move(y)};
  }
  out.name = path;
  out.kind = DatasetKind::Images;
  out.classes = classes.size();
  out.exampleShape = {3, height, width};
  return true;
}

} // namespace data
} // namespace ternary
