//===- DatasetsTest.cpp - The data sets' loaders on small written files ---===//
//
// Each loader on files written by the test: well-formed ones (values,
// shapes, normalisation, the graph's normalised adjacency against a hand
// computation) and malformed ones, each with its exact message.
//
//===----------------------------------------------------------------------===//

#include "ternary/Data/Datasets.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <zlib.h>

#include <jpeglib.h>

using namespace ternary;
using namespace ternary::data;
namespace fs = std::filesystem;

namespace {

/// A fresh directory under the test's temporary directory.
std::string freshDir(const std::string &name) {
  fs::path dir = fs::temp_directory_path() /
                 ("ternary-datasets-" + std::to_string(::getpid())) / name;
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir.string();
}

std::string idxBytes(std::vector<uint32_t> shape,
                     const std::vector<uint8_t> &values) {
  std::string out = {0, 0, 8, char(shape.size())};
  for (uint32_t d : shape)
    for (int shift = 24; shift >= 0; shift -= 8)
      out += char((d >> shift) & 0xff);
  out.append(values.begin(), values.end());
  return out;
}

void writeFile(const std::string &path, const std::string &bytes) {
  std::ofstream(path, std::ios::binary) << bytes;
}

void writeGzip(const std::string &path, const std::string &bytes) {
  gzFile f = gzopen(path.c_str(), "wb");
  gzwrite(f, bytes.data(), bytes.size());
  gzclose(f);
}

/// The four MNIST files of `n` images of 2x3 pixels (pixel i of image k:
/// 10 k + i) and labels k % 10.
void writeImages(const std::string &dir, uint32_t n, bool gzip,
                 uint8_t badLabel = 0) {
  for (const char *prefix : {"train", "t10k"}) {
    std::vector<uint8_t> pixels, labels;
    for (uint32_t k = 0; k < n; ++k) {
      for (uint8_t i = 0; i < 6; ++i)
        pixels.push_back(uint8_t(10 * k + i));
      labels.push_back(uint8_t(k % 10));
    }
    if (badLabel)
      labels.back() = badLabel;
    std::string images = idxBytes({n, 2, 3}, pixels);
    std::string labelBytes = idxBytes({n}, labels);
    std::string base = dir + "/" + prefix;
    if (gzip) {
      writeGzip(base + "-images-idx3-ubyte.gz", images);
      writeGzip(base + "-labels-idx1-ubyte.gz", labelBytes);
    } else {
      writeFile(base + "-images-idx3-ubyte", images);
      writeFile(base + "-labels-idx1-ubyte", labelBytes);
    }
  }
}

HostArray array(DType dtype, std::vector<int64_t> shape,
                const std::vector<double> &values) {
  HostArray a = HostArray::zeros(dtype, shape);
  for (size_t i = 0; i < values.size(); ++i) {
    if (dtype == DType::F32)
      a.data<float>()[i] = float(values[i]);
    else if (dtype == DType::I32)
      a.data<int32_t>()[i] = int32_t(values[i]);
    else
      a.data<int64_t>()[i] = int64_t(values[i]);
  }
  return a;
}

/// A 4-node path graph 0-1-2-3 with 3 features, labels {0, 1, 2, -1}.
void writeGraph(const std::string &dir) {
  std::string error;
  auto save = [&](const char *name, const HostArray &a) {
    ASSERT_TRUE(writeNpy(dir + "/" + name + ".npy", a, error)) << error;
  };
  save("features_indptr", array(DType::I64, {5}, {0, 2, 3, 4, 4}));
  save("features_indices", array(DType::I32, {4}, {0, 2, 1, 2}));
  save("features_values", array(DType::F32, {4}, {1, 1, 1, 1}));
  save("labels", array(DType::I64, {4}, {0, 1, 2, -1}));
  save("edge_index",
       array(DType::I64, {2, 6}, {0, 1, 1, 2, 2, 3, 1, 0, 2, 1, 3, 2}));
  save("train_idx", array(DType::I64, {2}, {0, 1}));
  save("val_idx", array(DType::I64, {1}, {2}));
  save("test_idx", array(DType::I64, {1}, {1}));
}

/// A w x h RGB JPEG (quality 100) whose pixels are (r, g, b) + noise-free
/// gradients: pixel (y, x) = (r, g + x, b + y).
std::string jpegBytes(int w, int h, int r, int g, int b) {
  jpeg_compress_struct info;
  jpeg_error_mgr err;
  info.err = jpeg_std_error(&err);
  jpeg_create_compress(&info);
  unsigned char *buffer = nullptr;
  unsigned long size = 0;
  jpeg_mem_dest(&info, &buffer, &size);
  info.image_width = w;
  info.image_height = h;
  info.input_components = 3;
  info.in_color_space = JCS_RGB;
  jpeg_set_defaults(&info);
  jpeg_set_quality(&info, 100, TRUE);
  jpeg_start_compress(&info, TRUE);
  std::vector<unsigned char> row(w * 3);
  for (int y = 0; y < h; ++y) {
    for (int x = 0; x < w; ++x) {
      row[3 * x] = r;
      row[3 * x + 1] = g + x;
      row[3 * x + 2] = b + y;
    }
    unsigned char *p = row.data();
    jpeg_write_scanlines(&info, &p, 1);
  }
  jpeg_finish_compress(&info);
  jpeg_destroy_compress(&info);
  std::string bytes(reinterpret_cast<char *>(buffer), size);
  free(buffer);
  return bytes;
}

/// Files of an image folder: {path, bytes}. Two classes (`cat` bright
/// red, `dog` dark), 3 training and 2 test images each, 6x4 pixels.
std::vector<std::pair<std::string, std::string>> folderFiles() {
  std::vector<std::pair<std::string, std::string>> files;
  for (const char *split : {"train", "test"})
    for (const char *label : {"dog", "cat"})
      for (int i = 0; i < (std::string(split) == "train" ? 3 : 2); ++i)
        files.push_back({std::string(split) + "/" + label + "/" +
                             std::to_string(i) + ".jpg",
                         std::string(label) == "cat"
                             ? jpegBytes(6, 4, 200, 10, 10)
                             : jpegBytes(6, 4, 20, 10, 10)});
  return files;
}

void writeFolder(const std::string &dir,
                 const std::vector<std::pair<std::string, std::string>> &f) {
  for (const auto &[path, bytes] : f) {
    fs::create_directories(fs::path(dir) / fs::path(path).parent_path());
    writeFile(dir + "/" + path, bytes);
  }
}

/// A ustar archive of the files (gzip-compressed).
void writeTarGz(const std::string &path,
                const std::vector<std::pair<std::string, std::string>> &f) {
  std::string tar;
  for (const auto &[name, bytes] : f) {
    char header[512] = {};
    std::snprintf(header, 100, "%s", name.c_str());
    std::snprintf(header + 100, 8, "%07o", 0644);
    std::snprintf(header + 124, 12, "%011o", unsigned(bytes.size()));
    header[156] = '0';
    std::memcpy(header + 257, "ustar", 5);
    tar.append(header, 512);
    tar += bytes;
    tar.append((512 - bytes.size() % 512) % 512, '\0');
  }
  tar.append(1024, '\0');
  writeGzip(path, tar);
}

} // namespace

TEST(Datasets, ReadsImageFoldersAndTheirArchives) {
  const float mean[3] = {0, 0, 0}, one[3] = {1, 1, 1};
  std::string dir = freshDir("folder");
  writeFolder(dir, folderFiles());
  std::string archiveDir = freshDir("archive");
  writeTarGz(archiveDir + "/images.tar.gz", folderFiles());
  for (const std::string &path :
       {dir, archiveDir, archiveDir + "/images.tar.gz"}) {
    Dataset d;
    std::string error;
    ASSERT_TRUE(loadImageFolder(path, mean, one, d, error)) << error;
    EXPECT_EQ(d.classes, 2);
    EXPECT_EQ(d.exampleShape, (std::vector<int64_t>{3, 4, 6}));
    ASSERT_EQ(d.train[0].shape, (std::vector<int64_t>{6, 3, 4, 6}));
    ASSERT_EQ(d.test[1].shape, std::vector<int64_t>{4});
    // Classes in sorted order (cat 0, dog 1); a cat's red channel is
    // about 200 / 255 (JPEG at quality 100: within a few levels).
    for (int64_t i = 0; i < 6; ++i) {
      int64_t label = d.train[1].data<int64_t>()[i];
      float red = d.train[0].data<float>()[i * 72];
      EXPECT_NEAR(red, label == 0 ? 200 / 255.0 : 20 / 255.0, 4 / 255.0)
          << path << " image " << i;
    }
    // The green channel's gradient along x survives: pixel x = 5 is 5
    // levels above x = 0.
    const float *green = d.train[0].data<float>() + 24;
    EXPECT_NEAR(green[5] - green[0], 5 / 255.0, 3 / 255.0);
  }
  // By name of a directory holding the archive, through loadDataset.
  std::string error;
  auto d = loadDataset(archiveDir, "", error);
  ASSERT_TRUE(d) << error;
  EXPECT_EQ(d->test[0].shape[0], 4);
}

TEST(Datasets, RejectsBadImageFolders) {
  const float mean[3] = {0, 0, 0}, one[3] = {1, 1, 1};
  Dataset d;
  std::string error;

  auto files = folderFiles();
  files[1].second = "this is not a JPEG";
  std::string broken = freshDir("broken-jpeg");
  writeFolder(broken, files);
  EXPECT_FALSE(loadImageFolder(broken, mean, one, d, error));
  EXPECT_EQ(error.rfind("'" + broken +
                            "/train/dog/1.jpg': not a decodable "
                            "JPEG (",
                        0),
            0u)
      << error;

  files = folderFiles();
  files[2].second = jpegBytes(5, 4, 1, 2, 3);
  std::string sizes = freshDir("sizes");
  writeFolder(sizes, files);
  EXPECT_FALSE(loadImageFolder(sizes, mean, one, d, error));
  EXPECT_EQ(error,
            "'" + sizes + "/train/dog/2.jpg' is 5x4, the other images 6x4");

  files = folderFiles();
  files.push_back({"test/bird/0.jpg", jpegBytes(6, 4, 0, 0, 0)});
  std::string unknown = freshDir("unknown-class");
  writeFolder(unknown, files);
  EXPECT_FALSE(loadImageFolder(unknown, mean, one, d, error));
  EXPECT_EQ(error, "'" + unknown +
                       "/test/bird/0.jpg': class 'bird' has no folder in "
                       "the training split");

  std::string truncated = freshDir("truncated-archive");
  writeTarGz(truncated + "/a.tar.gz", folderFiles());
  std::ifstream in(truncated + "/a.tar.gz", std::ios::binary);
  std::string gz((std::istreambuf_iterator<char>(in)), {});
  in.close();
  writeFile(truncated + "/a.tar.gz", gz.substr(0, gz.size() / 2));
  EXPECT_FALSE(loadImageFolder(truncated, mean, one, d, error));
  EXPECT_NE(error.find("'" + truncated +
                       "/a.tar.gz': the archive is "
                       "truncated"),
            std::string::npos)
      << error;

  std::string empty = freshDir("no-archive");
  fs::create_directories(empty + "/other");
  EXPECT_FALSE(loadImageFolder(empty, mean, one, d, error));
  EXPECT_EQ(error, "'" + empty +
                       "': no train/ and test/ folders and no .tar.gz of them");
}

TEST(Datasets, ReadsTextClassificationSets) {
  std::string dir = freshDir("text");
  // Words seen twice in training form the vocabulary (sorted: a=1, b=2,
  // good=3, movie=4); "rare" and the test's "unseen" are dropped.
  writeFile(dir + "/train.tsv", "pos\tGood movie, good!\n"
                                "neg\tA b rare\r\n"
                                "\n"
                                "neg\ta B movie\n");
  writeFile(dir + "/test.tsv", "pos\tgood unseen GOOD movie\n");
  std::string error;
  auto d = loadDataset(dir, "", error);
  ASSERT_TRUE(d) << error;
  EXPECT_EQ(d->kind, DatasetKind::Text);
  EXPECT_EQ(d->classes, 2);
  EXPECT_EQ(d->vocabulary, 5);
  EXPECT_EQ(d->exampleShape, std::vector<int64_t>{3});
  ASSERT_EQ(d->train.size(), 3u);
  ASSERT_EQ(d->train[0].shape, (std::vector<int64_t>{3, 3}));
  // Document 1: good (2 of 3 words), movie (1 of 3), padding.
  const int64_t *ids = d->train[0].data<int64_t>();
  const float *weights = d->train[1].data<float>();
  EXPECT_EQ(ids[0], 3);
  EXPECT_EQ(ids[1], 4);
  EXPECT_EQ(ids[2], 0);
  EXPECT_FLOAT_EQ(weights[0], 2.0f / 3.0f);
  EXPECT_FLOAT_EQ(weights[1], 1.0f / 3.0f);
  EXPECT_FLOAT_EQ(weights[2], 0.0f);
  // Labels in sorted order: neg 0, pos 1.
  EXPECT_EQ(d->train[2].data<int64_t>()[0], 1);
  EXPECT_EQ(d->train[2].data<int64_t>()[1], 0);
  EXPECT_EQ(d->test[0].data<int64_t>()[0], 3);
  EXPECT_FLOAT_EQ(d->test[1].data<float>()[0], 2.0f / 3.0f);
}

TEST(Datasets, RejectsBadTextSets) {
  Dataset d;
  std::string error;
  std::string ragged = freshDir("text-ragged");
  writeFile(ragged + "/train.tsv", "pos\tgood\nneg bad\n");
  writeFile(ragged + "/test.tsv", "pos\tgood\n");
  EXPECT_FALSE(loadTextClassification(ragged, d, error));
  EXPECT_EQ(error, "'" + ragged +
                       "/train.tsv' line 2: no tab between the label and the "
                       "text");

  std::string unknown = freshDir("text-label");
  writeFile(unknown + "/train.tsv", "pos\tgood\nneg\tbad\n");
  writeFile(unknown + "/test.tsv", "pos\tgood\nmeh\tso so\n");
  EXPECT_FALSE(loadTextClassification(unknown, d, error));
  EXPECT_EQ(error, "'" + unknown +
                       "/test.tsv': label 'meh' of document 2 does not occur "
                       "in train.tsv");

  std::string missing = freshDir("text-missing");
  writeFile(missing + "/train.tsv", "pos\tgood\nneg\tbad\n");
  EXPECT_FALSE(loadTextClassification(missing, d, error));
  EXPECT_EQ(error, "'" + missing +
                       "': no test.tsv (a text classification set holds "
                       "train.tsv and test.tsv, label<TAB>text a line)");

  std::string oneLabel = freshDir("text-one-label");
  writeFile(oneLabel + "/train.tsv", "pos\tgood\npos\tfine\n");
  writeFile(oneLabel + "/test.tsv", "pos\tgood\n");
  EXPECT_FALSE(loadTextClassification(oneLabel, d, error));
  EXPECT_EQ(error, "'" + oneLabel +
                       "/train.tsv': 1 label; a classifier needs at least 2");
}

TEST(Datasets, ReadsIdxImagesPlainAndGzip) {
  for (bool gzip : {false, true}) {
    std::string dir = freshDir(gzip ? "gz" : "plain");
    writeImages(dir, 3, gzip);
    Dataset d;
    std::string error;
    ASSERT_TRUE(loadIdxImages(dir, 0.5f, 0.25f, d, error)) << error;
    EXPECT_EQ(d.classes, 10);
    EXPECT_EQ(d.exampleShape, (std::vector<int64_t>{1, 2, 3}));
    ASSERT_EQ(d.train.size(), 2u);
    EXPECT_EQ(d.train[0].shape, (std::vector<int64_t>{3, 1, 2, 3}));
    // Pixel 4 of image 2: (24 / 255 - 0.5) / 0.25.
    EXPECT_FLOAT_EQ(d.train[0].data<float>()[2 * 6 + 4],
                    (24.0f / 255.0f - 0.5f) / 0.25f);
    EXPECT_EQ(d.test[1].data<int64_t>()[2], 2);
    EXPECT_FALSE(d.hasValidation());
  }
}

TEST(Datasets, RejectsMalformedIdx) {
  std::string dir = freshDir("bad-idx");
  std::string path = dir + "/x";
  HostArray a;
  std::string error;
  std::string good = idxBytes({2, 2}, {1, 2, 3, 4});

  writeFile(path, good.substr(0, good.size() - 1));
  EXPECT_FALSE(readIdx(path, a, error));
  EXPECT_EQ(error, "'" + path +
                       "': the header's shape [2, 2] needs 4 bytes of "
                       "values, the file has 3 (truncated)");

  writeFile(path, good.substr(0, 6));
  EXPECT_FALSE(readIdx(path, a, error));
  EXPECT_EQ(error, "'" + path + "': truncated header (6 bytes, 12 expected)");

  writeFile(path, "PK\x03\x04 not idx");
  EXPECT_FALSE(readIdx(path, a, error));
  EXPECT_EQ(error, "'" + path +
                       "': not an IDX file (it must start with two zero "
                       "bytes, a type and a dimension count)");

  std::string floats = good;
  floats[2] = 0x0d;
  writeFile(path, floats);
  EXPECT_FALSE(readIdx(path, a, error));
  EXPECT_EQ(error, "'" + path +
                       "': IDX type 0x0d is not supported (only 0x08, "
                       "unsigned bytes)");

  // A gzip stream cut in the middle.
  writeGzip(path + ".gz", idxBytes({64, 64}, std::vector<uint8_t>(4096, 7)));
  std::ifstream in(path + ".gz", std::ios::binary);
  std::string gz((std::istreambuf_iterator<char>(in)), {});
  writeFile(path + ".gz", gz.substr(0, gz.size() / 2));
  EXPECT_FALSE(readIdx(path + ".gz", a, error));
  EXPECT_NE(error.find("'" + path + ".gz': "), std::string::npos) << error;

  EXPECT_FALSE(readIdx(dir + "/missing", a, error));
  EXPECT_EQ(error, "'" + dir + "/missing': no such file");
}

TEST(Datasets, RejectsBadImageSets) {
  std::string dir = freshDir("bad-labels");
  writeImages(dir, 3, false, /*badLabel=*/12);
  Dataset d;
  std::string error;
  EXPECT_FALSE(loadIdxImages(dir, 0, 1, d, error));
  EXPECT_EQ(error, "'" + dir +
                       "/train-labels-idx1-ubyte': label 12 of example 2 "
                       "is out of range (10 classes: 0 to 9)");

  std::string missing = freshDir("missing-labels");
  writeImages(missing, 2, true);
  fs::remove(missing + "/t10k-labels-idx1-ubyte.gz");
  EXPECT_FALSE(loadIdxImages(missing, 0, 1, d, error));
  EXPECT_EQ(error, "'" + missing +
                       "': no t10k-labels-idx1-ubyte (nor "
                       "t10k-labels-idx1-ubyte.gz)");

  EXPECT_FALSE(loadDataset(freshDir("empty"), "", error));
  EXPECT_NE(error.find("not a data set directory"), std::string::npos);
  EXPECT_FALSE(loadDataset("no-such-set", "", error));
  EXPECT_EQ(error, "--data 'no-such-set' is neither a known data set (mnist, "
                   "fashion-mnist, cifar10, tinyshakespeare, moby-dick) nor a "
                   "file or directory");
}

TEST(Datasets, ReadsPlanetoidGraphs) {
  std::string dir = freshDir("graph");
  writeGraph(dir);
  std::string error;
  auto d = loadDataset(dir, "", error);
  ASSERT_TRUE(d) << error;
  EXPECT_EQ(d->kind, DatasetKind::Graph);
  EXPECT_EQ(d->classes, 3);
  EXPECT_EQ(d->exampleShape, std::vector<int64_t>{3});
  ASSERT_EQ(d->train.size(), 5u);
  // Row 0 has features 0 and 2: each 1/2 after row normalisation.
  const float *x = d->train[0].data<float>();
  EXPECT_FLOAT_EQ(x[0], 0.5f);
  EXPECT_FLOAT_EQ(x[1], 0.0f);
  EXPECT_FLOAT_EQ(x[2], 0.5f);
  // Adjacency with self loops: degrees 2, 3, 3, 2; row 1 = {0, 1, 2}
  // with weights 1/sqrt(3*2), 1/3, 1/3.
  const int64_t *indptr = d->train[1].data<int64_t>();
  const int64_t *indices = d->train[2].data<int64_t>();
  const float *values = d->train[3].data<float>();
  EXPECT_EQ(indptr[1], 2);
  EXPECT_EQ(indptr[2], 5);
  EXPECT_EQ(indices[2], 0);
  EXPECT_EQ(indices[3], 1);
  EXPECT_EQ(indices[4], 2);
  EXPECT_FLOAT_EQ(values[2], float(1 / std::sqrt(6.0)));
  EXPECT_FLOAT_EQ(values[3], 1.0f / 3.0f);
  // Split labels: the split's nodes keep theirs, the others -100.
  EXPECT_EQ(d->train[4].data<int64_t>()[1], 1);
  EXPECT_EQ(d->train[4].data<int64_t>()[2], -100);
  EXPECT_EQ(d->validation[4].data<int64_t>()[2], 2);
  EXPECT_EQ(d->test[4].data<int64_t>()[0], -100);
}

TEST(Datasets, RejectsBadPlanetoidDirectories) {
  std::string error;
  Dataset d;
  std::string missing = freshDir("graph-missing");
  writeGraph(missing);
  fs::remove(missing + "/val_idx.npy");
  EXPECT_FALSE(loadPlanetoid(missing, d, error));
  EXPECT_EQ(error, "'" + missing +
                       "': no val_idx.npy (a Planetoid directory holds "
                       "features_indptr, features_indices, features_values, "
                       "labels, edge_index, train_idx, val_idx and test_idx, "
                       "as .npy)");

  std::string unlabelled = freshDir("graph-unlabelled");
  writeGraph(unlabelled);
  ASSERT_TRUE(writeNpy(unlabelled + "/test_idx.npy",
                       array(DType::I64, {1}, {3}), error));
  EXPECT_FALSE(loadPlanetoid(unlabelled, d, error));
  EXPECT_EQ(error, "'" + unlabelled +
                       "/test_idx.npy': node 3 has no label (labels.npy "
                       "holds -1)");

  std::string edges = freshDir("graph-edges");
  writeGraph(edges);
  ASSERT_TRUE(writeNpy(edges + "/edge_index.npy",
                       array(DType::I64, {2, 1}, {0, 9}), error));
  EXPECT_FALSE(loadPlanetoid(edges, d, error));
  EXPECT_EQ(error,
            "'" + edges + "/edge_index.npy': node 9 is out of range (4 nodes)");

  std::string ragged = freshDir("graph-indptr");
  writeGraph(ragged);
  ASSERT_TRUE(writeNpy(ragged + "/features_indptr.npy",
                       array(DType::I64, {5}, {0, 3, 2, 4, 4}), error));
  EXPECT_FALSE(loadPlanetoid(ragged, d, error));
  EXPECT_EQ(error, "'" + ragged +
                       "/features_indptr.npy': row 1 spans [3, 2), not "
                       "within [0, 4]");
}
