// Writer round trips, header layout, rounding of F16/BF16, streaming blocks and atomic output.
#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstring>
#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>

#include "core/checkpoint/checkpoint.h"
#include "core/checkpoint/writer.h"
#include "tests/unit/checkpoint/test_util.h"

namespace mergelab::ckpt {
namespace {

namespace fs = std::filesystem;
using test::TempDir;


TEST(Bf16Rounding, HandDerivedCases) {
  // 1 + 2^-8 is exactly halfway between 1.0 (0x3F80, mantissa even) and 1 + 2^-7 (0x3F81): ties to even -> 1.0
  EXPECT_EQ(f32_to_bf16(1.0f + 0x1p-8f), 0x3F80);
  // 1 + 3*2^-8 is halfway between 0x3F81 (odd) and 0x3F82 (even) -> 0x3F82
  EXPECT_EQ(f32_to_bf16(1.0f + 3 * 0x1p-8f), 0x3F82);
  // just above the halfway point rounds up, just below rounds down
  EXPECT_EQ(f32_to_bf16(1.0f + 0x1p-8f + 0x1p-20f), 0x3F81);
  EXPECT_EQ(f32_to_bf16(1.0f + 0x1p-8f - 0x1p-20f), 0x3F80);
  EXPECT_EQ(f32_to_bf16(-2.0f), 0xC000);
  // the largest finite float rounds up to infinity; infinities stay
  EXPECT_EQ(f32_to_bf16(std::numeric_limits<float>::max()), 0x7F80);
  EXPECT_EQ(f32_to_bf16(-std::numeric_limits<float>::infinity()), 0xFF80);
  // NaN stays NaN (sign kept), even a NaN whose payload sits only in the low 16 bits (truncation would give inf)
  const float low_payload_nan = std::bit_cast<float>(0x7F800001u);
  EXPECT_TRUE(std::isnan(bf16_to_f32(f32_to_bf16(low_payload_nan))));
  EXPECT_TRUE(std::isnan(bf16_to_f32(f32_to_bf16(std::numeric_limits<float>::quiet_NaN()))));
  EXPECT_EQ(f32_to_bf16(std::bit_cast<float>(0xFFC00000u)) & 0x8000, 0x8000);
  // the smallest subnormal float: its low 16 bits 0x0001 are below the halfway point 0x8000
  EXPECT_EQ(f32_to_bf16(std::bit_cast<float>(0x00000001u)), 0x0000);
}

TEST(F16Rounding, HandDerivedCases) {
  EXPECT_EQ(f32_to_f16(1.0f), 0x3C00);
  // 1 + 2^-11 is halfway between 1.0 (0x3C00, even) and 1 + 2^-10 (0x3C01): -> 0x3C00
  EXPECT_EQ(f32_to_f16(1.0f + 0x1p-11f), 0x3C00);
  EXPECT_EQ(f32_to_f16(1.0f + 3 * 0x1p-11f), 0x3C02);
  EXPECT_EQ(f32_to_f16(65504.0f), 0x7BFF);             // largest half
  EXPECT_EQ(f32_to_f16(65519.99f), 0x7BFF);            // below the halfway point to 65536
  EXPECT_EQ(f32_to_f16(65520.0f), 0x7C00);             // halfway, ties to even = inf
  EXPECT_EQ(f32_to_f16(0x1p-24f), 0x0001);             // smallest subnormal half
  EXPECT_EQ(f32_to_f16(0x1p-25f), 0x0000);             // halfway between 0 and 2^-24 -> 0 (even)
  EXPECT_EQ(f32_to_f16(0x1p-25f + 0x1p-40f), 0x0001);  // just above -> 2^-24
  EXPECT_EQ(f32_to_f16(3 * 0x1p-25f), 0x0002);         // 1.5 * 2^-24 -> 2 * 2^-24 (even)
  EXPECT_EQ(f32_to_f16(0x1p-14f), 0x0400);             // smallest normal half
  EXPECT_EQ(f32_to_f16(-0.0f), 0x8000);
  EXPECT_TRUE(std::isnan(f16_to_f32(f32_to_f16(std::bit_cast<float>(0x7F800001u)))));
  EXPECT_EQ(f32_to_f16(std::bit_cast<float>(0xFFC00000u)) & 0x8000, 0x8000);
  // every half value converts to f32 and back to itself
  for (std::uint32_t h = 0; h < 0x10000; ++h) {
    const float f = f16_to_f32(static_cast<std::uint16_t>(h));
    if (std::isnan(f)) continue;
    ASSERT_EQ(f32_to_f16(f), h) << h;
  }
}

TEST(Writer, F32RoundTripIsBitExactAndHeaderMatchesTheReference) {
  TempDir dir;
  const Checkpoint src = Checkpoint::open(test::model("ft_task1"));
  std::vector<TensorSpec> specs;
  for (const auto& t : src.tensors()) specs.push_back({t.name, DType::F32, t.shape});
  const std::string out = dir.file("out.safetensors");
  {
    SafetensorsWriter w(out, specs, {{"format", "pt"}});
    for (const auto& t : src.tensors()) {
      const Eigen::VectorXf v = src.read_vector(t.name);
      w.write(t.name, {v.data(), static_cast<std::size_t>(v.size())});
    }
    w.finish();
  }
  // PyTorch's file and ours are byte-identical: same key order, same padding, same data layout
  std::ifstream a(test::model("ft_task1") + "/model.safetensors", std::ios::binary), b(out, std::ios::binary);
  const std::string sa((std::istreambuf_iterator<char>(a)), {}), sb((std::istreambuf_iterator<char>(b)), {});
  EXPECT_EQ(sa, sb);
  const Checkpoint back = Checkpoint::open(out);
  for (const auto& t : src.tensors()) {
    const auto x = src.raw(t.name), y = back.raw(t.name);
    ASSERT_EQ(x.size(), y.size());
    EXPECT_EQ(std::memcmp(x.data(), y.data(), x.size()), 0);
  }
}

TEST(Writer, Bf16AndF16OutputEqualTorchConversions) {
  TempDir dir;
  const Checkpoint src = Checkpoint::open(test::model("multitask"));
  for (const DType dt : {DType::BF16, DType::F16}) {
    const std::string out = dir.file(std::string(dtype_name(dt)) + ".safetensors");
    std::vector<TensorData> data;
    for (const auto& t : src.tensors()) {
      const Eigen::VectorXf v = src.read_vector(t.name);
      data.push_back({{t.name, dt, t.shape}, std::vector<float>(v.data(), v.data() + v.size())});
    }
    write_safetensors(out, data, {{"format", "pt"}});
    // the fixture's -bf16/-f16 variants were converted by PyTorch (round to nearest even): identical bytes
    const Checkpoint torch = Checkpoint::open(test::model(dt == DType::BF16 ? "multitask-bf16" : "multitask-f16"));
    const Checkpoint ours = Checkpoint::open(out);
    for (const auto& t : src.tensors()) {
      const auto x = torch.raw(t.name), y = ours.raw(t.name);
      ASSERT_EQ(x.size(), y.size());
      EXPECT_EQ(std::memcmp(x.data(), y.data(), x.size()), 0) << dtype_name(dt) << " " << t.name;
    }
  }
}

TEST(Writer, StreamsBlocksInAnyOrderAndHeaderIsAligned) {
  TempDir dir;
  const std::string out = dir.file("blocks.safetensors");
  std::vector<float> a(1000), b(7);
  for (int i = 0; i < 1000; ++i) a[i] = static_cast<float>(i) * 0.25f - 100.0f;
  for (int i = 0; i < 7; ++i) b[i] = static_cast<float>(i);
  {
    SafetensorsWriter w(out, {{"a", DType::BF16, {10, 100}}, {"b", DType::F32, {7}}}, {});
    w.write("b", b);
    w.write("a", std::span<const float>(a).subspan(500), 500);  // second half first
    w.write("a", std::span<const float>(a).first(500), 0);
    w.finish();
  }
  const Checkpoint ck = Checkpoint::open(out);
  const Eigen::VectorXf ra = ck.read_vector("a");
  for (int i = 0; i < 1000; ++i) EXPECT_EQ(ra[i], bf16_to_f32(f32_to_bf16(a[i])));
  std::ifstream in(out, std::ios::binary);
  std::uint64_t n = 0;
  in.read(reinterpret_cast<char*>(&n), 8);
  EXPECT_EQ((8 + n) % 8, 0u);
  std::string header(n, '\0');
  in.read(header.data(), static_cast<std::streamsize>(n));
  EXPECT_EQ(header.find("__metadata__"), std::string::npos);  // no metadata given -> none written
  EXPECT_EQ(header.find_first_not_of(' ', header.find_last_of('}') + 1), std::string::npos);  // padded with spaces
}

TEST(Writer, IncompleteOrAbandonedWritesLeaveNoFile) {
  TempDir dir;
  const std::string out = dir.file("partial.safetensors");
  {
    SafetensorsWriter w(out, {{"a", DType::F32, {4}}}, {});
    const float half[2] = {1, 2};
    w.write("a", half);
    EXPECT_THROW(w.finish(), CheckpointError);
    EXPECT_THROW(w.write("a", half, 3), CheckpointError);  // past the end
    EXPECT_THROW(w.write("zzz", half), CheckpointError);   // undeclared
  }
  EXPECT_TRUE(fs::is_empty(dir.path));  // temp file removed, nothing renamed into place
}

TEST(Writer, RefusesToOverwriteAndRejectsBadSpecs) {
  TempDir dir;
  const std::string out = dir.file("x.safetensors");
  write_safetensors(out, {{{"a", DType::F32, {1}}, {3.0f}}});
  EXPECT_THROW(write_safetensors(out, {{{"a", DType::F32, {1}}, {4.0f}}}), CheckpointError);
  EXPECT_EQ(Checkpoint::open(out).read_vector("a")[0], 3.0f);
  WriterOptions ow;
  ow.overwrite = true;
  write_safetensors(out, {{{"a", DType::F32, {1}}, {4.0f}}}, {}, ow);
  EXPECT_EQ(Checkpoint::open(out).read_vector("a")[0], 4.0f);
  {  // an integer tensor is declared fine but only takes raw bytes (raw_writer_test.cpp)
    SafetensorsWriter w(dir.file("y.safetensors"), {{"a", DType::I32, {1}}}, {});
    const float one[1] = {1.0f};
    EXPECT_THROW(w.write("a", one), CheckpointError);
  }
  EXPECT_THROW(SafetensorsWriter(dir.file("y.safetensors"), {{"a", DType::F32, {1}}, {"a", DType::F32, {1}}}, {}),
               CheckpointError);
}

TEST(ShardedWriter, ShardsByMaxSizeWithTransformersLayoutAndReadsBackEqual) {
  TempDir dir;
  const Checkpoint src = Checkpoint::open(test::model("ft_task2"));
  std::vector<TensorSpec> specs;
  for (const auto& t : src.tensors()) specs.push_back({t.name, DType::F32, t.shape});
  // tensors in name order: fc1.bias 256 B, fc1.weight 16384, fc2.bias 40, fc2.weight 2560; limit 10000 ->
  // [fc1.bias] [fc1.weight (alone, larger than the limit)] [fc2.bias fc2.weight]
  WriterOptions opt;
  opt.max_shard_bytes = 10000;
  {
    CheckpointWriter w(dir.path.string(), specs, {{"note", "test"}}, opt);
    EXPECT_EQ(w.shard_count(), 3u);
    for (const auto& t : src.tensors()) {
      const Eigen::VectorXf v = src.read_vector(t.name);
      w.write(t.name, {v.data(), static_cast<std::size_t>(v.size())});
    }
    w.finish();
  }
  for (const char* f : {"model-00001-of-00003.safetensors", "model-00002-of-00003.safetensors",
                        "model-00003-of-00003.safetensors", "model.safetensors.index.json"})
    EXPECT_TRUE(fs::exists(dir.path / f)) << f;
  const Checkpoint back = Checkpoint::open(dir.path.string());
  EXPECT_TRUE(back.sharded());
  EXPECT_EQ(back.file_count(), 3u);
  EXPECT_EQ(back.metadata().at("format"), "pt");
  EXPECT_EQ(back.metadata().at("note"), "test");
  EXPECT_NE(back.at("fc2.weight").file.find("model-00003-of-00003"), std::string::npos);
  for (const auto& t : src.tensors()) EXPECT_EQ(back.read_vector(t.name), src.read_vector(t.name));
  std::ifstream idx(dir.file("model.safetensors.index.json"));
  const auto j = nlohmann::json::parse(idx);
  EXPECT_EQ(j["metadata"]["total_size"].get<std::uint64_t>(), 19240u);
}

TEST(ShardedWriter, OneShardPlanWritesModelSafetensors) {
  TempDir dir;
  CheckpointWriter w(dir.path.string(), {{"a", DType::F16, {2}}}, {});
  const float v[2] = {1.5f, -2.0f};
  w.write("a", v);
  w.finish();
  EXPECT_TRUE(fs::exists(dir.path / "model.safetensors"));
  EXPECT_FALSE(fs::exists(dir.path / "model.safetensors.index.json"));
  EXPECT_EQ(Checkpoint::open(dir.path.string()).read_vector("a"), Eigen::Vector2f(1.5f, -2.0f));
}

}  // namespace
}  // namespace mergelab::ckpt
