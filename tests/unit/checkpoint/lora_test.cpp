// PEFT LoRA adapters -> task vectors, against the dense reference computed with PyTorch.
#include <gtest/gtest.h>

#include <fstream>

#include "core/checkpoint/lora.h"
#include "tests/unit/checkpoint/test_util.h"

namespace mergelab::ckpt {
namespace {

using test::TempDir;

TEST(Lora, ConfigOfTheFixture) {
  const LoraConfig c = read_lora_config(test::model("lora_task0") + "/adapter_config.json");
  EXPECT_EQ(c.r, 4);
  EXPECT_EQ(c.lora_alpha, 8);
  EXPECT_EQ(c.target_modules, (std::vector<std::string>{"fc1", "fc2"}));
  EXPECT_FALSE(c.fan_in_fan_out);
  EXPECT_TRUE(is_lora_adapter(test::model("lora_task0")));
  EXPECT_FALSE(is_lora_adapter(test::model("ft_task0")));
}

TEST(Lora, BasePlusDeltaEqualsTheAppliedReference) {
  const LoraAdapter ad = LoraAdapter::open(test::model("lora_task0"));
  EXPECT_EQ(ad.base_tensors(), (std::vector<std::string>{"fc1.weight", "fc2.weight"}));
  EXPECT_EQ(ad.scale("fc1.weight"), 2.0);  // lora_alpha / r = 8 / 4
  EXPECT_EQ(ad.base_shape("fc2.weight"), (std::vector<std::uint64_t>{10, 64}));
  const Checkpoint base = Checkpoint::open(test::model("base"));
  const Checkpoint applied = Checkpoint::open(test::expected("lora_task0_applied.safetensors"));
  for (const auto& t : base.tensors()) {
    Eigen::VectorXf w = base.read_vector(t.name);
    const auto bt = ad.base_tensors();
    if (std::find(bt.begin(), bt.end(), t.name) != bt.end()) w += ad.delta_flat(t.name);
    const Eigen::VectorXf want = applied.read_vector(t.name);
    ASSERT_EQ(w.size(), want.size());
    EXPECT_LE((w - want).cwiseAbs().maxCoeff(), 1e-6f) << t.name;
  }
  // the task vector is not trivially small: the check above means something
  EXPECT_GT(ad.delta_flat("fc1.weight").cwiseAbs().maxCoeff(), 1e-3f);
}

TEST(Lora, DeltaMatrixIsScaledBTimesA) {
  const LoraAdapter ad = LoraAdapter::open(test::model("lora_task1"));
  const Eigen::MatrixXf A = ad.file().read_matrix("base_model.model.fc2.lora_A.weight");
  const Eigen::MatrixXf B = ad.file().read_matrix("base_model.model.fc2.lora_B.weight");
  const Eigen::MatrixXf d = ad.delta("fc2.weight");
  ASSERT_EQ(d.rows(), 10);
  ASSERT_EQ(d.cols(), 64);
  // entry (3, 17) by hand: 2 * sum_k B[3][k] A[k][17]
  double s = 0;
  for (int k = 0; k < 4; ++k) s += static_cast<double>(B(3, k)) * A(k, 17);
  EXPECT_NEAR(d(3, 17), 2 * s, 1e-7);
  // flattened row-major
  EXPECT_EQ(ad.delta_flat("fc2.weight")[3 * 64 + 17], d(3, 17));
}

TEST(Lora, BadAdaptersGiveOneClearError) {
  TempDir dir;
  std::filesystem::copy_file(test::model("lora_task0") + "/adapter_model.safetensors", dir.file("adapter_model.safetensors"));
  const std::string cfg = dir.file("adapter_config.json");
  auto expect_error = [&](const std::string& config, const std::string& fragment) {
    std::ofstream(cfg, std::ios::trunc) << config;
    try {
      LoraAdapter::open(dir.path.string());
      ADD_FAILURE() << "no error for " << config;
    } catch (const CheckpointError& e) {
      EXPECT_NE(std::string(e.what()).find(fragment), std::string::npos) << e.what();
    }
  };
  expect_error(R"({"r": 4})", "lora_alpha");
  expect_error(R"({"r": 0, "lora_alpha": 8})", "\"r\" must be a positive integer");
  expect_error(R"({"r": 8, "lora_alpha": 8})", "differs from r = 8");
  expect_error(R"({"r": 4, "lora_alpha": 8, "use_dora": true})", "DoRA");
  expect_error(R"({"r": 4, "lora_alpha": 8, "r": 4})", "more than once");
  expect_error(R"({"r": 4, "lora_alpha": 8, "peft_type": "IA3"})", "only LORA");
  std::ofstream(cfg, std::ios::trunc) << R"({"r": 4, "lora_alpha": 8, "use_rslora": true})";
  EXPECT_EQ(LoraAdapter::open(dir.path.string()).scale("fc1.weight"), 4.0);  // 8 / sqrt(4)
  std::ofstream(cfg, std::ios::trunc) << R"({"r": 4, "lora_alpha": 8, "alpha_pattern": {"fc2": 2}})";
  const LoraAdapter ad = LoraAdapter::open(dir.path.string());
  EXPECT_EQ(ad.scale("fc1.weight"), 2.0);
  EXPECT_EQ(ad.scale("fc2.weight"), 0.5);
}

}  // namespace
}  // namespace mergelab::ckpt
