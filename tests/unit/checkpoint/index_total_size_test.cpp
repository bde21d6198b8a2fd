// A sharded index whose metadata.total_size does not match its tensors: accepted with a warning naming both.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "core/checkpoint/checkpoint.h"
#include "core/checkpoint/writer.h"
#include "tests/unit/checkpoint/test_util.h"

namespace mergelab::ckpt {
namespace {

TEST(ShardIndex, TotalSizeMismatchIsAWarningNamingBothNumbers) {
  test::TempDir dir;
  const std::string out = dir.path.string();
  std::vector<TensorSpec> specs = {{"a", DType::F32, {4}}, {"b", DType::F16, {6}}};  // 16 + 12 bytes
  CheckpointWriter w(out, specs, {}, {.max_shard_bytes = 16});
  w.write("a", std::vector<float>(4, 1.0f));
  w.write("b", std::vector<float>(6, 2.0f));
  w.finish();
  const std::string index = out + "/" + kIndexFileName;
  EXPECT_TRUE(Checkpoint::open(out).warnings().empty());  // the writer's own index is right: 28 bytes

  nlohmann::json j = nlohmann::json::parse(std::ifstream(index));
  ASSERT_EQ(j["metadata"]["total_size"], 28);
  j["metadata"]["total_size"] = 56;  // e.g. a tied embedding counted twice
  std::ofstream(index) << j.dump();
  const Checkpoint ck = Checkpoint::open(out);
  ASSERT_EQ(ck.warnings().size(), 1u);
  EXPECT_EQ(ck.warnings()[0], index + ": metadata total_size 56 does not match the 28 bytes its tensors hold "
                                      "(the field is ignored)");
  EXPECT_EQ(ck.read_vector("b")[5], 2.0f);  // still fully readable
}

}  // namespace
}  // namespace mergelab::ckpt
