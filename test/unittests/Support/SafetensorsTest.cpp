//===- SafetensorsTest.cpp - The safetensors reader and writer ------------===//

#include "ternary/Support/Safetensors.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <unistd.h>

using namespace ternary;

namespace {

std::string tempPath(const std::string &name) {
  return ::testing::TempDir() + "/" + name + "." + std::to_string(getpid());
}

TEST(Safetensors, RoundTripsTensorsAndMetadata) {
  TensorFile file;
  HostArray w = HostArray::zeros(DType::F32, {2, 3});
  for (int i = 0; i < 6; ++i)
    w.data<float>()[i] = 0.5f * i - 1;
  HostArray step = HostArray::zeros(DType::I64, {});
  step.data<int64_t>()[0] = 1234;
  file.tensors = {{"layer.weight", w}, {"step", step}};
  file.metadata["epoch"] = "3";
  std::string path = tempPath("roundtrip.safetensors"), error;
  ASSERT_TRUE(writeSafetensors(path, file, error)) << error;
  EXPECT_NE(access((path + ".tmp").c_str(), F_OK), 0) << "temporary file left";

  TensorFile back;
  ASSERT_TRUE(readSafetensors(path, back, error)) << error;
  ASSERT_EQ(back.tensors.size(), 2u);
  const HostArray *rw = back.find("layer.weight");
  ASSERT_TRUE(rw);
  EXPECT_EQ(rw->shape, (std::vector<int64_t>{2, 3}));
  EXPECT_EQ(rw->bytes, w.bytes);
  ASSERT_TRUE(back.find("step"));
  EXPECT_EQ(back.find("step")->data<int64_t>()[0], 1234);
  EXPECT_TRUE(back.find("step")->shape.empty());
  EXPECT_EQ(back.metadata.at("epoch"), "3");
  EXPECT_EQ(back.find("missing"), nullptr);
  std::remove(path.c_str());
}

TEST(Safetensors, ReadsTheReferenceLayout) {
  // A file as the safetensors library writes it: header length (LE u64),
  // JSON header, data; one F32 [2] tensor holding 1.0 and -2.0.
  std::string header =
      R"({"t":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}})";
  std::string bytes(8, '\0');
  bytes[0] = static_cast<char>(header.size());
  bytes += header;
  float values[2] = {1.0f, -2.0f};
  bytes.append(reinterpret_cast<const char *>(values), 8);
  std::string path = tempPath("reference.safetensors"), error;
  std::ofstream(path, std::ios::binary) << bytes;
  TensorFile file;
  ASSERT_TRUE(readSafetensors(path, file, error)) << error;
  ASSERT_TRUE(file.find("t"));
  EXPECT_EQ(file.find("t")->data<float>()[1], -2.0f);
  std::remove(path.c_str());
}

TEST(Safetensors, RejectsBadFiles) {
  std::string path = tempPath("bad.safetensors"), error;
  TensorFile file;
  EXPECT_FALSE(readSafetensors(path + ".missing", file, error));
  EXPECT_NE(error.find("cannot open"), std::string::npos) << error;

  std::ofstream(path, std::ios::binary) << std::string("\x40\0\0\0", 4);
  EXPECT_FALSE(readSafetensors(path, file, error));
  EXPECT_NE(error.find("too short"), std::string::npos) << error;

  std::string header =
      R"({"t":{"dtype":"F32","shape":[4],"data_offsets":[0,8]}})";
  std::string bytes(8, '\0');
  bytes[0] = static_cast<char>(header.size());
  std::ofstream(path, std::ios::binary) << bytes + header + std::string(8, 'x');
  EXPECT_FALSE(readSafetensors(path, file, error));
  EXPECT_NE(error.find("bad data range for tensor 't'"), std::string::npos)
      << error;

  bytes[0] = 5;
  std::ofstream(path, std::ios::binary) << bytes + "{oops";
  EXPECT_FALSE(readSafetensors(path, file, error));
  EXPECT_NE(error.find("malformed JSON header"), std::string::npos) << error;
  std::remove(path.c_str());

  // A directory that does not exist: the write fails, nothing is created.
  EXPECT_FALSE(writeSafetensors("/nonexistent-dir/x.safetensors", file, error));
  EXPECT_NE(error.find("cannot create"), std::string::npos) << error;
}

/// Writes a safetensors file of `header` and `data`, reads it back and
/// returns the error ("" when it was read).
std::string readError(const std::string &header, const std::string &data) {
  std::string bytes(8, '\0');
  uint64_t n = header.size();
  for (int i = 0; i < 8; ++i)
    bytes[i] = static_cast<char>((n >> (8 * i)) & 0xff);
  std::string path = tempPath("hostile.safetensors"), error;
  std::ofstream(path, std::ios::binary) << bytes + header + data;
  TensorFile file;
  bool ok = readSafetensors(path, file, error);
  std::remove(path.c_str());
  return ok ? "" : error.substr(error.find("': ") + 3);
}

TEST(Safetensors, RefusesHostileHeaders) {
  const std::string eight(8, '\0');
  // Well-formed, for contrast.
  EXPECT_EQ(
      readError(R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},)"
                R"("b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}})",
                eight),
      "");
  const std::pair<const char *, const char *> cases[] = {
      {R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},)"
       R"("b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}})",
       "tensors overlap in the data"},
      {R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}})",
       "the data has a hole between tensors"},
      {R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}})",
       "the data has 4 bytes after the last tensor"},
      {R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0,99999999999999999999]}})",
       "malformed JSON header"},
      {R"({"a":{"dtype":"F32","shape":[4611686018427387904,4],"data_offsets":[0,0]}})",
       "bad shape for tensor 'a'"},
      {R"({"a":{"dtype":"F32","shape":[-2],"data_offsets":[0,8]}})",
       "bad shape for tensor 'a'"},
      // Empty, but its element count overflows int64 (the .npy fuzzer's
      // find, which applies here too).
      {R"({"a":{"dtype":"U8","shape":[4294967296,0,4294967296],"data_offsets":[0,0]}})",
       "bad shape for tensor 'a'"},
      {R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[8,0]}})",
       "bad data range for tensor 'a'"},
      {R"({"a":{"dtype":"F32","shape":"2","data_offsets":[0,8]}})",
       "bad entry for tensor 'a'"},
      {R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},)"
       R"("a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}})",
       "the header names 'a' twice"},
      {R"({"__metadata__":{"epoch":1},"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}})",
       "metadata 'epoch' is not a string"},
      {R"({"__metadata__":[],"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}})",
       "__metadata__ is not an object"},
  };
  for (const auto &[header, message] : cases)
    EXPECT_EQ(readError(header, eight), message) << header;
}

TEST(Safetensors, RefusesADirectory) {
  TensorFile file;
  std::string error;
  EXPECT_FALSE(readSafetensors(::testing::TempDir(), file, error));
  EXPECT_EQ(error, "'" + ::testing::TempDir() +
                       "' is a directory, not a safetensors file");
}

} // namespace
