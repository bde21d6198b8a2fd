// Checkpoint family (core/checkpoint/family.h) on the digits fixtures: opening, errors, task vectors, thresholds.
#include <gtest/gtest.h>

#include <cmath>
#include <stdexcept>

#include "core/checkpoint/family.h"
#include "tests/unit/checkpoint/test_util.h"

namespace mergelab::ckpt {
namespace {

using test::model;

TEST(Family, OpensTheFixtureFamilyAndChecksIt) {
  const auto fam = open_checkpoint_family(model("base"), {model("ft_task0"), model("ft_task1"), model("lora_task2")});
  ASSERT_EQ(fam->models.size(), 3u);
  EXPECT_TRUE(fam->models[0].checkpoint && !fam->models[0].adapter);
  EXPECT_TRUE(fam->models[2].adapter);
  EXPECT_EQ(fam->report.models.size(), 3u);
  for (const auto& m : fam->report.models) EXPECT_TRUE(m.mergeable()) << m.path;
}

TEST(Family, TaskVectorIsModelMinusBase) {
  const auto fam = open_checkpoint_family(model("base"), {model("ft_task0")});
  const Checkpoint base = Checkpoint::open(model("base"));
  const Checkpoint ft = Checkpoint::open(model("ft_task0"));
  ASSERT_FALSE(base.tensors().empty());
  for (const TensorInfo& info : base.tensors()) {
    const Eigen::VectorXf tau = family_task_vector(*fam, 0, info.name);
    ASSERT_EQ(static_cast<std::uint64_t>(tau.size()), info.numel);
    EXPECT_EQ((tau - (ft.read_vector(info.name) - base.read_vector(info.name))).cwiseAbs().maxCoeff(), 0.0f) << info.name;
  }
  EXPECT_THROW(family_task_vector(*fam, 1, base.tensors().front().name), std::out_of_range);
}

TEST(Family, BadInputsNameTheFileAndTheProblem) {
  try {
    open_checkpoint_family(model("no-such-base"), {model("ft_task0")});
    FAIL();
  } catch (const std::exception& e) {
    EXPECT_NE(std::string(e.what()).find("no-such-base: no such file or folder"), std::string::npos) << e.what();
  }
  EXPECT_THROW(open_checkpoint_family(model("base"), {}), std::runtime_error);
  EXPECT_THROW(open_checkpoint_family("", {model("ft_task0")}), std::runtime_error);
  try {
    open_checkpoint_family(model("lora_task2"), {model("ft_task0")});
    FAIL();
  } catch (const std::exception& e) {
    EXPECT_NE(std::string(e.what()).find("not a LoRA adapter"), std::string::npos) << e.what();
  }
}

TEST(Family, DensityThresholdIsTheKthLargestMagnitude) {
  Eigen::VectorXf tau(5);
  tau << 0.5f, -3.0f, 1.0f, -0.25f, 2.0f;  // magnitudes sorted: 3, 2, 1, 0.5, 0.25
  EXPECT_EQ(density_threshold(tau, 0.4), 2.0);   // int(0.4 * 5) = 2: the 2nd largest
  EXPECT_EQ(density_threshold(tau, 1.0), 0.25);  // keep all: the smallest
  EXPECT_EQ(density_threshold(tau, 0.99), 0.5);  // int(4.95) = 4
  EXPECT_TRUE(std::isinf(density_threshold(tau, 0.1)));  // int(0.5) = 0: nothing kept
}

}  // namespace
}  // namespace mergelab::ckpt
