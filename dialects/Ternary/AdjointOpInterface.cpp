//===- AdjointOpInterface.cpp - Reverse-mode rules of ops -----------------===//

#include "ternary/Dialect/Ternary/AdjointOpInterface.h"

#include "Ternary/AdjointOpInterface.cpp.inc"
