//===- Passes.td - Passes of the ternary compiler ----------*- tablegen -*-===//
//
// Every pass of the compiler, one file per layer beside its sources; this
// file gathers them for the generated declarations (passes/Passes.h.inc)
// and the documentation (docs/passes.md).
//
//===----------------------------------------------------------------------===//

#ifndef TERNARY_PASSES_TD
#define TERNARY_PASSES_TD

include "Transforms/TransformsPasses.td"
include "Conversion/ConversionPasses.td"
include "Codegen/CodegenPasses.td"
include "Codegen/CPU/CPUPasses.td"

#endif // TERNARY_PASSES_TD
