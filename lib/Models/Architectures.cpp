//===- Architectures.cpp - The model library's table of models ------------===//
//
// One row per architecture: its name and data, its default optimiser
// settings, its parameters (names and shapes from the data and the
// configuration) and its forward pass, built from Layers.
//
//===----------------------------------------------------------------------===//

#include "Architectures.h"

#include <cmath>

using namespace mlir;
using namespace mlir::ternary;
using namespace mlir::ternary::models;

int64_t mlir::ternary::models::product(llvm::ArrayRef<int64_t> dims) {
  int64_t p = 1;
  for (int64_t d : dims)
    p *= d;
  return p;
}

namespace {

using Kind = ::ternary::data::DatasetKind;

/// The hidden width of `config` (its width or the default, times the
/// multiplier, at least 1).
int64_t hidden(const ModelConfig &config, int64_t defaultWidth) {
  int64_t width = config.width > 0 ? config.width : defaultWidth;
  return std::max<int64_t>(1, std::llround(width * config.hiddenMult));
}

void linearParams(std::vector<ParamSpec> &specs, const std::string &name,
                  int64_t out, int64_t in) {
  specs.push_back({name + ".weight", {out, in}, ""});
  specs.push_back({name + ".bias", {out}, ""});
}

/// Whether the MLP of `c` is gated (a third projection fc3 multiplies the
/// activation).
bool isGated(const ModelConfig &c) {
  return c.activation == "swiglu" || c.activation == "relu2-glu";
}

/// A language model's parameters, taken in the order of transformerParams,
/// and the pieces its forward pass and decoding step share.
struct ParamWalk {
  const ModelConfig &c;
  ValueRange p;
  size_t next = 0;

  Value tokenTable; ///< the token table as looked up, once taken

  Value take() { return p[next++]; }
  /// The next parameter, an embedding table: its ternary values with
  /// --ternary-embeddings.
  Value takeTable(Layers &l) {
    bool token = next == 0;
    Value t = l.table(take());
    if (token)
      tokenTable = t;
    return t;
  }
  /// The token embedding table (the first parameter) as looked up: a tied
  /// head shares its ternary values rather than computing them again.
  Value table(Layers &l) { return tokenTable ? tokenTable : l.table(p[0]); }
  /// The next attention's Q, K, V and output projections.
  struct Attention {
    Value q, k, v, o;
  };
  Attention attention() { return {take(), take(), take(), take()}; }
  /// The block norm (LayerNorm: gain and bias; RMSNorm: gain).
  Value norm(Layers &l, Value x) {
    Value gain = take();
    Value bias = c.rmsNorm ? Value() : take();
    return l.norm(x, gain, bias, c.rmsNorm);
  }
  /// The MLP half of a block: x + dropout(fc2(act(fc1(norm(x))))), with
  /// SwiGLU: x + dropout(fc2(SiLU(fc1(n)) * fc3(n))), n = norm(x); with
  /// relu2-glu ReLU^2 in place of SiLU.
  Value mlp(Layers &l, Value x, double dropout) {
    Value n = norm(l, x);
    Value w1 = take(), b1 = take();
    Value h = l.linear(n, w1, b1);
    if (isGated(c)) {
      Value w3 = take(), b3 = take();
      Value gate = c.activation == "swiglu" ? l.silu(h) : l.reluSquared(h);
      h = l.multiply(gate, l.linear(n, w3, b3));
    } else {
      h = c.activation == "relu2" ? l.reluSquared(h) : l.gelu(h);
    }
    Value w2 = take(), b2 = take();
    return l.add(x, l.dropout(l.linear(h, w2, b2), dropout));
  }
  /// The final norm and the output head (32-bit unless --ternary-head;
  /// the token table with --tie-embeddings).
  Value head(Layers &l, Value x) {
    x = norm(l, x);
    Value w = c.tieEmbeddings ? table(l) : take();
    if (!c.ternaryHead)
      l.keepFloat(w);
    return l.linear(x, w, Value());
  }
};

/// The gain (and bias, LayerNorm) of the norm `name`.
void normParams(const ModelConfig &c, std::vector<ParamSpec> &specs,
                const std::string &name, int64_t width) {
  specs.push_back({name + ".weight", {width}, "ones"});
  if (!c.rmsNorm)
    specs.push_back({name + ".bias", {width}, "zeros"});
}

/// The Q, K, V and output projections of the attention `name`: K and V
/// give --kv-heads heads of the query heads' width.
void attentionParams(const ModelConfig &c, std::vector<ParamSpec> &specs,
                     const std::string &name, int64_t width) {
  int64_t kvWidth = width / c.heads * c.kvHeads;
  for (const char *p : {"q", "k", "v", "o"}) {
    bool kv = p[0] == 'k' || p[0] == 'v';
    specs.push_back(
        {name + "." + p + ".weight", {kv ? kvWidth : width, width}, ""});
  }
}

/// The MLP half of the block `block` (ParamWalk::mlp), its norm first:
/// --mlp-mult times the model width wide.
void mlpParams(const ModelConfig &c, std::vector<ParamSpec> &specs,
               const std::string &block, const std::string &norm,
               int64_t width) {
  normParams(c, specs, block + "." + norm, width);
  int64_t inner = std::max<int64_t>(1, std::llround(width * c.mlpMult));
  linearParams(specs, block + ".mlp.fc1", inner, width);
  if (isGated(c))
    linearParams(specs, block + ".mlp.fc3", inner, width);
  linearParams(specs, block + ".mlp.fc2", width, inner);
}

/// The final norm and the head (none when tied).
void headParams(const ModelConfig &c, std::vector<ParamSpec> &specs,
                int64_t width, int64_t vocabulary) {
  normParams(c, specs, "norm", width);
  if (!c.tieEmbeddings)
    specs.push_back({"head.weight", {vocabulary, width}, ""});
}

/// A decoder's or encoder's parameters (gpt and bert).
std::vector<ParamSpec> transformerParams(const ModelConfig &c,
                                         const DataShape &d) {
  std::vector<ParamSpec> specs;
  int64_t width = hidden(c, findPreset(c.size)->width),
          vocabulary = d.vocabulary;
  specs.push_back({"tok.weight", {vocabulary, width}, "embedding"});
  if (!c.rotary)
    specs.push_back({"pos.weight", {c.context, width}, "embedding"});
  for (int64_t i = 0; i < c.depth; ++i) {
    std::string block = "blocks." + std::to_string(i);
    normParams(c, specs, block + ".norm1", width);
    attentionParams(c, specs, block + ".attn", width);
    mlpParams(c, specs, block, "norm2", width);
  }
  headParams(c, specs, width, vocabulary);
  return specs;
}

/// A language model's forward pass: the logits of every position. An
/// encoder (bert) takes the attention mask of its padding as data[1].
Forward transformerForward(const ModelConfig &c, bool causal) {
  return [c, causal](Layers &l, ValueRange data, ValueRange p) {
    ParamWalk g{c, p};
    Value ids = data[0], keyMask = data.size() > 1 ? data[1] : Value();
    Value tok = g.takeTable(l), pos = c.rotary ? Value() : g.takeTable(l);
    Value x = l.embedTokens(tok, pos, ids);
    Value batch = l.batchOf(ids);
    for (int64_t i = 0; i < c.depth; ++i) {
      Value h = g.norm(l, x);
      ParamWalk::Attention a = g.attention();
      h = l.selfAttention(h, batch, c.context, c.heads, c.kvHeads, a.q, a.k,
                          a.v, a.o, causal, keyMask);
      x = g.mlp(l, l.add(x, l.dropout(h, *c.dropout)), *c.dropout);
    }
    return g.head(l, x);
  };
}

/// The encoder-decoder's parameters (t5): the token table shared by both
/// halves, learned positions of each (none with rotary positions), the
/// encoder's blocks and final norm, the decoder's blocks (self-attention,
/// cross-attention over the encoder's output, MLP), the final norm and the
/// head.
std::vector<ParamSpec> encoderDecoderParams(const ModelConfig &c,
                                            const DataShape &d) {
  std::vector<ParamSpec> specs;
  int64_t width = hidden(c, findPreset(c.size)->width),
          vocabulary = d.vocabulary;
  ::ternary::data::SpanLengths lengths =
      ::ternary::data::spanLengths(c.context);
  specs.push_back({"tok.weight", {vocabulary, width}, "embedding"});
  if (!c.rotary) {
    specs.push_back(
        {"encoder.pos.weight", {lengths.inputs, width}, "embedding"});
    specs.push_back(
        {"decoder.pos.weight", {lengths.targets, width}, "embedding"});
  }
  for (int64_t i = 0; i < c.depth; ++i) {
    std::string block = "encoder.blocks." + std::to_string(i);
    normParams(c, specs, block + ".norm1", width);
    attentionParams(c, specs, block + ".attn", width);
    mlpParams(c, specs, block, "norm2", width);
  }
  normParams(c, specs, "encoder.norm", width);
  for (int64_t i = 0; i < c.depth; ++i) {
    std::string block = "decoder.blocks." + std::to_string(i);
    normParams(c, specs, block + ".norm1", width);
    attentionParams(c, specs, block + ".attn", width);
    normParams(c, specs, block + ".norm2", width);
    attentionParams(c, specs, block + ".cross", width);
    mlpParams(c, specs, block, "norm3", width);
  }
  headParams(c, specs, width, vocabulary);
  return specs;
}

/// The encoder-decoder's forward pass on (encoder ids, decoder ids): the
/// logits of every decoder position.
Forward encoderDecoderForward(const ModelConfig &c) {
  return [c](Layers &l, ValueRange data, ValueRange p) {
    ParamWalk g{c, p};
    ::ternary::data::SpanLengths lengths =
        ::ternary::data::spanLengths(c.context);
    Value tok = g.takeTable(l);
    Value encoderPos = c.rotary ? Value() : g.takeTable(l);
    Value decoderPos = c.rotary ? Value() : g.takeTable(l);
    Value batch = l.batchOf(data[0]);
    double p0 = *c.dropout;
    Value x = l.embedTokens(tok, encoderPos, data[0]);
    for (int64_t i = 0; i < c.depth; ++i) {
      Value h = g.norm(l, x);
      ParamWalk::Attention a = g.attention();
      h = l.selfAttention(h, batch, lengths.inputs, c.heads, c.kvHeads, a.q,
                          a.k, a.v, a.o,
                          /*causal=*/false);
      x = g.mlp(l, l.add(x, l.dropout(h, p0)), p0);
    }
    Value memory = g.norm(l, x);
    Value y = l.embedTokens(tok, decoderPos, data[1]);
    for (int64_t i = 0; i < c.depth; ++i) {
      Value h = g.norm(l, y);
      ParamWalk::Attention self = g.attention();
      h = l.selfAttention(h, batch, lengths.targets, c.heads, c.kvHeads, self.q,
                          self.k, self.v, self.o, /*causal=*/true);
      y = l.add(y, l.dropout(h, p0));
      h = g.norm(l, y);
      ParamWalk::Attention cross = g.attention();
      h = l.attention(h, memory, batch, lengths.targets, lengths.inputs,
                      c.heads, c.kvHeads, cross.q, cross.k, cross.v, cross.o,
                      /*causal=*/false, Value(), /*rotary=*/false);
      y = g.mlp(l, l.add(y, l.dropout(h, p0)), p0);
    }
    return g.head(l, y);
  };
}

const Architecture kArchitectures[] = {
    {{"mlp",
      "multi-layer perceptron on flattened images (784-256-256-10 on "
      "MNIST): BitLinear, ReLU, BitLinear, ReLU, BitLinear",
      Kind::Images},
     1e-3,
     0.01,
     0.0,
     true,
     256,
     [](const ModelConfig &c, const DataShape &d) {
       std::vector<ParamSpec> specs;
       int64_t in = product(d.example), width = hidden(c, 256);
       for (int64_t l = 0; l < c.depth; ++l, in = width)
         linearParams(specs, "fc" + std::to_string(l + 1), width, in);
       linearParams(specs, "fc" + std::to_string(c.depth + 1), d.classes, in);
       return specs;
     },
     [](const ModelConfig &c, const DataShape &) -> Forward {
       return [c](Layers &l, ValueRange data, ValueRange p) {
         Value h = data[0];
         for (int64_t i = 0; i < c.depth; ++i)
           h = l.dropout(l.relu(l.linear(h, p[2 * i], p[2 * i + 1])),
                         *c.dropout);
         return l.linear(h, p[2 * c.depth], p[2 * c.depth + 1]);
       };
     }},
    {{"cnn",
      "the authors' MNIST CNN: 3x3 conv 32, ReLU, 3x3 conv 64, ReLU, "
      "2x2 max-pool, dropout 0.25, BitLinear 128, ReLU, dropout, "
      "BitLinear (convolutions 32-bit)",
      Kind::Images},
     1e-3,
     0.01,
     0.5,
     true,
     128,
     [](const ModelConfig &c, const DataShape &d) {
       std::vector<ParamSpec> specs;
       int64_t channels = d.example[0];
       specs.push_back({"conv1.weight", {32, channels, 3, 3}, "conv"});
       specs.push_back({"conv1.bias", {32}, ""});
       specs.push_back({"conv2.weight", {64, 32, 3, 3}, "conv"});
       specs.push_back({"conv2.bias", {64}, ""});
       int64_t flat = 64 * ((d.example[1] - 4) / 2) * ((d.example[2] - 4) / 2);
       int64_t width = hidden(c, 128);
       linearParams(specs, "fc1", width, flat);
       linearParams(specs, "fc2", d.classes, width);
       return specs;
     },
     [](const ModelConfig &c, const DataShape &) -> Forward {
       return [c](Layers &l, ValueRange data, ValueRange p) {
         Value h = l.relu(l.conv(data[0], p[0], p[1]));
         h = l.relu(l.conv(h, p[2], p[3]));
         h = l.flatten(l.dropout(l.maxPool2(h), 0.25));
         h = l.dropout(l.relu(l.linear(h, p[4], p[5])), *c.dropout);
         return l.linear(h, p[6], p[7]);
       };
     }},
    {{"cifar-cnn",
      "a small CNN for CIFAR-10: 3 blocks of 3x3 conv (32, 64, 128), ReLU, "
      "2x2 max-pool; dropout 0.25, BitLinear 256, ReLU, dropout, BitLinear "
      "(convolutions 32-bit)",
      Kind::Images},
     1e-3,
     0.01,
     0.5,
     true,
     256,
     [](const ModelConfig &c, const DataShape &d) {
       std::vector<ParamSpec> specs;
       int64_t channels = d.example[0], h = d.example[1], w = d.example[2];
       int64_t widths[] = {32, 64, 128};
       for (int b = 0; b < 3; ++b) {
         std::string name = "conv" + std::to_string(b + 1);
         specs.push_back(
             {name + ".weight", {widths[b], channels, 3, 3}, "conv"});
         specs.push_back({name + ".bias", {widths[b]}, ""});
         channels = widths[b];
         h = (h - 2) / 2;
         w = (w - 2) / 2;
       }
       int64_t width = hidden(c, 256);
       linearParams(specs, "fc1", width, channels * h * w);
       linearParams(specs, "fc2", d.classes, width);
       return specs;
     },
     [](const ModelConfig &c, const DataShape &) -> Forward {
       return [c](Layers &l, ValueRange data, ValueRange p) {
         Value h = data[0];
         for (int b = 0; b < 3; ++b)
           h = l.maxPool2(l.relu(l.conv(h, p[2 * b], p[2 * b + 1])));
         h = l.flatten(l.dropout(h, 0.25));
         h = l.dropout(l.relu(l.linear(h, p[6], p[7])), *c.dropout);
         return l.linear(h, p[8], p[9]);
       };
     }},
    {{"gcn",
      "2-layer graph convolutional network (Kipf and Welling): "
      "A BitLinear(dropout(ReLU(A BitLinear(x)))), hidden 32",
      Kind::Graph},
     0.01,
     5e-4,
     0.5,
     false,
     32,
     [](const ModelConfig &c, const DataShape &d) {
       std::vector<ParamSpec> specs;
       int64_t width = hidden(c, 32);
       linearParams(specs, "conv1", width, d.example[0]);
       linearParams(specs, "conv2", d.classes, width);
       return specs;
     },
     [](const ModelConfig &c, const DataShape &) -> Forward {
       return [c](Layers &l, ValueRange data, ValueRange p) {
         Graph g{data[1], data[2], data[3]};
         Value h = l.relu(l.propagate(g, l.linear(data[0], p[0], p[1])));
         h = l.dropout(h, *c.dropout);
         return l.propagate(g, l.linear(h, p[2], p[3]));
       };
     }},
    {{"sgc",
      "simplified graph convolution (Wu et al.): BitLinear(A A x), "
      "the propagation without parameters",
      Kind::Graph},
     // lr and weight decay: the best validation accuracy on Cora of
     // {0.01, 0.05, 0.2} x {5e-4, 5e-3, 5e-2} (docs/models.md).
     0.01,
     5e-4,
     0.0,
     false,
     0,
     [](const ModelConfig &, const DataShape &d) {
       std::vector<ParamSpec> specs;
       linearParams(specs, "linear", d.classes, d.example[0]);
       return specs;
     },
     [](const ModelConfig &, const DataShape &) -> Forward {
       return [](Layers &l, ValueRange data, ValueRange p) {
         Graph g{data[1], data[2], data[3]};
         Value h = l.propagate(g, l.propagate(g, data[0]));
         return l.linear(h, p[0], p[1]);
       };
     }},
    {{"widemlp",
      "WideMLP for text: the mean of the document's word embeddings (a "
      "32-bit embedding bag, 1024 wide), ReLU, dropout 0.5, BitLinear",
      Kind::Text},
     // lr: 1e-2 reaches 96.5 % on R8 in 2 epochs where 1e-3 reaches 89.8 %.
     1e-2,
     0.0,
     0.5,
     true,
     1024,
     [](const ModelConfig &c, const DataShape &d) {
       std::vector<ParamSpec> specs;
       int64_t width = hidden(c, 1024);
       specs.push_back(
           {"embedding.weight", {d.vocabulary, width}, "embedding"});
       linearParams(specs, "fc", d.classes, width);
       return specs;
     },
     [](const ModelConfig &c, const DataShape &) -> Forward {
       return [c](Layers &l, ValueRange data, ValueRange p) {
         Value h = l.relu(l.embeddingBag(p[0], data[0], data[1]));
         return l.linear(l.dropout(h, *c.dropout), p[1], p[2]);
       };
     }},
    {{"gpt",
      "decoder-only transformer language model: token and learned position "
      "(or rotary) embeddings, pre-norm blocks of causal self-attention and "
      "an MLP (BitLinear projections), a final norm, a 32-bit output head",
      Kind::Corpus},
     1e-3,
     0.01,
     0.0,
     true,
     0,
     transformerParams,
     [](const ModelConfig &c, const DataShape &) {
       return transformerForward(c, /*causal=*/true);
     },
     // The same blocks on one position with the key/value caches.
     [](const ModelConfig &c) -> DecodeStep {
       return [c](Layers &l, Value tokens, Value position, Value &keys,
                  Value &values, ValueRange p) {
         ParamWalk g{c, p};
         Value tok = g.takeTable(l), pos = c.rotary ? Value() : g.takeTable(l);
         Value x = l.embedToken(tok, pos, tokens, position);
         for (int64_t i = 0; i < c.depth; ++i) {
           Value h = g.norm(l, x);
           ParamWalk::Attention a = g.attention();
           x = g.mlp(l,
                     l.add(x, l.cachedSelfAttention(h, position, i, c.heads,
                                                    c.kvHeads, a.q, a.k, a.v,
                                                    a.o, keys, values)),
                     0.0);
         }
         return g.head(l, x);
       };
     },
     "next",
     [](const ModelConfig &c) { return std::vector<int64_t>{c.context}; }},
    {{"bert",
      "encoder-only transformer for masked language modelling: the gpt's "
      "blocks with bidirectional attention; the loss on the masked "
      "positions only (BERT's 15 %, 80/10/10)",
      Kind::Corpus},
     1e-3,
     0.01,
     0.0,
     true,
     0,
     transformerParams,
     [](const ModelConfig &c, const DataShape &) {
       return transformerForward(c, /*causal=*/false);
     },
     nullptr,
     "mlm",
     // The ids and their attention mask (0: padding).
     [](const ModelConfig &c) {
       return std::vector<int64_t>{c.context, c.context};
     }},
    {{"t5",
      "encoder-decoder transformer for span corruption (T5): a bidirectional "
      "encoder over the corrupted text, a causal decoder with "
      "cross-attention spelling out the spans (BitLinear projections, "
      "learned or rotary positions, a 32-bit head)",
      Kind::Corpus},
     1e-3,
     0.01,
     0.0,
     true,
     0,
     encoderDecoderParams,
     [](const ModelConfig &c, const DataShape &) {
       return encoderDecoderForward(c);
     },
     nullptr,
     "span",
     // The encoder's ids and the decoder's.
     [](const ModelConfig &c) {
       ::ternary::data::SpanLengths s = ::ternary::data::spanLengths(c.context);
       return std::vector<int64_t>{s.inputs, s.targets};
     }},
};

} // namespace

llvm::ArrayRef<Architecture> mlir::ternary::models::allArchitectures() {
  return kArchitectures;
}

const Architecture *mlir::ternary::models::find(llvm::StringRef name) {
  for (const Architecture &a : kArchitectures)
    if (name == a.info.name)
      return &a;
  return nullptr;
}

std::string mlir::ternary::models::layerOf(llvm::StringRef parameter) {
  return parameter.rsplit('.').first.str();
}

const TransformerPreset *
mlir::ternary::models::findPreset(llvm::StringRef name) {
  // tiny: about 0.1M parameters with characters; mini: about 0.6M; base:
  // nanoGPT's shakespeare_char (about 10.7M).
  static const TransformerPreset presets[] = {
      {"tiny", 2, 64, 4, 64},
      {"mini", 3, 128, 4, 64},
      {"small", 4, 256, 4, 128},
      {"base", 6, 384, 6, 256},
  };
  if (name.empty())
    return &presets[0];
  for (const TransformerPreset &p : presets)
    if (name == p.name)
      return &p;
  return nullptr;
}
