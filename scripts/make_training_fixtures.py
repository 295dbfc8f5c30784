#!/usr/bin/python3
"""Writes the PyTorch fixtures of compiled training (issue 4).

A tiny BitLinear MLP, x -> BitLinear(w1, b1) -> ReLU -> BitLinear(w2, b2) ->
mean cross-entropy (ignore index -100), both layers with the authors'
defaults (absmedian, LayerNorm, Q = 128), as in examples/mlp_train.mlir.
BitLinear is the independent PyTorch implementation of
scripts/make_bitlinear_fixtures.py (straight-through estimator by
`v + (q(v) - v).detach()`, scales detached), gradients by autograd.

Written to OUT/mlp/: the batch (x, labels), PyTorch-default initial
parameters (w1, b1, w2, b2), the loss and the gradients (dx, dw1, db1, dw2,
db2), and, after 3 AdamW steps on that batch (lr 0.01, betas 0.9/0.999,
eps 1e-8, weight decay 0.01), the parameters (w1_step3, ...) and the loss
of each step (losses).

Written to OUT/transformer/: the same for the one-block character-level
decoder of examples/transformer_train.mlir (scripts/gen_char_transformer.py
--vocab 11 --context 6 --dim 8 --heads 2 --hidden 16): ids and targets
[3, 6], the 11 parameters (tok, pos, wq, wk, wv, wo, w1, b1, w2, b2, head;
PyTorch's nn.Embedding and nn.Linear initialisation), loss, gradients
(d<name>) and the parameters after 3 AdamW steps (<name>_step3).

Written to OUT/gpt/: the same for the model library's `gpt` (ternary-model
gpt --depth 2 --width 8 --heads 2 --context 6 on a corpus of 11
characters): pre-norm LayerNorm blocks, BitLinear Q, K, V, O and MLP
projections, GELU, a final LayerNorm and a 32-bit head; files named by the
parameters' names (tok.weight, blocks.0.norm1.weight, ...), gains and
biases of the norms drawn around 1 and 0 so that their gradients matter.

Written to OUT/bert/: the same for the library's `bert` (ternary-model bert
--depth 2 --width 8 --heads 2 --context 6 on the same corpus: 13 ids, the
mask 11 and the padding 12): bidirectional attention, the last example's
last two positions padded (attention mask 0, label -100), labels on some
positions only; data: ids, mask, targets (inputs.txt lists them).

Written to OUT/t5/: the same for the library's `t5` (ternary-model t5
--depth 1 --width 8 --heads 2 --context 6: encoder inputs of 6 ids, decoder
inputs and targets of 3, 14 ids with the sentinels and the decoder's
start): the encoder, the decoder's causal self-attention and its
cross-attention over the encoder's output; data: encoder_ids, decoder_ids,
targets.

Run with Debian's PyTorch (python3-torch):
    /usr/bin/python3 scripts/make_training_fixtures.py test/fixtures/training [mlp|transformer|gpt|bert|t5]
"""

import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_bitlinear_fixtures import bitlinear  # noqa: E402

ADAMW = dict(lr=0.01, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.01)


def linear_init(n, k):
    """PyTorch's nn.Linear initialisation of a [n, k] weight and its bias."""
    layer = torch.nn.Linear(k, n)
    return (layer.weight.detach().clone().requires_grad_(),
            layer.bias.detach().clone().requires_grad_())


def mlp_loss(x, labels, w1, b1, w2, b2):
    h = bitlinear(x, w1, b1, None, None, "layer", "absmedian", 128, 1.0)
    r = torch.relu(h)
    y = bitlinear(r, w2, b2, None, None, "layer", "absmedian", 128, 1.0)
    return torch.nn.functional.cross_entropy(y, labels, ignore_index=-100)


def adamw_steps(loss, params, steps=3):
    """`steps` AdamW steps (ADAMW) of `loss()` on `params`; the loss before
    each step, as float32."""
    opt = torch.optim.AdamW(params, **ADAMW)
    losses = []
    for _ in range(steps):
        opt.zero_grad()
        step_loss = loss()
        losses.append(step_loss.item())
        step_loss.backward()
        opt.step()
    return np.array(losses, dtype=np.float32)


def save(out, arrays):
    os.makedirs(out, exist_ok=True)
    for key, value in arrays.items():
        value = value.detach().numpy() if torch.is_tensor(value) else value
        if value.dtype != np.int64:
            value = value.astype(np.float32)
        np.save(os.path.join(out, key + ".npy"), value)


def mlp(out_dir):
    torch.manual_seed(2024)
    batch, k, hidden, classes = 16, 20, 12, 4
    x = (torch.randn(batch, k) * 1.5).requires_grad_()
    labels = torch.randint(0, classes, (batch,))
    labels[3] = -100  # one ignored row
    w1, b1 = linear_init(hidden, k)
    w2, b2 = linear_init(classes, hidden)
    initial = {"w1": w1, "b1": b1, "w2": w2, "b2": b2}
    initial = {key: v.detach().clone() for key, v in initial.items()}

    loss = mlp_loss(x, labels, w1, b1, w2, b2)
    loss.backward()
    # Copies: the optimiser below zeroes the .grad tensors in place.
    grads = {"dx": x.grad, "dw1": w1.grad, "db1": b1.grad, "dw2": w2.grad,
             "db2": b2.grad}
    arrays = {key: g.detach().clone() for key, g in grads.items()}
    arrays.update({"x": x, "labels": labels.numpy().astype(np.int64),
                   "loss": loss})
    arrays.update(initial)

    params = [w1, b1, w2, b2]
    losses = adamw_steps(lambda: mlp_loss(x.detach(), labels, *params), params)
    for name, p in zip(["w1", "b1", "w2", "b2"], params):
        arrays[name + "_step3"] = p
    arrays["losses"] = losses
    save(os.path.join(out_dir, "mlp"), arrays)


TRANSFORMER = ["tok", "pos", "wq", "wk", "wv", "wo", "w1", "b1", "w2", "b2",
               "head"]


def transformer_loss(ids, targets, p, heads, blocks=1):
    """The decoder of scripts/gen_char_transformer.py (--blocks: block i > 0
    names its parameters with the suffix _i)."""
    batch, context = ids.shape
    dim = p["tok"].shape[1]
    dh = dim // heads

    def bl(x, w, b=None):
        return bitlinear(x, w, b, None, None, "layer", "absmedian", 128, 1.0)

    x = (p["tok"][ids] + p["pos"]).reshape(batch * context, dim)
    future = torch.triu(torch.ones(context, context, dtype=torch.bool), 1)
    for i in range(blocks):
        s = "" if i == 0 else f"_{i}"
        q, k, v = (bl(x, p[n + s]).view(batch, context, heads, dh)
                   for n in ("wq", "wk", "wv"))
        scores = torch.einsum("bihd,bjhd->bhij", q, k) * (1.0 / dh ** 0.5)
        scores = torch.where(future, torch.tensor(-1e9), scores)
        probs = torch.softmax(scores, dim=-1)
        att = torch.einsum("bhij,bjhd->bihd", probs, v).reshape(-1, dim)
        x1 = x + bl(att, p["wo" + s])
        g = torch.nn.functional.gelu(bl(x1, p["w1" + s], p["b1" + s]))
        x = x1 + bl(g, p["w2" + s], p["b2" + s])
    logits = x @ p["head"].t()
    return torch.nn.functional.cross_entropy(logits, targets.reshape(-1))


def transformer(out_dir, blocks=1):
    """Fixtures of the decoder of gen_char_transformer.py with `blocks`
    blocks: test/fixtures/training/transformer (one block; the model of
    examples/transformer_train.mlir) or transformer<blocks>."""
    torch.manual_seed(58 if blocks == 1 else 58 + blocks)
    vocab, context, dim, heads, hidden, batch = 11, 6, 8, 2, 16, 3
    ids = torch.randint(0, vocab, (batch, context))
    targets = torch.randint(0, vocab, (batch, context))
    p = {"tok": torch.nn.Embedding(vocab, dim).weight,
         "pos": torch.nn.Embedding(context, dim).weight}
    names = ["tok", "pos"]
    for i in range(blocks):
        s = "" if i == 0 else f"_{i}"
        for name, (n, k) in {"wq": (dim, dim), "wk": (dim, dim),
                             "wv": (dim, dim), "wo": (dim, dim)}.items():
            p[name + s] = torch.nn.Linear(k, n, bias=False).weight
        p["w1" + s], p["b1" + s] = linear_init(hidden, dim)
        p["w2" + s], p["b2" + s] = linear_init(dim, hidden)
        names += [n + s for n in TRANSFORMER[2:-1]]
    p["head"] = torch.nn.Linear(dim, vocab, bias=False).weight
    names.append("head")
    p = {n: v.detach().clone().requires_grad_() for n, v in p.items()}
    arrays = {n: p[n].detach().clone() for n in names}
    loss = transformer_loss(ids, targets, p, heads, blocks)
    loss.backward()
    arrays.update({"d" + n: p[n].grad.detach().clone() for n in names})
    arrays.update({"ids": ids.numpy().astype(np.int64),
                   "targets": targets.numpy().astype(np.int64),
                   "loss": loss})
    losses = adamw_steps(lambda: transformer_loss(ids, targets, p, heads,
                                                  blocks), [p[n] for n in names])
    arrays.update({n + "_step3": p[n] for n in names})
    arrays["losses"] = losses
    save(os.path.join(out_dir, "transformer" if blocks == 1
                      else f"transformer{blocks}"), arrays)


def gpt_names(blocks):
    """The library gpt's parameters in the order of its @loss."""
    names = ["tok.weight", "pos.weight"]
    for i in range(blocks):
        b = f"blocks.{i}."
        names += [b + "norm1.weight", b + "norm1.bias"]
        names += [b + f"attn.{n}.weight" for n in "qkvo"]
        names += [b + "norm2.weight", b + "norm2.bias",
                  b + "mlp.fc1.weight", b + "mlp.fc1.bias",
                  b + "mlp.fc2.weight", b + "mlp.fc2.bias"]
    return names + ["norm.weight", "norm.bias", "head.weight"]


def gpt_loss(ids, targets, p, heads, blocks):
    """The library's gpt (lib/Models: Architectures.cpp, TransformerLayers.cpp)
    written independently with torch's own LayerNorm, softmax and GELU."""
    batch, context = ids.shape
    dim = p["tok.weight"].shape[1]
    dh = dim // heads

    def bl(x, w, b=None):
        return bitlinear(x, w, b, None, None, "layer", "absmedian", 128, 1.0)

    def norm(x, name):
        return torch.nn.functional.layer_norm(
            x, (dim,), p[name + ".weight"], p[name + ".bias"], eps=1e-5)

    x = (p["tok.weight"][ids] + p["pos.weight"]).reshape(batch * context, dim)
    future = torch.triu(torch.ones(context, context, dtype=torch.bool), 1)
    for i in range(blocks):
        b = f"blocks.{i}."
        h = norm(x, b + "norm1")
        q, k, v = (bl(h, p[b + f"attn.{n}.weight"]).view(batch, context,
                                                          heads, dh)
                   for n in "qkv")
        scores = torch.einsum("bihd,bjhd->bhij", q, k) * (1.0 / dh ** 0.5)
        scores = torch.where(future, torch.tensor(-1e9), scores)
        att = torch.einsum("bhij,bjhd->bihd", torch.softmax(scores, dim=-1),
                           v).reshape(-1, dim)
        x = x + bl(att, p[b + "attn.o.weight"])
        h = norm(x, b + "norm2")
        h = torch.nn.functional.gelu(
            bl(h, p[b + "mlp.fc1.weight"], p[b + "mlp.fc1.bias"]))
        x = x + bl(h, p[b + "mlp.fc2.weight"], p[b + "mlp.fc2.bias"])
    logits = norm(x, "norm") @ p["head.weight"].t()
    return torch.nn.functional.cross_entropy(logits, targets.reshape(-1))


def init_params(names, vocab, positions, dim):
    """PyTorch-default parameters of a library language model by name:
    embeddings (token table, `positions[name]` rows of a position table),
    norms drawn around 1 and 0 so that their gradients matter, linear
    layers (MLP with bias, attention and head without)."""
    p = {}
    for name in names:
        if name == "tok.weight" or name in positions:
            rows = vocab if name == "tok.weight" else positions[name]
            p[name] = torch.nn.Embedding(rows, dim).weight
        elif "norm" in name.split(".")[-2]:
            base = 1.0 if name.endswith("weight") else 0.0
            p[name] = base + 0.2 * torch.randn(dim)
        elif name.endswith("fc1.weight"):
            p[name], p[name[:-6] + "bias"] = linear_init(4 * dim, dim)
        elif name.endswith("fc2.weight"):
            p[name], p[name[:-6] + "bias"] = linear_init(dim, 4 * dim)
        elif name.endswith(".bias"):
            continue  # drawn with its weight
        else:  # attention projections and the head: no bias
            rows = vocab if name == "head.weight" else dim
            p[name] = torch.nn.Linear(dim, rows, bias=False).weight
    return {n: v.detach().clone().requires_grad_() for n, v in p.items()}


def fixture_run(out, names, p, loss_fn, data):
    """Loss, gradients and 3 AdamW steps of `loss_fn()` into `out`, with
    the data arrays `data` (name -> int64 tensor, in argument order)."""
    arrays = {n: p[n].detach().clone() for n in names}
    loss = loss_fn()
    loss.backward()
    arrays.update({"d." + n: p[n].grad.detach().clone() for n in names})
    arrays.update({k: v.numpy().astype(np.int64) for k, v in data.items()})
    arrays["loss"] = loss
    arrays["losses"] = adamw_steps(loss_fn, [p[n] for n in names])
    arrays.update({n + ".step3": p[n] for n in names})
    save(out, arrays)
    with open(os.path.join(out, "inputs.txt"), "w") as f:
        f.write("\n".join(data) + "\n")


def gpt(out_dir, blocks=2):
    torch.manual_seed(77)
    vocab, context, dim, heads, batch = 11, 6, 8, 2, 3
    ids = torch.randint(0, vocab, (batch, context))
    targets = torch.randint(0, vocab, (batch, context))
    names = gpt_names(blocks)
    p = init_params(names, vocab, {"pos.weight": context}, dim)
    fixture_run(os.path.join(out_dir, "gpt"), names, p,
                lambda: gpt_loss(ids, targets, p, heads, blocks),
                {"ids": ids, "targets": targets})


def attention(p, prefix, queries, keys, batch, heads, causal, mask=None):
    """Multi-head attention of query rows over key rows [batch * T, dim]
    with BitLinear projections `prefix`.{q,k,v,o}; `mask` [batch, Tk]
    (0: padding) hides keys."""
    dim = queries.shape[1]
    dh = dim // heads
    tq, tk = queries.shape[0] // batch, keys.shape[0] // batch

    def bl(x, name):
        w = p[prefix + "." + name + ".weight"]
        return bitlinear(x, w, None, None, None, "layer", "absmedian", 128,
                         1.0)

    q = bl(queries, "q").view(batch, tq, heads, dh)
    k = bl(keys, "k").view(batch, tk, heads, dh)
    v = bl(keys, "v").view(batch, tk, heads, dh)
    scores = torch.einsum("bihd,bjhd->bhij", q, k) * (1.0 / dh ** 0.5)
    if causal:
        future = torch.triu(torch.ones(tq, tk, dtype=torch.bool), 1)
        scores = torch.where(future, torch.tensor(-1e9), scores)
    if mask is not None:
        hidden = (mask == 0).view(batch, 1, 1, tk)
        scores = torch.where(hidden, torch.tensor(-1e9), scores)
    att = torch.einsum("bhij,bjhd->bihd", torch.softmax(scores, dim=-1), v)
    return bl(att.reshape(-1, dim), "o")


def block_mlp(p, x, block, norm):
    """x + fc2(GELU(fc1(LayerNorm(x)))) with BitLinear fc1 and fc2."""
    def bl(x, name):
        return bitlinear(x, p[block + name + ".weight"],
                         p[block + name + ".bias"], None, None, "layer",
                         "absmedian", 128, 1.0)
    h = torch.nn.functional.gelu(bl(layer_norm(p, x, block + norm),
                                    "mlp.fc1"))
    return x + bl(h, "mlp.fc2")


def layer_norm(p, x, name):
    return torch.nn.functional.layer_norm(
        x, (x.shape[1],), p[name + ".weight"], p[name + ".bias"], eps=1e-5)


def bert_names(blocks):
    """The library bert's parameters: the gpt's."""
    return gpt_names(blocks)


def bert_loss(ids, mask, targets, p, heads, blocks):
    """The library's bert: the gpt's blocks, bidirectional, padding keys
    hidden; the loss on the labelled positions only."""
    batch, context = ids.shape
    dim = p["tok.weight"].shape[1]
    x = (p["tok.weight"][ids] + p["pos.weight"]).reshape(batch * context, dim)
    for i in range(blocks):
        b = f"blocks.{i}."
        h = layer_norm(p, x, b + "norm1")
        x = x + attention(p, b + "attn", h, h, batch, heads, False, mask)
        x = block_mlp(p, x, b, "norm2")
    logits = layer_norm(p, x, "norm") @ p["head.weight"].t()
    return torch.nn.functional.cross_entropy(logits, targets.reshape(-1),
                                             ignore_index=-100)


def bert(out_dir, blocks=2):
    torch.manual_seed(78)
    vocab, context, dim, heads, batch = 13, 6, 8, 2, 3
    ids = torch.randint(0, 11, (batch, context))
    mask = torch.ones(batch, context, dtype=torch.int64)
    mask[2, 4:] = 0
    ids[2, 4:] = 12  # the padding id
    ids[0, 1] = ids[1, 3] = 11  # the mask id
    targets = torch.full((batch, context), -100, dtype=torch.int64)
    for n, t in [(0, 1), (0, 5), (1, 3), (1, 0), (2, 2)]:
        targets[n, t] = int(torch.randint(0, 11, ()))
    names = bert_names(blocks)
    p = init_params(names, vocab, {"pos.weight": context}, dim)
    fixture_run(os.path.join(out_dir, "bert"), names, p,
                lambda: bert_loss(ids, mask, targets, p, heads, blocks),
                {"ids": ids, "mask": mask, "targets": targets})


def t5_names(blocks):
    """The library t5's parameters in the order of its @loss."""
    names = ["tok.weight", "encoder.pos.weight", "decoder.pos.weight"]
    mlp = ["mlp.fc1.weight", "mlp.fc1.bias", "mlp.fc2.weight", "mlp.fc2.bias"]
    for i in range(blocks):
        b = f"encoder.blocks.{i}."
        names += [b + "norm1.weight", b + "norm1.bias"]
        names += [b + f"attn.{n}.weight" for n in "qkvo"]
        names += [b + "norm2.weight", b + "norm2.bias"] + [b + m for m in mlp]
    names += ["encoder.norm.weight", "encoder.norm.bias"]
    for i in range(blocks):
        b = f"decoder.blocks.{i}."
        names += [b + "norm1.weight", b + "norm1.bias"]
        names += [b + f"attn.{n}.weight" for n in "qkvo"]
        names += [b + "norm2.weight", b + "norm2.bias"]
        names += [b + f"cross.{n}.weight" for n in "qkvo"]
        names += [b + "norm3.weight", b + "norm3.bias"] + [b + m for m in mlp]
    return names + ["norm.weight", "norm.bias", "head.weight"]


def t5_loss(encoder_ids, decoder_ids, targets, p, heads, blocks):
    """The library's t5: a bidirectional encoder, a causal decoder whose
    blocks attend to the encoder's normalised output."""
    batch, tin = encoder_ids.shape
    tout = decoder_ids.shape[1]
    dim = p["tok.weight"].shape[1]
    x = (p["tok.weight"][encoder_ids] + p["encoder.pos.weight"]).reshape(
        batch * tin, dim)
    for i in range(blocks):
        b = f"encoder.blocks.{i}."
        h = layer_norm(p, x, b + "norm1")
        x = x + attention(p, b + "attn", h, h, batch, heads, False)
        x = block_mlp(p, x, b, "norm2")
    memory = layer_norm(p, x, "encoder.norm")
    y = (p["tok.weight"][decoder_ids] + p["decoder.pos.weight"]).reshape(
        batch * tout, dim)
    for i in range(blocks):
        b = f"decoder.blocks.{i}."
        h = layer_norm(p, y, b + "norm1")
        y = y + attention(p, b + "attn", h, h, batch, heads, True)
        h = layer_norm(p, y, b + "norm2")
        y = y + attention(p, b + "cross", h, memory, batch, heads, False)
        y = block_mlp(p, y, b, "norm3")
    logits = layer_norm(p, y, "norm") @ p["head.weight"].t()
    return torch.nn.functional.cross_entropy(logits, targets.reshape(-1))


def t5(out_dir, blocks=1):
    torch.manual_seed(79)
    vocab, tin, tout, dim, heads, batch = 14, 6, 3, 8, 2, 3
    encoder_ids = torch.randint(0, 13, (batch, tin))
    targets = torch.randint(0, 13, (batch, tout))
    decoder_ids = torch.cat([torch.full((batch, 1), 13), targets[:, :-1]], 1)
    names = t5_names(blocks)
    p = init_params(names, vocab, {"encoder.pos.weight": tin,
                                   "decoder.pos.weight": tout}, dim)
    fixture_run(os.path.join(out_dir, "t5"), names, p,
                lambda: t5_loss(encoder_ids, decoder_ids, targets, p, heads,
                                blocks),
                {"encoder_ids": encoder_ids, "decoder_ids": decoder_ids,
                 "targets": targets})


def main(out_dir, which=None):
    if which in (None, "mlp"):
        mlp(out_dir)
    if which in (None, "transformer"):
        transformer(out_dir)
        transformer(out_dir, blocks=2)
    if which in (None, "gpt"):
        gpt(out_dir)
    if which in (None, "bert"):
        bert(out_dir)
    if which in (None, "t5"):
        t5(out_dir)
    print(f"wrote the fixtures ({which or 'all'}) in {out_dir}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "test/fixtures/training",
         sys.argv[2] if len(sys.argv) > 2 else None)
