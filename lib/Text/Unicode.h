//===- Unicode.h - UTF-8 helpers of the tokenizers (private) ----*- C++ -*-===//
//
// Decoding UTF-8 into code points with the byte offset of every character,
// and the error a tokenizer reports for bytes that are not UTF-8. ICU does
// the decoding (U8_NEXT); the tokenizers use its character properties too.
//
//===----------------------------------------------------------------------===//

#ifndef TERNARY_LIB_TEXT_UNICODE_H
#define TERNARY_LIB_TEXT_UNICODE_H

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace ternary {
namespace text {
namespace detail {

/// The code points of `text` and, in `offsets`, the byte each starts at;
/// false with "not UTF-8 at byte N" in `error` on the first ill-formed
/// sequence.
bool decodeUtf8(std::string_view text, std::vector<int32_t> &codePoints,
                std::vector<size_t> &offsets, std::string &error);
/// Appends the UTF-8 bytes of `codePoint`.
void appendUtf8(int32_t codePoint, std::string &out);
/// "U+00E9 'é'" (the character itself only when printable).
std::string describeCodePoint(int32_t codePoint);
/// The whole of `path`; false with an error naming it.
bool readWholeFile(const std::string &path, std::string &out,
                   std::string &error);

} // namespace detail
} // namespace text
} // namespace ternary

#endif // TERNARY_LIB_TEXT_UNICODE_H
