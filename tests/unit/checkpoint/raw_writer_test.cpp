// Raw pass-through in the writers: integer/bool tensors are written as their bytes, same dtype and shape,
// streamed (any block order) and atomic like float tensors.
#include <gtest/gtest.h>

#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>

#include "core/checkpoint/checkpoint.h"
#include "core/checkpoint/writer.h"
#include "tests/unit/checkpoint/test_util.h"

namespace mergelab::ckpt {
namespace {

namespace fs = std::filesystem;
using test::TempDir;

template <class T>
std::vector<std::byte> bytes_of(const std::vector<T>& v) {
  std::vector<std::byte> out(v.size() * sizeof(T));
  if (!v.empty()) std::memcpy(out.data(), v.data(), out.size());
  return out;
}

std::vector<std::byte> raw(const Checkpoint& c, const std::string& name) {
  const auto s = c.raw(name);
  return {s.begin(), s.end()};
}

TEST(RawWriter, IntegerAndBoolTensorsRoundTripBitExactBesideFloats) {
  TempDir dir;
  const std::string out = dir.file("m.safetensors");
  const std::vector<std::int64_t> ids = {0, 1, 2, -3, 1LL << 40};
  const std::vector<std::uint8_t> mask = {1, 0, 1, 1};
  const std::vector<std::int8_t> q = {-128, 127};
  const std::vector<float> w = {0.5f, -2.0f};
  write_safetensors_raw(out, {{{"w", DType::F32, {2}}, bytes_of(w)},
                              {{"position_ids", DType::I64, {1, 5}}, bytes_of(ids)},
                              {{"mask", DType::BOOL, {2, 2}}, bytes_of(mask)},
                              {{"q", DType::I8, {2}}, bytes_of(q)},
                              {{"empty", DType::I32, {0}}, {}}});
  const Checkpoint c = Checkpoint::open(out);
  EXPECT_EQ(c.at("position_ids").dtype, DType::I64);
  EXPECT_EQ(c.at("position_ids").shape, (std::vector<std::uint64_t>{1, 5}));
  EXPECT_EQ(raw(c, "position_ids"), bytes_of(ids));
  EXPECT_EQ(c.at("mask").dtype, DType::BOOL);
  EXPECT_EQ(raw(c, "mask"), bytes_of(mask));
  EXPECT_EQ(raw(c, "q"), bytes_of(q));
  EXPECT_EQ(c.at("empty").nbytes, 0u);
  EXPECT_TRUE(c.read_vector("w").isApprox(Eigen::Vector2f(0.5f, -2.0f)));
  // The header says what safetensors expects: dtype name, shape, byte offsets of 8 x 5 bytes.
  std::ifstream f(out, std::ios::binary);
  std::uint64_t n = 0;
  f.read(reinterpret_cast<char*>(&n), 8);
  std::string header(n, ' ');
  f.read(header.data(), static_cast<std::streamsize>(n));
  const auto j = nlohmann::json::parse(header);
  EXPECT_EQ(j["position_ids"]["dtype"], "I64");
  const auto off = j["position_ids"]["data_offsets"];
  EXPECT_EQ(off[1].get<std::uint64_t>() - off[0].get<std::uint64_t>(), 40u);
}

TEST(RawWriter, BlocksInAnyOrderAndIncompleteTensorsAreRefused) {
  TempDir dir;
  const std::vector<std::int64_t> ids = {10, 20, 30, 40};
  const auto b = bytes_of(ids);
  {
    SafetensorsWriter w(dir.file("a.safetensors"), {{"ids", DType::I64, {4}}}, {});
    w.write_raw("ids", std::span<const std::byte>(b).subspan(16), 16);  // second half first
    EXPECT_THROW(w.finish(), CheckpointError);                         // half written
    w.write_raw("ids", std::span<const std::byte>(b).first(16), 0);
    EXPECT_THROW(w.write_raw("ids", b, 8), CheckpointError);  // past the end
    const float f[1] = {1.0f};
    EXPECT_THROW(w.write("ids", f), CheckpointError);  // f32 cannot become I64
    w.finish();
  }
  EXPECT_EQ(raw(Checkpoint::open(dir.file("a.safetensors")), "ids"), b);
  {
    SafetensorsWriter w(dir.file("b.safetensors"), {{"ids", DType::I64, {4}}}, {});
    w.write_raw("ids", std::span<const std::byte>(b).first(8));
  }  // abandoned: nothing left behind
  EXPECT_FALSE(fs::exists(dir.file("b.safetensors")));
  for (const auto& e : fs::directory_iterator(dir.path))
    EXPECT_EQ(e.path().filename().string(), "a.safetensors");
}

TEST(RawWriter, ShardedCheckpointWriterPassesRawTensorsThrough) {
  TempDir dir;
  const std::vector<std::int64_t> ids = {0, 1, 2, 3};
  const std::vector<std::uint8_t> mask = {1, 0, 0};
  CheckpointWriter w(dir.path.string(),
                     {{"a", DType::F32, {4}}, {"mask", DType::BOOL, {3}}, {"position_ids", DType::I64, {4}}}, {},
                     {.max_shard_bytes = 40});
  EXPECT_EQ(w.shard_count(), 2u);  // a (16 B) + mask (3 B) | position_ids (32 B)
  const float a[4] = {1, 2, 3, 4};
  w.write("a", a);
  w.write_raw("position_ids", bytes_of(ids));
  w.write_raw("mask", bytes_of(mask));
  EXPECT_THROW(w.write_raw("nope", bytes_of(mask)), CheckpointError);
  w.finish();
  const Checkpoint c = Checkpoint::open(dir.path.string());
  EXPECT_TRUE(c.sharded());
  EXPECT_EQ(raw(c, "position_ids"), bytes_of(ids));
  EXPECT_EQ(raw(c, "mask"), bytes_of(mask));
  EXPECT_EQ(c.at("mask").dtype, DType::BOOL);
}

}  // namespace
}  // namespace mergelab::ckpt
