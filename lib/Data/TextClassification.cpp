//===- TextClassification.cpp - Text classification sets (R8, MR) ---------===//
//
// `train.tsv` and `test.tsv`, one document a line, `label<TAB>text`
// (../shared/data/README.md). Documents become bags of words for an
// embedding bag (the WideMLP): the tokenizer lower-cases ASCII letters and
// takes maximal runs of letters, digits and non-ASCII (UTF-8) bytes as
// words; the vocabulary is the training split's words seen at least twice
// (id 0 is padding; words outside it are dropped). A document is its
// distinct words (ids, i64) and their frequencies (count / words kept,
// f32), padded with id 0 and weight 0 to the longest document's distinct
// words; a document of more than kMaxWords distinct words keeps the first
// kMaxWords of them (by first occurrence).
//
//===----------------------------------------------------------------------===//

#include "ternary/Data/Datasets.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <unordered_map>

namespace ternary {
namespace data {

namespace {

constexpr int64_t kMaxWords = 256;
constexpr int64_t kMinCount = 2;

struct Document {
  std::string label;
  std::vector<std::string> words;
};

std::vector<std::string> tokenize(const std::string &text) {
  std::vector<std::string> words;
  std::string word;
  for (char c : text) {
    unsigned char u = static_cast<unsigned char>(c);
    if ((u >= 'a' && u <= 'z') || (u >= '0' && u <= '9') || u >= 0x80) {
      word += c;
    } else if (u >= 'A' && u <= 'Z') {
      word += char(u - 'A' + 'a');
    } else if (!word.empty()) {
      words.push_back(std::move(word));
      word.clear();
    }
  }
  if (!word.empty())
    words.push_back(std::move(word));
  return words;
}

bool readTsv(const std::string &path, std::vector<Document> &docs,
             std::string &error) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    error = "'" + path + "': cannot be read";
    return false;
  }
  std::string line;
  for (int64_t number = 1; std::getline(in, line); ++number) {
    if (!line.empty() && line.back() == '\r')
      line.pop_back();
    if (line.empty())
      continue;
    size_t tab = line.find('\t');
    if (tab == std::string::npos) {
      error = "'" + path + "' line " + std::to_string(number) +
              ": no tab between the label and the text";
      return false;
    }
    if (tab == 0) {
      error =
          "'" + path + "' line " + std::to_string(number) + ": an empty label";
      return false;
    }
    docs.push_back({line.substr(0, tab), tokenize(line.substr(tab + 1))});
  }
  if (docs.empty()) {
    error = "'" + path + "': no documents";
    return false;
  }
  return true;
}

} // namespace

bool loadTextClassification(const std::string &dir, Dataset &out,
                            std::string &error) {
  namespace fs = std::filesystem;
  std::vector<Document> train, test;
  std::string trainPath = (fs::path(dir) / "train.tsv").string();
  std::string testPath = (fs::path(dir) / "test.tsv").string();
  for (const std::string &p : {trainPath, testPath})
    if (!fs::is_regular_file(p)) {
      error = "'" + dir + "': no " + fs::path(p).filename().string() +
              " (a text classification set holds train.tsv and test.tsv, "
              "label<TAB>text a line)";
      return false;
    }
  if (!readTsv(trainPath, train, error) || !readTsv(testPath, test, error))
    return false;

  // Classes: the training labels, sorted; vocabulary: words seen twice.
  std::map<std::string, int64_t> classes;
  std::unordered_map<std::string, int64_t> counts;
  for (const Document &d : train) {
    classes[d.label] = 0;
    for (const std::string &w : d.words)
      ++counts[w];
  }
  if (classes.size() < 2) {
    error = "'" + trainPath + "': " + std::to_string(classes.size()) +
            " label; a classifier needs at least 2";
    return false;
  }
  int64_t next = 0;
  for (auto &entry : classes)
    entry.second = next++;
  std::vector<std::string> vocabulary;
  for (const auto &[word, count] : counts)
    if (count >= kMinCount)
      vocabulary.push_back(word);
  std::sort(vocabulary.begin(), vocabulary.end());
  std::unordered_map<std::string, int64_t> ids;
  for (size_t i = 0; i < vocabulary.size(); ++i)
    ids[vocabulary[i]] = int64_t(i) + 1; // 0: padding

  // Each document's distinct known words and their frequencies.
  auto bags = [&](const std::vector<Document> &docs) {
    std::vector<std::vector<std::pair<int64_t, float>>> out;
    for (const Document &d : docs) {
      std::vector<std::pair<int64_t, float>> bag;
      std::unordered_map<int64_t, size_t> at;
      int64_t kept = 0;
      for (const std::string &w : d.words) {
        auto id = ids.find(w);
        if (id == ids.end())
          continue;
        auto slot = at.find(id->second);
        if (slot == at.end()) {
          if (int64_t(bag.size()) == kMaxWords)
            continue; // a word beyond the first kMaxWords distinct ones
          slot = at.emplace(id->second, bag.size()).first;
          bag.push_back({id->second, 0.0f});
        }
        bag[slot->second].second += 1.0f;
        ++kept;
      }
      for (auto &entry : bag)
        entry.second /= float(kept);
      out.push_back(std::move(bag));
    }
    return out;
  };
  auto trainBags = bags(train), testBags = bags(test);
  int64_t width = 1;
  for (const auto *set : {&trainBags, &testBags})
    for (const auto &bag : *set)
      width = std::max<int64_t>(width, bag.size());

  auto arrays =
      [&](const std::vector<Document> &docs,
          const std::vector<std::vector<std::pair<int64_t, float>>> &bagsOf,
          const std::string &path, std::vector<HostArray> &split) {
        int64_t n = docs.size();
        HostArray idsArray = HostArray::zeros(DType::I64, {n, width});
        HostArray weights = HostArray::zeros(DType::F32, {n, width});
        HostArray labels = HostArray::zeros(DType::I64, {n});
        for (int64_t i = 0; i < n; ++i) {
          auto label = classes.find(docs[i].label);
          if (label == classes.end()) {
            error = "'" + path + "': label '" + docs[i].label +
                    "' of document " + std::to_string(i + 1) +
                    " does not occur in train.tsv";
            return false;
          }
          labels.data<int64_t>()[i] = label->second;
          for (size_t k = 0; k < bagsOf[i].size(); ++k) {
            idsArray.data<int64_t>()[i * width + k] = bagsOf[i][k].first;
            weights.data<float>()[i * width + k] = bagsOf[i][k].second;
          }
        }
        split = {std::move(idsArray), std::move(weights), std::move(labels)};
        return true;
      };
  out = Dataset();
  if (!arrays(train, trainBags, trainPath, out.train) ||
      !arrays(test, testBags, testPath, out.test))
    return false;
  out.name = dir;
  out.kind = DatasetKind::Text;
  out.classes = classes.size();
  out.vocabulary = vocabulary.size() + 1;
  out.exampleShape = {width};
  return true;
}

} // namespace data
} // namespace ternary
