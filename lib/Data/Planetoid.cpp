//===- Planetoid.cpp - Planetoid citation graphs (Cora, CiteSeer, PubMed) -===//
//
// The `.npy` directory format of ../shared/data/planetoid: sparse
// bag-of-words features, labels, directed edges and the standard split.
// Prepared as GCN does (Kipf and Welling): features row-normalised, the
// adjacency with self loops normalised symmetrically. The same arrays as
// scripts/prepare_cora.py writes, so the results are comparable.
//
//===----------------------------------------------------------------------===//

#include "ternary/Data/Datasets.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <numeric>

namespace ternary {
namespace data {

namespace {

const char *const kPlanetoidFiles[] = {
    "features_indptr", "features_indices", "features_values", "labels",
    "edge_index",      "train_idx",        "val_idx",         "test_idx"};

/// Element `i` of an integer array (I32 or I64).
int64_t intAt(const HostArray &a, int64_t i) {
  return a.dtype == DType::I32 ? a.data<int32_t>()[i] : a.data<int64_t>()[i];
}

} // namespace

bool loadPlanetoid(const std::string &dir, Dataset &out, std::string &error) {
  namespace fs = std::filesystem;
  std::vector<HostArray> a(std::size(kPlanetoidFiles));
  for (size_t i = 0; i < a.size(); ++i) {
    std::string path = (fs::path(dir) / kPlanetoidFiles[i]).string() + ".npy";
    if (!fs::is_regular_file(path)) {
      error = "'" + dir + "': no " + kPlanetoidFiles[i] +
              ".npy (a Planetoid directory holds features_indptr, "
              "features_indices, features_values, labels, edge_index, "
              "train_idx, val_idx and test_idx, as .npy)";
      return false;
    }
    if (!readNpy(path, a[i], error))
      return false;
  }
  const HostArray &indptr = a[0], &indices = a[1], &values = a[2],
                  &labels = a[3], &edges = a[4];
  auto bad = [&](const char *file, const std::string &what) {
    error = "'" + (fs::path(dir) / file).string() + ".npy': " + what;
    return false;
  };
  auto isInt = [](const HostArray &x) {
    return x.dtype == DType::I32 || x.dtype == DType::I64;
  };
  if (labels.shape.size() != 1 || !isInt(labels))
    return bad("labels", "must be a 1-D integer array, got " +
                             std::string(dtypeName(labels.dtype)) + " " +
                             labels.shapeString());
  int64_t n = labels.shape[0];
  if (indptr.shape.size() != 1 || !isInt(indptr) || indptr.shape[0] != n + 1)
    return bad("features_indptr", "must be " + std::to_string(n + 1) +
                                      " integers (nodes + 1), got " +
                                      indptr.shapeString());
  int64_t nnz = intAt(indptr, n);
  if (indices.shape.size() != 1 || !isInt(indices) || indices.shape[0] != nnz)
    return bad("features_indices", "must be " + std::to_string(nnz) +
                                       " integers (features_indptr's last), "
                                       "got " +
                                       indices.shapeString());
  if (values.shape != indices.shape || values.dtype != DType::F32)
    return bad("features_values", "must be " + std::to_string(nnz) +
                                      " float32 values, got " +
                                      std::string(dtypeName(values.dtype)) +
                                      " " + values.shapeString());
  int64_t features = 0;
  for (int64_t r = 0; r < n; ++r) {
    int64_t begin = intAt(indptr, r), end = intAt(indptr, r + 1);
    if (begin < 0 || end < begin || end > nnz)
      return bad("features_indptr",
                 "row " + std::to_string(r) + " spans [" +
                     std::to_string(begin) + ", " + std::to_string(end) +
                     "), not within [0, " + std::to_string(nnz) + "]");
  }
  for (int64_t e = 0; e < nnz; ++e) {
    int64_t c = intAt(indices, e);
    if (c < 0)
      return bad("features_indices", "negative column " + std::to_string(c));
    features = std::max(features, c + 1);
  }
  if (edges.shape.size() != 2 || edges.shape[0] != 2 || !isInt(edges))
    return bad("edge_index",
               "must be integers of shape [2, E], got " + edges.shapeString());
  int64_t numEdges = edges.shape[1];
  for (int64_t e = 0; e < 2 * numEdges; ++e)
    if (int64_t v = intAt(edges, e); v < 0 || v >= n)
      return bad("edge_index", "node " + std::to_string(v) +
                                   " is out of range (" + std::to_string(n) +
                                   " nodes)");

  // Classes: the largest label + 1; every node of a split needs a label.
  int64_t classes = 0;
  for (int64_t i = 0; i < n; ++i)
    classes = std::max(classes, intAt(labels, i) + 1);
  std::vector<HostArray> splitLabels;
  for (size_t s = 0; s < 3; ++s) {
    const HostArray &idx = a[5 + s];
    const char *file = kPlanetoidFiles[5 + s];
    if (idx.shape.size() != 1 || !isInt(idx))
      return bad(file, "must be a 1-D integer array, got " + idx.shapeString());
    HostArray y = HostArray::zeros(DType::I64, {n});
    std::fill_n(y.data<int64_t>(), n, -100);
    for (int64_t k = 0; k < idx.shape[0]; ++k) {
      int64_t node = intAt(idx, k);
      if (node < 0 || node >= n)
        return bad(file, "node " + std::to_string(node) + " is out of range (" +
                             std::to_string(n) + " nodes)");
      int64_t label = intAt(labels, node);
      if (label < 0)
        return bad(file, "node " + std::to_string(node) +
                             " has no label (labels.npy holds " +
                             std::to_string(label) + ")");
      y.data<int64_t>()[node] = label;
    }
    splitLabels.push_back(std::move(y));
  }
  if (a[5].shape[0] == 0)
    return bad("train_idx", "the training split is empty");

  // Features: dense rows, each divided by its sum (rows summing to 0 stay).
  HostArray x = HostArray::zeros(DType::F32, {n, features});
  for (int64_t r = 0; r < n; ++r) {
    float *row = x.data<float>() + r * features;
    for (int64_t e = intAt(indptr, r); e < intAt(indptr, r + 1); ++e)
      row[intAt(indices, e)] = values.data<float>()[e];
    float sum = 0;
    for (int64_t c = 0; c < features; ++c)
      sum += row[c];
    if (sum != 0)
      for (int64_t c = 0; c < features; ++c)
        row[c] /= sum;
  }

  // Adjacency: the edges without self loops, then one self loop a node;
  // weight 1 / sqrt(deg(r) deg(c)), rows sorted, columns sorted in a row.
  std::vector<std::pair<int64_t, int64_t>> entries;
  entries.reserve(numEdges + n);
  for (int64_t e = 0; e < numEdges; ++e)
    if (int64_t r = intAt(edges, e), c = intAt(edges, numEdges + e); r != c)
      entries.push_back({r, c});
  for (int64_t i = 0; i < n; ++i)
    entries.push_back({i, i});
  std::stable_sort(entries.begin(), entries.end());
  std::vector<double> degree(n, 0.0);
  for (auto [r, c] : entries)
    degree[r] += 1;
  int64_t m = entries.size();
  HostArray adjIndptr = HostArray::zeros(DType::I64, {n + 1});
  HostArray adjIndices = HostArray::zeros(DType::I64, {m});
  HostArray adjValues = HostArray::zeros(DType::F32, {m});
  for (int64_t e = 0; e < m; ++e) {
    auto [r, c] = entries[e];
    adjIndptr.data<int64_t>()[r + 1] += 1;
    adjIndices.data<int64_t>()[e] = c;
    adjValues.data<float>()[e] =
        static_cast<float>(1.0 / std::sqrt(degree[r] * degree[c]));
  }
  std::partial_sum(adjIndptr.data<int64_t>(), adjIndptr.data<int64_t>() + n + 1,
                   adjIndptr.data<int64_t>());

  out = Dataset();
  out.name = dir;
  out.kind = DatasetKind::Graph;
  out.classes = classes;
  out.exampleShape = {features};
  std::vector<HostArray> graph = {x, adjIndptr, adjIndices, adjValues};
  for (size_t s = 0; s < 3; ++s) {
    std::vector<HostArray> split = graph;
    split.push_back(std::move(splitLabels[s]));
    (s == 0   ? out.train
     : s == 1 ? out.validation
              : out.test) = std::move(split);
  }
  return true;
}

} // namespace data
} // namespace ternary
