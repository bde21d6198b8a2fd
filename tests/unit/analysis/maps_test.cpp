#include "core/analysis/maps.h"

#include <gtest/gtest.h>

#include <cmath>

#include "core/merge/stats.h"
#include "fixtures.h"

namespace mergelab::analysis {
namespace {

using testing::digits_models;

TEST(MapsTest, ModuleKindsAndGroupsFromTensorNames) {
  EXPECT_EQ(module_kind("model.layers.12.self_attn.q_proj.weight"), "q");
  EXPECT_EQ(module_kind("model.layers.0.self_attn.o_proj.bias"), "o");
  EXPECT_EQ(module_kind("model.layers.2.mlp.gate_proj.weight"), "gate");
  EXPECT_EQ(module_kind("model.layers.2.mlp.down_proj.weight"), "down");
  EXPECT_EQ(module_kind("model.layers.0.input_layernorm.weight"), "input_layernorm");
  EXPECT_EQ(module_kind("transformer.h.3.attn.c_attn.weight"), "c_attn");
  EXPECT_EQ(module_kind("fc1.weight"), "");
  EXPECT_EQ(module_kind("model.embed_tokens.weight"), "");
  EXPECT_EQ(tensor_group("fc1.weight"), "fc1");
  EXPECT_EQ(tensor_group("fc1.bias"), "fc1");
  EXPECT_EQ(tensor_group("lm_head.weight"), "lm_head");
  EXPECT_EQ(tensor_group("model.layers.1.self_attn.k_proj.weight"), "k");
}

// A hand-made layered family, base 0, two task vectors (values chosen so every statistic is easy to derive).
TEST(MapsTest, LayerGridGroupsAndWholeModelFromHandDerivedTaskVectors) {
  const Layout layout{{"model.layers.0.self_attn.q_proj.weight", {2, 2}},
                      {"model.layers.0.mlp.down_proj.weight", {1, 2}},
                      {"model.layers.1.self_attn.q_proj.weight", {2, 2}},
                      {"model.norm.weight", {2}}};
  const Eigen::VectorXf base = Eigen::VectorXf::Zero(12);
  Eigen::VectorXf t1(12), t2(12);
  //     q0 ------  down0  q1 ------  norm
  t1 << 1, 0, 0, 0, 1, 1, 0, 2, 0, 0, 1, 0;
  t2 << 1, 0, 0, 0, -1, 1, 0, 0, 3, 0, 0, 0;
  const TaskVectorMaps m = task_vector_maps(layout, base, {&t1, &t2}, /*density=*/0.5, {.threads = 2});
  ASSERT_EQ(m.layers, (std::vector<int>{0, 1}));
  ASSERT_EQ(m.kinds, (std::vector<std::string>{"q", "down"}));
  const TaskVectorStats* q0 = m.cell(0, 0);
  const TaskVectorStats* down0 = m.cell(0, 1);
  const TaskVectorStats* q1 = m.cell(1, 0);
  ASSERT_TRUE(q0 && down0 && q1);
  EXPECT_EQ(m.cell(1, 1), nullptr);
  // layer 0, q: the same vector twice.
  EXPECT_DOUBLE_EQ(q0->norms[0], 1.0);
  EXPECT_DOUBLE_EQ(q0->cosines(0, 1), 1.0);
  EXPECT_DOUBLE_EQ(q0->sign_conflict, 0.0);
  EXPECT_DOUBLE_EQ(q0->kept[0], 0.25);  // top 2 of 4 kept, but only one entry is non-zero
  // layer 0, down: (1, 1) vs (-1, 1): orthogonal, one sign conflict in two, top 1 of 2 kept.
  EXPECT_DOUBLE_EQ(down0->norms[1], std::sqrt(2.0));
  EXPECT_NEAR(down0->cosines(0, 1), 0.0, 1e-15);
  EXPECT_DOUBLE_EQ(down0->sign_conflict, 0.5);
  EXPECT_DOUBLE_EQ(down0->kept[1], 0.5);
  // layer 1, q: 2 e1 vs 3 e2: orthogonal, two conflicts (np.sign 0 is a sign of its own) in four.
  EXPECT_DOUBLE_EQ(q1->norms[0], 2.0);
  EXPECT_DOUBLE_EQ(q1->norms[1], 3.0);
  EXPECT_DOUBLE_EQ(q1->cosines(0, 1), 0.0);
  EXPECT_DOUBLE_EQ(q1->sign_conflict, 0.5);
  // group q pools layers 0 and 1: norms sqrt(5), sqrt(10), dot 1.
  ASSERT_EQ(m.groups.size(), 3u);
  EXPECT_EQ(m.groups[0].name, "q");
  EXPECT_EQ(m.groups[1].name, "down");
  EXPECT_EQ(m.groups[2].name, "model.norm");
  EXPECT_NEAR(m.groups[0].norms[0], std::sqrt(5.0), 1e-15);
  EXPECT_NEAR(m.groups[0].norms[1], std::sqrt(10.0), 1e-15);
  EXPECT_NEAR(m.groups[0].cosines(0, 1), 1.0 / std::sqrt(50.0), 1e-15);
  EXPECT_DOUBLE_EQ(m.groups[0].sign_conflict, 0.25);
  EXPECT_DOUBLE_EQ(m.groups[0].kept[1], 0.25);
  EXPECT_EQ(m.groups[2].cosines(0, 1), 0.0);  // tau_2 is 0 there
  // whole model: |t1|^2 = 8, |t2|^2 = 12, dot 1; conflicts 0 + 1 + 2 + 1 of 12.
  EXPECT_EQ(m.whole.entries, 12u);
  EXPECT_NEAR(m.whole.cosines(0, 1), 1.0 / std::sqrt(96.0), 1e-15);
  EXPECT_NEAR(m.whole.sign_conflict, 4.0 / 12.0, 1e-15);
  EXPECT_NEAR(m.whole.mean_cosine(), 1.0 / std::sqrt(96.0), 1e-15);
  EXPECT_THROW(task_vector_maps(layout, base, {&t1}, 1.5), std::invalid_argument);
  EXPECT_THROW(task_vector_maps(layout, base, {}, 0.5), std::invalid_argument);
}

TEST(MapsTest, DigitsWholeModelAndPerTensorStatisticsEqualTheDirectOnes) {
  const FlatModels f = digits_models({"base", "ft_task0", "ft_task1", "ft_task2"});
  const TaskVectorMaps m = task_vector_maps(f.layout, f.vectors[0], {&f.vectors[1], &f.vectors[2], &f.vectors[3]}, 0.2);
  std::vector<Eigen::VectorXf> taus;
  for (int k = 1; k <= 3; ++k) taus.push_back(f.vectors[k] - f.vectors[0]);
  merge::VecViews<float> views(taus.begin(), taus.end());
  const Eigen::MatrixXd direct = merge::cosine_matrix<float>(views);
  EXPECT_LT((m.whole.cosines - direct).cwiseAbs().maxCoeff(), 1e-9);
  EXPECT_NEAR(m.whole.sign_conflict,
              static_cast<double>(merge::sign_conflicts<float>(views)) / static_cast<double>(taus[0].size()), 1e-12);
  for (int k = 0; k < 3; ++k) EXPECT_NEAR(m.whole.norms[k], merge::l2_norm<float>(views[k]), 1e-9);
  EXPECT_TRUE(m.layers.empty());  // fc1/fc2 carry no layer number
  ASSERT_EQ(m.groups.size(), 2u);
  EXPECT_EQ(m.groups[0].name, "fc1");
  EXPECT_EQ(m.groups[0].entries, 64u * 64u + 64u);
  ASSERT_EQ(m.tensors.size(), 4u);
  for (const auto& t : m.tensors)
    for (double k : t.kept) EXPECT_LE(k, 0.2 + 1e-12) << t.name;  // at most int(0.2 n) entries survive the trim
}

}  // namespace
}  // namespace mergelab::analysis
