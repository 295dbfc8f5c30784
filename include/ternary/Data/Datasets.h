//===- Datasets.h - The papers' data sets, loaded into host arrays -*- C++ -*-//
//
// Loaders of the data sets the model library's architectures train on,
// plain C++ (no MLIR): each returns the arrays a model's data arguments
// take, split by split, or an error that names the file and what is wrong
// with it. Nothing here aborts on bad input.
//
//   std::string error;
//   std::optional<Dataset> mnist = loadDataset("mnist", error);
//
// Layouts (docs/models.md says where each set comes from):
// - images (`mnist`, `fashion-mnist`, any directory of the four IDX files,
//   plain or gzip; `cifar10` and any JPEG image folder, also as .tar.gz):
//   x f32 [N, C, H, W] normalised with the set's mean and deviation, labels
//   i64 [N];
// - graphs (any Planetoid `.npy` directory): the whole graph in every split,
//   x f32 [N, F] (row-normalised bag of words), the normalised adjacency
//   with self loops D^-1/2 (A + I) D^-1/2 as CSR (indptr, indices i64,
//   values f32), and labels i64 [N] of the split's nodes (-100 elsewhere);
// - text (`train.tsv`/`test.tsv`): bags of words, ids i64 [N, L] and
//   frequencies f32 [N, L], labels i64 [N];
// - corpora (a text file, a directory of .txt files, `tinyshakespeare`,
//   `moby-dick`): token streams cut into examples of `context` tokens,
//   ids i64 [N, T] and the next tokens i64 [N, T]; for masked language
//   modelling masked ids, the attention mask (1: token, 0: padding) and
//   the labels, i64 [N, T]; for span corruption the encoder's ids
//   [N, inputs], the decoder's ids and the labels [N, targets]
//   (Objectives.h, docs/text.md).
//
//===----------------------------------------------------------------------===//

#ifndef TERNARY_DATA_DATASETS_H
#define TERNARY_DATA_DATASETS_H

#include "ternary/Data/Objectives.h"
#include "ternary/Support/Npy.h"
#include "ternary/Text/Tokenizers.h"

#include <memory>

#include <optional>
#include <string>
#include <vector>

namespace ternary {
namespace data {

/// What kind of examples a data set holds; it decides the data arguments of
/// the models that take it.
enum class DatasetKind { Images, Graph, Text, Corpus };

/// A classification data set, split by split. Each split's `arrays` are
/// the data arguments of a model's loss, in order: {x, labels} for images,
/// {x, indptr, indices, values, labels} for a graph, {ids, weights, labels}
/// for text, {ids, next ids} for a corpus ({ids, attention mask, labels}
/// for masked LM, {encoder ids, decoder ids, labels} for span corruption).
struct Dataset {
  std::string name; ///< what it was loaded as ("mnist", a directory)
  DatasetKind kind = DatasetKind::Images;
  int64_t classes = 0;
  /// The shape of one example: {C, H, W} for images, {F} for a graph's
  /// node features, {L} (words a document) for text.
  std::vector<int64_t> exampleShape;
  /// Text: the vocabulary's size, padding id 0 included; a corpus: the
  /// tokenizer's.
  int64_t vocabulary = 0;
  /// A corpus: its tokenizer (`char`, `gpt2`, `bert`), and the bytes and
  /// tokens of its held-out (validation) text (nats a token to nats a
  /// byte).
  std::string tokenizer;
  int64_t heldOutBytes = 0, heldOutTokens = 0;
  /// A corpus: the tokenizer itself (text to ids and back, for generation).
  std::shared_ptr<const text::Tokenizer> textTokenizer;
  /// A corpus read for masked language modelling: the id of its mask token
  /// ([MASK], or one past the tokenizer's ids when it has none); -1
  /// otherwise.
  int64_t maskId = -1;
  /// Masked LM: the id that pads the last example ([PAD], or one more id).
  int64_t padId = -1;
  /// Span corruption: the first sentinel's id (one past the tokenizer's;
  /// the others follow it) and the decoder's start id (after the last
  /// sentinel, the last id).
  int64_t firstSentinel = -1, decoderStart = -1;
  std::vector<HostArray> train, validation, test;
  /// Whether a split is one whole graph (a step takes all of it).
  bool fullBatch() const { return kind == DatasetKind::Graph; }
  bool hasValidation() const { return !validation.empty(); }
};

/// Reads an IDX file (MNIST's format; gzip-compressed or plain, told apart
/// by its first bytes) of unsigned bytes into a U8 array of its shape.
bool readIdx(const std::string &path, HostArray &out, std::string &error);

/// MNIST-like images from a directory with train-images-idx3-ubyte,
/// train-labels-idx1-ubyte, t10k-images-idx3-ubyte and
/// t10k-labels-idx1-ubyte (each also as .gz), normalised as
/// (pixel / 255 - mean) / deviation; labels must lie in [0, 10).
bool loadIdxImages(const std::string &dir, float mean, float deviation,
                   Dataset &out, std::string &error);

/// An image folder (`train/<class>/*.jpg`, `test/<class>/*.jpg`, the
/// classes the training split's folder names in sorted order) from a
/// directory, a .tar.gz of that layout, or a directory holding one such
/// archive; RGB images of one size, normalised per channel as
/// (value / 255 - mean[c]) / deviation[c]: x f32 [N, 3, H, W].
bool loadImageFolder(const std::string &path, const float mean[3],
                     const float deviation[3], Dataset &out,
                     std::string &error);

/// A Planetoid graph directory (../shared/data/README.md: features_indptr,
/// features_indices, features_values, labels, edge_index, train_idx,
/// val_idx, test_idx, all .npy). Node labels must lie in [0, C) where
/// they are used by a split (-1: no label); C is the largest label + 1.
bool loadPlanetoid(const std::string &dir, Dataset &out, std::string &error);

/// A text classification directory (`train.tsv`, `test.tsv`,
/// `label<TAB>text` a line): documents as bags of the training split's
/// words (lower-cased runs of letters and digits seen at least twice):
/// ids i64 [N, L] (0: padding) and frequencies f32 [N, L] of each
/// document's distinct words (at most 256), labels i64 [N] (the training
/// labels in sorted order).
bool loadTextClassification(const std::string &dir, Dataset &out,
                            std::string &error);

/// How a corpus is read: its tokenizer and the tokens an example holds.
struct LoadOptions {
  std::string tokenizer = "char"; ///< char, gpt2, bert (docs/text.md)
  std::string vocabulary;         ///< gpt2/bert: where its files are
  int64_t context = 256;
  /// What a corpus's labels are: "next" (the next token of every
  /// position), "mlm" (masked language modelling: maskForMlm) or "span"
  /// (span corruption: spanCorruptionExamples).
  std::string objective = "next";
};

/// A corpus: the text of a file, or of a directory's .txt files (sorted by
/// name, joined by newlines; `train.txt` with `val.txt`, `valid.txt` or
/// `test.txt` give the split), split 90/10 by characters otherwise;
/// tokenized (`char`: the vocabulary of the training part) and cut into
/// consecutive examples of `context` tokens and the tokens after them
/// (objective "next"), or their masked copies, attention masks and labels
/// (objective "mlm": the last example padded, maskForMlm with seed 1 for
/// training, 2 for validation, drawn once), or their span corruption
/// (objective "span": spanCorruptionExamples, seeds 1 and 2), as `train`
/// and `validation` (no `test`).
bool loadCorpus(const std::string &path, const LoadOptions &options,
                const std::string &toolDir, Dataset &out, std::string &error);

/// The directory a data set name stands for, or "" when `name` is not one
/// (a directory is then expected). `mnist`: $TERNARY_DATA_DIR/mnist, else
/// the setup's copy beside the tools (`<build>/data/mnist/idx`);
/// `fashion-mnist`: $TERNARY_DATA_DIR/fashion-mnist, else Debian's
/// /usr/share/datasets/fashion-mnist; `cifar10`: $TERNARY_DATA_DIR/cifar10,
/// else `<build>/data/cifar10` (the setup links ../shared/data/cifar10
/// there). `toolDir` is the running tool's directory.
std::string datasetDirectory(const std::string &name,
                             const std::string &toolDir);

/// The directory of the running executable (/proc/self/exe), which
/// `datasetDirectory` and `loadDataset` take as `toolDir`.
std::string runningToolDirectory();

/// A data set by name (`mnist`, `fashion-mnist`, `cifar10`) or path (IDX
/// images, a Planetoid graph, a JPEG image folder or its .tar.gz,
/// recognised by their files).
std::optional<Dataset> loadDataset(const std::string &nameOrDir,
                                   const std::string &toolDir,
                                   std::string &error);
/// The same, a corpus (`tinyshakespeare`, `moby-dick`, a text file or a
/// directory of .txt files) read as `options` say.
std::optional<Dataset> loadDataset(const std::string &nameOrDir,
                                   const std::string &toolDir,
                                   const LoadOptions &options,
                                   std::string &error);

/// The names `loadDataset` knows, for help texts and errors.
const char *knownDatasetNames();

} // namespace data
} // namespace ternary

#endif // TERNARY_DATA_DATASETS_H
