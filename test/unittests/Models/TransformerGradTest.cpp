//===- TransformerGradTest.cpp - The language models' gradients -----------===//
//
// The model library's `gpt`, `bert` and `t5`, built at 32 bits with small
// sizes, their @loss given a `ternary.gradient` request for every
// parameter, JIT-compiled: the derived gradients of the whole composition
// (embeddings and positions, or rotary positions, LayerNorm or RMSNorm,
// causal or bidirectional multi-head or grouped-query attention, the
// padding mask of `bert`, the cross-attention of `t5`, GELU, ReLU^2, SwiGLU
// or gated ReLU^2, the residual
// stream, the head (or the token table, tied), cross-entropy over the
// labelled positions) against central finite differences (GradCheck.h).
//
//===----------------------------------------------------------------------===//

#include "GradCheck.h"

#include "ternary/Models/Models.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"

#include <algorithm>

using namespace ternary_test;

namespace {

struct Variant {
  bool rmsNorm;
  const char *activation;
  bool tieEmbeddings;
  bool rotary = false;
  const char *architecture = "gpt";
  int64_t kvHeads = 0; ///< 0: one a head
};

class TransformerGrad : public GradCheck,
                        public ::testing::WithParamInterface<Variant> {};

TEST_P(TransformerGrad, EveryParameterMatchesFiniteDifferences) {
  const int64_t vocabulary = 7, positions = 4, batch = 2;
  models::ModelConfig config;
  config.architecture = GetParam().architecture;
  config.ternary = false;
  config.depth = 2;
  config.width = 8;
  config.heads = 2;
  config.kvHeads = GetParam().kvHeads;
  config.context = positions;
  config.rmsNorm = GetParam().rmsNorm;
  config.activation = GetParam().activation;
  config.tieEmbeddings = GetParam().tieEmbeddings;
  config.rotary = GetParam().rotary;
  models::DataShape shape{{positions},
                          vocabulary,
                          ::ternary::data::DatasetKind::Corpus,
                          vocabulary};
  MLIRContext mlirContext(jit.dialects());
  auto module = models::buildModel(mlirContext, config, shape);
  ASSERT_TRUE(bool(module)) << llvm::toString(module.takeError());

  // @loss(data..., labels, params...): ask for the gradients of the
  // params (the arguments with a name).
  auto loss = (**module).lookupSymbol<func::FuncOp>("loss");
  ASSERT_TRUE(loss);
  loss->removeAttr("ternary.train_step");
  unsigned firstParam = 0;
  while (!loss.getArgAttr(firstParam, "ternary.name"))
    ++firstParam;
  SmallVector<int64_t> wrt;
  for (unsigned i = firstParam; i < loss.getNumArguments(); ++i)
    wrt.push_back(i);
  Builder b(&mlirContext);
  loss->setAttr("ternary.gradient",
                b.getDictionaryAttr(
                    {b.getNamedAttr("name", b.getStringAttr("g")),
                     b.getNamedAttr("wrt", b.getDenseI64ArrayAttr(wrt))}));
  std::string text;
  llvm::raw_string_ostream os(text);
  (**module).print(os);
  std::unique_ptr<CompiledModule> compiled = compile(text);
  ASSERT_TRUE(compiled);

  std::mt19937 rng(17);
  // Random tokens in every data argument; bert's attention mask (its
  // second) pads the last two positions of the second example, whose
  // labels are ignored there (and at one more position).
  bool bert = config.architecture == "bert";
  std::vector<HostArray> inputs;
  for (unsigned which = 0; which < firstParam; ++which) {
    auto type = cast<RankedTensorType>(loss.getArgumentTypes()[which]);
    int64_t width = type.getDimSize(1);
    HostArray ids = HostArray::zeros(DType::I64, {batch, width});
    std::uniform_int_distribution<int64_t> token(0, vocabulary - 1);
    for (int64_t i = 0; i < ids.numElements(); ++i) {
      bool padding = i >= 2 * width - 2;
      ids.data<int64_t>()[i] = !bert || which != 1 ? token(rng) : !padding;
      if (bert && which == 2 && (padding || i == 1))
        ids.data<int64_t>()[i] = -100;
    }
    inputs.push_back(std::move(ids));
  }
  std::normal_distribution<float> normal(0.f, 0.5f);
  for (unsigned i = firstParam; i < loss.getNumArguments(); ++i) {
    auto type = cast<RankedTensorType>(loss.getArgumentTypes()[i]);
    HostArray p = HostArray::zeros(
        DType::F32,
        std::vector<int64_t>(type.getShape().begin(), type.getShape().end()));
    for (int64_t e = 0; e < p.numElements(); ++e)
      p.data<float>()[e] = normal(rng) + (type.getRank() == 1 ? 1.0f : 0.0f);
    inputs.push_back(std::move(p));
  }
  std::vector<int64_t> wrtArgs(wrt.begin(), wrt.end());
  // A step of 2e-3: the products of SwiGLU curve the loss enough that a
  // central difference of 1e-2 is 2-3 % off (truncation, not the rule);
  // ReLU^2's derivative is continuous at 0, no kink to skip.
  compareGradients(*compiled, "loss", "g", inputs, wrtArgs, 2e-3);
}

INSTANTIATE_TEST_SUITE_P(
    Norms, TransformerGrad,
    ::testing::Values(Variant{false, "gelu", false},
                      Variant{true, "gelu", false},
                      Variant{false, "relu2", false},
                      Variant{true, "swiglu", true},
                      Variant{false, "gelu", false, /*rotary=*/true},
                      Variant{false, "gelu", false, false, "bert"},
                      Variant{false, "gelu", false, false, "t5"},
                      Variant{true, "swiglu", true, true, "t5"},
                      Variant{true, "relu2-glu", false, true, "gpt", 1},
                      Variant{false, "gelu", false, false, "t5", 1}),
    [](const ::testing::TestParamInfo<Variant> &info) {
      std::string activation = info.param.activation;
      std::replace(activation.begin(), activation.end(), '-', '_');
      return std::string(info.param.architecture) + "_" +
             (info.param.rmsNorm ? "RMSNorm" : "LayerNorm") + "_" + activation +
             (info.param.tieEmbeddings ? "_tied" : "") +
             (info.param.rotary ? "_rotary" : "") +
             (info.param.kvHeads ? "_kv" + std::to_string(info.param.kvHeads)
                                 : "");
    });

} // namespace
