//===- ToolSupportTest.cpp - The tools' memory settings -------------------===//
//
// retainFreedBuffers keeps a compiled step's buffers in the process between
// calls: blocks larger than glibc's default mmap threshold come from the
// heap, and the heap's top is not given back when they are freed (each step
// would fault fresh pages in again otherwise).
//
//===----------------------------------------------------------------------===//

#include "ternary/Runner/ToolSupport.h"

#include <gtest/gtest.h>
#include <malloc.h>
#include <vector>

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define TERNARY_ASAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#define TERNARY_ASAN 1
#endif

namespace {

TEST(ToolSupport, FreedBuffersStayInTheHeap) {
#ifdef TERNARY_ASAN
  GTEST_SKIP() << "AddressSanitizer's allocator ignores mallopt";
#else
  mlir::ternary::retainFreedBuffers();
  // 12 blocks of 128 MiB: each above glibc's largest default mmap threshold
  // (32 MiB), 1.5 GiB together, more than a trim threshold of 1 GiB keeps.
  constexpr size_t kBlock = size_t(128) << 20;
  struct mallinfo2 before = mallinfo2();
  std::vector<void *> blocks;
  for (int i = 0; i < 12; ++i) {
    blocks.push_back(malloc(kBlock));
    ASSERT_NE(blocks.back(), nullptr);
    static_cast<volatile char *>(blocks.back())[0] = 1;
  }
  struct mallinfo2 held = mallinfo2();
  EXPECT_EQ(held.hblkhd, before.hblkhd) << "the blocks were mapped with mmap";
  // The heap grew by more than the 1 GiB a trim threshold would keep (the
  // first block may take free space left by earlier tests).
  EXPECT_GT(held.arena, before.arena + (size_t(1) << 30));
  for (auto it = blocks.rbegin(); it != blocks.rend(); ++it)
    free(*it);
  struct mallinfo2 after = mallinfo2();
  EXPECT_EQ(after.arena, held.arena) << "the heap's top was given back";
#endif
}

} // namespace
