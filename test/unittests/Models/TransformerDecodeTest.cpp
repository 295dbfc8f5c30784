//===- TransformerDecodeTest.cpp - Decoding with a key/value cache --------===//
//
// The model library's gpt decodes one position a step (@decode, keys and
// values of the earlier positions kept in caches): fed a sequence token by
// token, its logits at every position must be the full-context forward's
// (@predict) at that position, at 1.58 and 32 bits (and with RMSNorm,
// SwiGLU and a tied head; with rotary positions; with BitNet b1.58 2B4T's
// grouped-query attention, RMSNorm and gated ReLU^2), for a batch of two
// sequences, through the whole compiled pipeline. A prompt's prefill step
// (@prefill: the prompt at once, padded with other tokens) must give the
// logits of its last position and caches from which @decode goes on with
// the full forward's logits.
//
//===----------------------------------------------------------------------===//

#include "GradCheck.h"

#include "ternary/Models/Models.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"

using namespace ternary_test;

namespace {

struct DecodeVariant {
  bool ternary, rmsNorm, tieEmbeddings;
  const char *activation;
  bool rotary = false;
  int64_t kvHeads = 0; ///< 0: one a head
  const char *name = "";
};

class TransformerDecode : public GradCheck,
                          public ::testing::WithParamInterface<DecodeVariant> {
protected:
  static constexpr int64_t vocabulary = 9, context = 8, batch = 2, depth = 2,
                           width = 16, heads = 4;

  /// The caches' width: the key/value heads'.
  int64_t cacheWidth() const {
    int64_t kv = GetParam().kvHeads ? GetParam().kvHeads : heads;
    return width / heads * kv;
  }

  /// Builds and compiles the gpt of the variant, draws its parameters and
  /// the token ids, and runs the full forward (`expected`).
  void SetUp() override {
    models::ModelConfig config;
    config.architecture = "gpt";
    config.ternary = GetParam().ternary;
    config.rmsNorm = GetParam().rmsNorm;
    config.tieEmbeddings = GetParam().tieEmbeddings;
    config.activation = GetParam().activation;
    config.rotary = GetParam().rotary;
    config.depth = depth;
    config.width = width;
    config.heads = heads;
    config.kvHeads = GetParam().kvHeads;
    config.context = context;
    models::DataShape shape{{context},
                            vocabulary,
                            ::ternary::data::DatasetKind::Corpus,
                            vocabulary};
    MLIRContext mlirContext(jit.dialects());
    auto module = models::buildModel(mlirContext, config, shape);
    ASSERT_TRUE(bool(module)) << llvm::toString(module.takeError());
    auto predict = (**module).lookupSymbol<func::FuncOp>("predict");
    std::vector<std::vector<int64_t>> paramShapes;
    for (Type t : predict.getArgumentTypes().drop_front()) {
      auto type = cast<RankedTensorType>(t);
      paramShapes.emplace_back(type.getShape().begin(), type.getShape().end());
    }
    std::string text;
    llvm::raw_string_ostream os(text);
    (**module).print(os);
    compiled = compile(text);
    ASSERT_TRUE(compiled);

    std::mt19937 rng(5);
    std::normal_distribution<float> normal(0.f, 0.5f);
    for (const std::vector<int64_t> &s : paramShapes) {
      HostArray p = HostArray::zeros(DType::F32, s);
      for (int64_t e = 0; e < p.numElements(); ++e)
        p.data<float>()[e] = normal(rng) + (s.size() == 1 ? 1.0f : 0.0f);
      params.push_back(std::move(p));
    }
    ids = HostArray::zeros(DType::I64, {batch, context});
    std::uniform_int_distribution<int64_t> token(0, vocabulary - 1);
    for (int64_t i = 0; i < ids.numElements(); ++i)
      ids.data<int64_t>()[i] = token(rng);

    std::vector<HostArray> args = {ids};
    args.insert(args.end(), params.begin(), params.end());
    auto full = compiled->call("predict", args);
    ASSERT_TRUE(bool(full)) << llvm::toString(full.takeError());
    expected = (*full)[0]; // [batch * context, vocabulary]
  }

  /// `logits` [batch, vocabulary] against the full forward's at position p.
  void expectLogitsAt(const HostArray &logits, int64_t p) {
    ASSERT_EQ(logits.shape, (std::vector<int64_t>{batch, vocabulary}));
    for (int64_t n = 0; n < batch; ++n)
      for (int64_t v = 0; v < vocabulary; ++v) {
        float want = expected.data<float>()[(n * context + p) * vocabulary + v];
        float got = logits.data<float>()[n * vocabulary + v];
        EXPECT_NEAR(got, want, 1e-4f * std::fabs(want) + 1e-5f)
            << "sequence " << n << ", position " << p << ", token " << v;
      }
  }

  /// Decoding steps from position `from` to the end, each checked.
  void decodeFrom(int64_t from, HostArray keys, HostArray values) {
    for (int64_t p = from; p < context; ++p) {
      HostArray tokens = HostArray::zeros(DType::I64, {batch});
      for (int64_t n = 0; n < batch; ++n)
        tokens.data<int64_t>()[n] = ids.data<int64_t>()[n * context + p];
      HostArray position = HostArray::zeros(DType::I64, {});
      position.data<int64_t>()[0] = p;
      std::vector<HostArray> step = {tokens, position, keys, values};
      step.insert(step.end(), params.begin(), params.end());
      auto r = compiled->call("decode", step);
      ASSERT_TRUE(bool(r)) << llvm::toString(r.takeError());
      expectLogitsAt((*r)[0], p);
      keys = (*r)[1];
      values = (*r)[2];
    }
  }

  std::unique_ptr<CompiledModule> compiled;
  std::vector<HostArray> params;
  HostArray ids, expected;
};

// One test for both, so that the model compiles once.
TEST_P(TransformerDecode, CachedStepsAndPrefillGiveTheFullForwardsLogits) {
  {
    SCOPED_TRACE("decoding from position 0");
    HostArray keys =
        HostArray::zeros(DType::F32, {depth, batch, context, cacheWidth()});
    decodeFrom(0, keys, keys);
  }
  for (int64_t prompt : {int64_t(1), int64_t(3), context}) {
    SCOPED_TRACE("a prefilled prompt of " + std::to_string(prompt));
    // The prompt, then other tokens up to the context.
    HostArray padded = ids;
    for (int64_t n = 0; n < batch; ++n)
      for (int64_t p = prompt; p < context; ++p)
        padded.data<int64_t>()[n * context + p] =
            (ids.data<int64_t>()[n * context + p] + 1 + p) % vocabulary;
    HostArray last = HostArray::zeros(DType::I64, {});
    last.data<int64_t>()[0] = prompt - 1;
    std::vector<HostArray> args = {padded, last};
    args.insert(args.end(), params.begin(), params.end());
    auto r = compiled->call("prefill", args);
    ASSERT_TRUE(bool(r)) << llvm::toString(r.takeError());
    expectLogitsAt((*r)[0], prompt - 1);
    ASSERT_EQ((*r)[1].shape,
              (std::vector<int64_t>{depth, batch, context, cacheWidth()}));
    decodeFrom(prompt, (*r)[1], (*r)[2]);
  }
}

INSTANTIATE_TEST_SUITE_P(
    Precisions, TransformerDecode,
    ::testing::Values(
        DecodeVariant{true, false, false, "gelu"},
        DecodeVariant{false, false, false, "gelu"},
        DecodeVariant{true, true, true, "swiglu", false, 0,
                      "_RMSNorm_SwiGLU_tied"},
        DecodeVariant{true, false, false, "gelu", true, 0, "_rotary"},
        DecodeVariant{true, true, false, "relu2-glu", true, 2, "_2B4T"},
        DecodeVariant{false, false, false, "gelu", false, 1, "_kv1"}),
    [](const ::testing::TestParamInfo<DecodeVariant> &info) {
      return std::string(info.param.ternary ? "Ternary" : "Float") +
             info.param.name;
    });

} // namespace
