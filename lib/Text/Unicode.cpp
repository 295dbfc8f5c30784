//===- Unicode.cpp - UTF-8 helpers of the tokenizers ----------------------===//

#include "Unicode.h"

#include <unicode/uchar.h>
#include <unicode/utf8.h>

#include "llvm/Support/MemoryBuffer.h"

#include <cstdio>

using namespace ternary::text::detail;

bool ternary::text::detail::decodeUtf8(std::string_view text,
                                       std::vector<int32_t> &codePoints,
                                       std::vector<size_t> &offsets,
                                       std::string &error) {
  codePoints.clear();
  offsets.clear();
  codePoints.reserve(text.size());
  offsets.reserve(text.size());
  const auto *bytes = reinterpret_cast<const uint8_t *>(text.data());
  int32_t length = int32_t(text.size());
  if (text.size() > size_t(INT32_MAX)) {
    error = "text of " + std::to_string(text.size()) +
            " bytes is larger than 2 GiB";
    return false;
  }
  int32_t i = 0;
  while (i < length) {
    int32_t start = i;
    UChar32 c;
    U8_NEXT(bytes, i, length, c);
    if (c < 0) {
      char hex[8];
      std::snprintf(hex, sizeof(hex), "0x%02X", bytes[start]);
      error = "not UTF-8 at byte " + std::to_string(start) + " (" + hex + ")";
      return false;
    }
    codePoints.push_back(c);
    offsets.push_back(size_t(start));
  }
  return true;
}

void ternary::text::detail::appendUtf8(int32_t codePoint, std::string &out) {
  uint8_t buffer[U8_MAX_LENGTH];
  int32_t n = 0;
  UBool failed = false;
  U8_APPEND(buffer, n, U8_MAX_LENGTH, codePoint, failed);
  if (!failed)
    out.append(reinterpret_cast<const char *>(buffer), size_t(n));
}

std::string ternary::text::detail::describeCodePoint(int32_t codePoint) {
  char hex[16];
  std::snprintf(hex, sizeof(hex), "U+%04X", unsigned(codePoint));
  std::string out = hex;
  if (u_isgraph(codePoint)) {
    out += " '";
    appendUtf8(codePoint, out);
    out += "'";
  }
  return out;
}

bool ternary::text::detail::readWholeFile(const std::string &path,
                                          std::string &out,
                                          std::string &error) {
  auto buffer = llvm::MemoryBuffer::getFile(path, /*IsText=*/false,
                                            /*RequiresNullTerminator=*/false);
  if (!buffer) {
    error = "cannot read '" + path + "': " + buffer.getError().message();
    return false;
  }
  out.assign((*buffer)->getBufferStart(), (*buffer)->getBufferSize());
  return true;
}
