//===- GroupedQueryAttentionTest.cpp - Grouped-query attention by definition =//
//
// Grouped-query attention (--kv-heads) is multi-head attention whose query
// heads h of one group g = h / (heads / kvHeads) share the key and value
// head g. So a gpt with kvHeads key/value heads must give the logits of the
// same gpt with one key/value head a query head whose K and V weights repeat
// each group's rows for every head of the group: at 1.58 bits too, since a
// matrix whose rows repeat, each as often, keeps its absmean scale. Checked
// on BitNet b1.58 2B4T's block (RMSNorm, rotary positions, gated ReLU^2)
// for 2 groups of 2 heads and 1 group of 4, through the compiled @predict.
//
//===----------------------------------------------------------------------===//

#include "GradCheck.h"

#include "ternary/Models/Models.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"

using namespace ternary_test;

namespace {

class GroupedQueryAttention : public GradCheck,
                              public ::testing::WithParamInterface<int64_t> {
protected:
  static constexpr int64_t vocabulary = 9, context = 8, batch = 2, width = 16,
                           heads = 4;

  /// The compiled gpt with `kvHeads` key/value heads and the shapes of the
  /// parameters of its @predict.
  std::unique_ptr<CompiledModule>
  build(int64_t kvHeads, std::vector<std::vector<int64_t>> &shapes) {
    models::ModelConfig config;
    config.architecture = "gpt";
    config.ternary = true;
    config.rmsNorm = true;
    config.rotary = true;
    config.activation = "relu2-glu";
    config.depth = 2;
    config.width = width;
    config.heads = heads;
    config.kvHeads = kvHeads;
    config.context = context;
    models::DataShape shape{{context},
                            vocabulary,
                            ::ternary::data::DatasetKind::Corpus,
                            vocabulary};
    MLIRContext mlirContext(jit.dialects());
    auto module = models::buildModel(mlirContext, config, shape);
    if (!module) {
      ADD_FAILURE() << llvm::toString(module.takeError());
      return nullptr;
    }
    auto predict = (**module).lookupSymbol<func::FuncOp>("predict");
    for (Type t : predict.getArgumentTypes().drop_front()) {
      auto type = cast<RankedTensorType>(t);
      shapes.emplace_back(type.getShape().begin(), type.getShape().end());
    }
    std::string text;
    llvm::raw_string_ostream os(text);
    (**module).print(os);
    return compile(text);
  }
};

TEST_P(GroupedQueryAttention, IsMultiHeadAttentionWithRepeatedKeyValueHeads) {
  const int64_t kvHeads = GetParam(), perGroup = heads / kvHeads,
                headWidth = width / heads;
  std::vector<std::vector<int64_t>> groupedShapes, fullShapes;
  std::unique_ptr<CompiledModule> grouped = build(kvHeads, groupedShapes);
  std::unique_ptr<CompiledModule> full = build(heads, fullShapes);
  ASSERT_TRUE(grouped && full);
  ASSERT_EQ(groupedShapes.size(), fullShapes.size());

  std::mt19937 rng(11);
  std::normal_distribution<float> normal(0.f, 0.5f);
  HostArray ids = HostArray::zeros(DType::I64, {batch, context});
  std::uniform_int_distribution<int64_t> token(0, vocabulary - 1);
  for (int64_t i = 0; i < ids.numElements(); ++i)
    ids.data<int64_t>()[i] = token(rng);
  std::vector<HostArray> groupedArgs = {ids}, fullArgs = {ids};
  int64_t repeated = 0;
  for (size_t i = 0; i < groupedShapes.size(); ++i) {
    HostArray p = HostArray::zeros(DType::F32, groupedShapes[i]);
    for (int64_t e = 0; e < p.numElements(); ++e)
      p.data<float>()[e] =
          normal(rng) + (groupedShapes[i].size() == 1 ? 1.0f : 0.0f);
    groupedArgs.push_back(p);
    if (groupedShapes[i] == fullShapes[i]) {
      fullArgs.push_back(p);
      continue;
    }
    // K or V: [kvHeads * E, D] -> [heads * E, D], head h the rows of its
    // group h / perGroup.
    ASSERT_EQ(groupedShapes[i],
              (std::vector<int64_t>{kvHeads * headWidth, width}));
    ASSERT_EQ(fullShapes[i], (std::vector<int64_t>{width, width}));
    HostArray r = HostArray::zeros(DType::F32, fullShapes[i]);
    for (int64_t h = 0; h < heads; ++h)
      for (int64_t e = 0; e < headWidth * width; ++e)
        r.data<float>()[h * headWidth * width + e] =
            p.data<float>()[(h / perGroup) * headWidth * width + e];
    fullArgs.push_back(std::move(r));
    ++repeated;
  }
  EXPECT_EQ(repeated, 4) << "K and V of each of the 2 blocks";

  auto want = full->call("predict", fullArgs);
  ASSERT_TRUE(bool(want)) << llvm::toString(want.takeError());
  auto got = grouped->call("predict", groupedArgs);
  ASSERT_TRUE(bool(got)) << llvm::toString(got.takeError());
  const HostArray &w = (*want)[0], &g = (*got)[0];
  ASSERT_EQ(g.shape, (std::vector<int64_t>{batch * context, vocabulary}));
  ASSERT_EQ(g.shape, w.shape);
  for (int64_t e = 0; e < g.numElements(); ++e) {
    float a = g.data<float>()[e], b = w.data<float>()[e];
    EXPECT_NEAR(a, b, 1e-4f * std::fabs(b) + 1e-5f)
        << "position " << e / vocabulary << ", token " << e % vocabulary;
  }
}

INSTANTIATE_TEST_SUITE_P(KeyValueHeads, GroupedQueryAttention,
                         ::testing::Values(int64_t(2), int64_t(1)));

} // namespace
