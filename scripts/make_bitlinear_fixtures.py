#!/usr/bin/python3
"""Writes the PyTorch fixtures of BitLinear's forward and STE backward.

An implementation of the BitLinear semantics (../shared/docs/
bitlinear-semantics.md, with the project's reading in docs/numerics.md)
written independently of the C++ reference, in PyTorch: the forward with
the straight-through estimator expressed as `v + lambda * (q(v) - v).detach()`
and the scales detached, and the backward left to autograd. The C++ test
test/unittests/Reference/TorchFixturesTest.cpp compares the reference with
these files; torch is not needed to run it.

Run with Debian's PyTorch (python3-torch):
    /usr/bin/python3 scripts/make_bitlinear_fixtures.py test/fixtures/bitlinear
"""

import os
import sys

import numpy as np
import torch

EPS = 1e-5

CASES = {
    # name: (norm, scale, q, bias, lambda)
    "authors_default": ("layer", "absmedian", 128, True, 1.0),
    "bitnet_inference": ("none", "absmean", 127, True, 1.0),
    "rms_absmean": ("rms", "absmean", 128, False, 1.0),
    "layer_affine": ("layer_affine", "absmedian", 128, True, 1.0),
    "warmup_lambda_half": ("layer", "absmedian", 128, True, 0.5),
}


def normalize(x, norm, gamma, beta):
    """Row normalisation; sums in float64, rounded once to float32."""
    if norm == "none":
        return x
    k = x.shape[-1]
    xd = x.double()
    if norm == "rms":
        ms = (xd * xd).sum(-1, keepdim=True).div(k).float()
        return x / torch.sqrt(ms + EPS)
    mean_d = xd.sum(-1, keepdim=True).div(k)
    var = ((xd - mean_d) ** 2).sum(-1, keepdim=True).div(k).float()
    xh = (x - mean_d.float()) / torch.sqrt(var + EPS)
    if norm == "layer_affine":
        xh = xh * gamma + beta
    return xh


def bitlinear(x, w, b, gamma, beta, norm, scale, q, lam):
    xh = normalize(x, norm, gamma, beta)
    a = xh.abs().amax(-1, keepdim=True).clamp(min=EPS).detach()
    sx = q / a
    v = xh * sx
    xq = torch.clamp(torch.round(v), -128, 127)
    xt = v + lam * (xq - v).detach()
    mags = w.abs().detach()
    if scale == "absmean":
        stat = mags.double().sum().div(mags.numel()).float()
    else:
        stat = mags.flatten().median()  # the lower middle value
    g = stat.clamp(min=EPS)
    wv = w / g
    wq = torch.clamp(torch.round(wv), -1, 1)
    wt = wv + lam * (wq - wv).detach()
    acc = xt @ wt.t()
    if b is not None:
        acc = acc + b
    return acc * ((g * a) / q)


def main(out_dir):
    torch.manual_seed(1234)
    rows, k, n = 6, 24, 10
    for name, (norm, scale, q, has_bias, lam) in CASES.items():
        x = (torch.randn(rows, k) * 2.0).requires_grad_()
        w = (torch.randn(n, k) * 0.1).requires_grad_()
        b = (torch.randn(n) * 0.5).requires_grad_() if has_bias else None
        gamma = (1.0 + 0.3 * torch.randn(k)).requires_grad_()
        beta = (0.2 * torch.randn(k)).requires_grad_()
        dy = torch.randn(rows, n)
        y = bitlinear(x, w, b, gamma, beta, norm, scale, q, lam)
        (y * dy).sum().backward()
        case = os.path.join(out_dir, name)
        os.makedirs(case, exist_ok=True)
        arrays = {"x": x, "w": w, "gamma": gamma, "beta": beta, "dy": dy,
                  "y": y, "dx": x.grad, "dw": w.grad,
                  "dgamma": gamma.grad, "dbeta": beta.grad}
        if has_bias:
            arrays.update({"b": b, "db": b.grad})
        for key, value in arrays.items():
            if value is None:  # no gradient reaches gamma/beta without affine
                value = torch.zeros(k)
            np.save(os.path.join(case, key + ".npy"),
                    value.detach().numpy().astype(np.float32))
        with open(os.path.join(case, "config.txt"), "w") as f:
            f.write(f"norm={norm} scale={scale} q={q} bias={int(has_bias)} "
                    f"lambda={lam}\n")
    print(f"wrote {len(CASES)} cases to {out_dir}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "test/fixtures/bitlinear")
