// Reading the real PyTorch fixtures (tests/data/digits/models) in every variant.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>

#include "core/checkpoint/checkpoint.h"
#include "tests/unit/checkpoint/test_util.h"

namespace mergelab::ckpt {
namespace {

using test::model;

const std::vector<std::string> kFullModels = {"base",      "ft_task0",       "ft_task1",          "ft_task2",
                                              "multitask", "diffinit_task0", "diffinit_multitask"};

void expect_digits_layout(const Checkpoint& ck, DType dtype) {
  const auto& ts = ck.tensors();
  ASSERT_EQ(ts.size(), 4u) << ck.path();
  // sorted by name
  EXPECT_EQ(ts[0].name, "fc1.bias");
  EXPECT_EQ(ts[1].name, "fc1.weight");
  EXPECT_EQ(ts[2].name, "fc2.bias");
  EXPECT_EQ(ts[3].name, "fc2.weight");
  EXPECT_EQ(ts[1].shape, (std::vector<std::uint64_t>{64, 64}));
  EXPECT_EQ(ts[3].shape, (std::vector<std::uint64_t>{10, 64}));
  EXPECT_EQ(ts[0].shape, (std::vector<std::uint64_t>{64}));
  for (const auto& t : ts) {
    EXPECT_EQ(t.dtype, dtype) << t.name;
    EXPECT_EQ(t.nbytes, t.numel * dtype_size(dtype));
  }
  EXPECT_EQ(ck.total_bytes(), (64 + 64 * 64 + 10 + 10 * 64) * dtype_size(dtype));
}

TEST(Reader, EveryFullModelVariantLoads) {
  for (const auto& name : kFullModels) {
    SCOPED_TRACE(name);
    const Checkpoint f32 = Checkpoint::open(model(name));
    expect_digits_layout(f32, DType::F32);
    EXPECT_FALSE(f32.sharded());
    EXPECT_EQ(f32.metadata().at("format"), "pt");
    expect_digits_layout(Checkpoint::open(model(name + "-f16")), DType::F16);
    expect_digits_layout(Checkpoint::open(model(name + "-bf16")), DType::BF16);
    const Checkpoint sh = Checkpoint::open(model(name + "-sharded"));
    expect_digits_layout(sh, DType::F32);
    EXPECT_TRUE(sh.sharded());
    EXPECT_EQ(sh.file_count(), 2u);
  }
}

TEST(Reader, ShardedEqualsSingleFileBitForBit) {
  for (const auto& name : kFullModels) {
    const Checkpoint one = Checkpoint::open(model(name));
    const Checkpoint sh = Checkpoint::open(model(name + "-sharded") + "/model.safetensors.index.json");
    for (const auto& t : one.tensors()) {
      const auto a = one.raw(t.name), b = sh.raw(t.name);
      ASSERT_EQ(a.size(), b.size());
      EXPECT_EQ(std::memcmp(a.data(), b.data(), a.size()), 0) << name << " " << t.name;
    }
  }
  // the index names the shard files: fc1.weight sits alone in shard 1
  const Checkpoint sh = Checkpoint::open(model("ft_task0-sharded"));
  EXPECT_NE(sh.at("fc1.weight").file.find("model-00001-of-00002.safetensors"), std::string::npos);
  EXPECT_NE(sh.at("fc2.bias").file.find("model-00002-of-00002.safetensors"), std::string::npos);
}

// F16 has an 11-bit significand (relative error <= 2^-11 after rounding to nearest), BF16 an 8-bit one
// (<= 2^-8); tiny values may be F16 subnormals, whose absolute error is <= 2^-25.
TEST(Reader, HalfPrecisionVariantsMatchF32WithinTheirPrecision) {
  for (const auto& name : kFullModels) {
    const Checkpoint f32 = Checkpoint::open(model(name));
    const Checkpoint f16 = Checkpoint::open(model(name + "-f16"));
    const Checkpoint bf16 = Checkpoint::open(model(name + "-bf16"));
    for (const auto& t : f32.tensors()) {
      const Eigen::VectorXf a = f32.read_vector(t.name), h = f16.read_vector(t.name), b = bf16.read_vector(t.name);
      ASSERT_EQ(a.size(), h.size());
      for (Eigen::Index i = 0; i < a.size(); ++i) {
        EXPECT_LE(std::abs(h[i] - a[i]), std::max(std::abs(a[i]) * 0x1p-11f, 0x1p-25f)) << name << t.name << i;
        EXPECT_LE(std::abs(b[i] - a[i]), std::abs(a[i]) * 0x1p-8f) << name << t.name << i;
      }
      // and they are the round-to-nearest-even encodings of the F32 values, as PyTorch's .to() produces
      for (Eigen::Index i = 0; i < a.size(); ++i) {
        EXPECT_EQ(f32_to_f16(a[i]), f32_to_f16(h[i])) << name << t.name << i;
        EXPECT_EQ(bf16_to_f32(f32_to_bf16(a[i])), b[i]) << name << t.name << i;
      }
    }
  }
}

TEST(Reader, MatrixIsRowMajorLikeTheFile) {
  const Checkpoint ck = Checkpoint::open(model("ft_task0"));
  const Eigen::VectorXf flat = ck.read_vector("fc2.weight");
  const Eigen::MatrixXf m = ck.read_matrix("fc2.weight");
  ASSERT_EQ(m.rows(), 10);
  ASSERT_EQ(m.cols(), 64);
  for (int i = 0; i < 10; ++i)
    for (int j = 0; j < 64; ++j) ASSERT_EQ(m(i, j), flat[i * 64 + j]);
  const Eigen::MatrixXf bias = ck.read_matrix("fc2.bias");
  EXPECT_EQ(bias.rows(), 10);
  EXPECT_EQ(bias.cols(), 1);
}

TEST(Reader, BlockReadsEqualTheWholeTensor) {
  const Checkpoint ck = Checkpoint::open(model("multitask-bf16"));
  const Eigen::VectorXf whole = ck.read_vector("fc1.weight");
  std::vector<float> block(1000);
  ck.read_f32("fc1.weight", block, 3000);
  for (int i = 0; i < 1000; ++i) ASSERT_EQ(block[i], whole[3000 + i]);
  std::vector<float> past(100);
  EXPECT_THROW(ck.read_f32("fc1.weight", past, 4000), CheckpointError);
  EXPECT_THROW(ck.read_vector("nope"), CheckpointError);
}

TEST(Reader, OpensTheAdapterFileOfALoraFolder) {
  const Checkpoint ck = Checkpoint::open(model("lora_task0"));
  ASSERT_EQ(ck.tensors().size(), 4u);
  EXPECT_EQ(ck.at("base_model.model.fc1.lora_A.weight").shape, (std::vector<std::uint64_t>{4, 64}));
  EXPECT_EQ(ck.at("base_model.model.fc2.lora_B.weight").shape, (std::vector<std::uint64_t>{10, 4}));
}

TEST(Reader, MissingPathIsOneClearError) {
  try {
    Checkpoint::open(model("does-not-exist"));
    FAIL();
  } catch (const CheckpointError& e) {
    EXPECT_NE(std::string(e.what()).find("does-not-exist"), std::string::npos);
    EXPECT_NE(std::string(e.what()).find("no such file"), std::string::npos);
  }
}

}  // namespace
}  // namespace mergelab::ckpt
