//===- Runner.h - Compile and run functions of a module ---------*- C++ -*-===//
//
// The runner library: target machines (Target.h), signatures of compiled
// functions (Signatures.h), modules compiled in memory and their calls
// (CompiledModule.h), and the C headers of object files (CHeader.h). The
// tools' reading and printing of arrays is in ternary/Support/HostArrays.h.
//
//===----------------------------------------------------------------------===//

#ifndef TERNARY_RUNNER_RUNNER_H
#define TERNARY_RUNNER_RUNNER_H

#include "ternary/Runner/CHeader.h"
#include "ternary/Runner/CompiledModule.h"
#include "ternary/Runner/Signatures.h"
#include "ternary/Runner/Target.h"
#include "ternary/Support/HostArrays.h"

#endif // TERNARY_RUNNER_RUNNER_H
