// Grid sweeps: axis parsing, grid order, a known analytic optimum, threads, progress, cancel, export.
#include "core/search/sweep.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <sstream>


namespace fs = std::filesystem;
using namespace mergelab::search;

namespace {

std::string axis_error(const std::string& spec) {
  try {
    parse_axis(spec);
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "<no error>";
}

// Peak at (a, b) = (0.3, 0.6): score = 1 - (a - 0.3)^2 - (b - 0.6)^2; loss = its negation.
MetricMap bowl(const std::vector<double>& p) {
  const double score = 1 - (p[0] - 0.3) * (p[0] - 0.3) - (p[1] - 0.6) * (p[1] - 0.6);
  return {{"score", score}, {"loss", -score}};
}

std::string read_file(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

TEST(SweepAxis, ParsesLinspace) {
  const SweepAxis a = parse_axis("alpha=0:1:11");
  EXPECT_EQ(a.name, "alpha");
  const auto v = a.values();
  ASSERT_EQ(v.size(), 11u);
  EXPECT_EQ(v.front(), 0.0);
  EXPECT_DOUBLE_EQ(v[3], 0.3);
  EXPECT_EQ(v.back(), 1.0);
  EXPECT_EQ(parse_axis("t=0.5:0.9:1").values(), std::vector<double>{0.5});
  EXPECT_EQ(parse_axis("w=1:-1:3").values(), (std::vector<double>{1, 0, -1}));
  EXPECT_EQ(parse_axis_range("density", "1e-1:5e-1:5").values().size(), 5u);
}

TEST(SweepAxis, ClearErrors) {
  EXPECT_EQ(axis_error("alpha"), "sweep parameter 'alpha' must be NAME=start:stop:steps (e.g. alpha=0:1:11)");
  EXPECT_EQ(axis_error("=0:1:3"), "sweep parameter '=0:1:3' must be NAME=start:stop:steps (e.g. alpha=0:1:11)");
  EXPECT_EQ(axis_error("alpha=0:1"), "parameter 'alpha': range '0:1' must be start:stop:steps (e.g. 0:1:11)");
  EXPECT_EQ(axis_error("alpha=0:1:3:4"), "parameter 'alpha': range '0:1:3:4' must be start:stop:steps (e.g. 0:1:11)");
  EXPECT_EQ(axis_error("alpha=a:1:3"), "parameter 'alpha': range 'a:1:3': start 'a' is not a number");
  EXPECT_EQ(axis_error("alpha=0::3"), "parameter 'alpha': range '0::3': stop '' is not a number");
  EXPECT_EQ(axis_error("alpha=0:1:0"), "parameter 'alpha': range '0:1:0': steps '0' must be a whole number from 1 to 100000");
  EXPECT_EQ(axis_error("alpha=0:1:2.5"),
            "parameter 'alpha': range '0:1:2.5': steps '2.5' must be a whole number from 1 to 100000");
  EXPECT_THROW(SweepGrid({}), std::invalid_argument);
  EXPECT_THROW(SweepGrid({parse_axis("a=0:1:2"), parse_axis("a=0:1:2")}), std::invalid_argument);
  EXPECT_THROW(SweepGrid({parse_axis("a=0:1:2"), parse_axis("b=0:1:2"), parse_axis("c=0:1:2"), parse_axis("d=0:1:2")}),
               std::invalid_argument);
}

TEST(SweepGrid, RowMajorLastAxisFastest) {
  const SweepGrid g({parse_axis("a=0:1:2"), parse_axis("b=10:30:3"), parse_axis("c=5:5:1")});
  EXPECT_EQ(g.size(), 6u);
  EXPECT_EQ(g.names(), (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(g.point(0), (std::vector<double>{0, 10, 5}));
  EXPECT_EQ(g.point(1), (std::vector<double>{0, 20, 5}));
  EXPECT_EQ(g.point(3), (std::vector<double>{1, 10, 5}));
  EXPECT_EQ(g.point(5), (std::vector<double>{1, 30, 5}));
  EXPECT_EQ(g.indices(4), (std::vector<size_t>{1, 1, 0}));
}

TEST(Sweep, FindsTheAnalyticOptimumOnThreads) {
  const SweepGrid g({parse_axis("a=0:1:11"), parse_axis("b=0:1:6")});
  std::atomic<int> calls{0};
  std::vector<size_t> done_counts;
  std::mutex m;
  SweepOptions opt;
  opt.threads = 3;
  opt.on_progress = [&](const SweepProgress& p) {
    std::lock_guard<std::mutex> lock(m);
    done_counts.push_back(p.done);
    EXPECT_EQ(p.total, 66u);
    EXPECT_GE(p.eta_seconds, 0.0);
    ASSERT_NE(p.last_row, nullptr);
    EXPECT_TRUE(p.last_row->done);
  };
  const SweepResult r = run_sweep(
      g,
      [&](const std::vector<double>& p) {
        ++calls;
        return bowl(p);
      },
      opt);
  EXPECT_EQ(calls.load(), 66);
  EXPECT_EQ(r.completed, 66u);
  EXPECT_FALSE(r.cancelled);
  ASSERT_EQ(done_counts.size(), 66u);
  for (size_t i = 0; i < done_counts.size(); ++i) EXPECT_EQ(done_counts[i], i + 1);
  for (size_t i = 0; i < r.rows.size(); ++i) {  // grid order, whatever thread ran it
    EXPECT_EQ(r.rows[i].params, g.point(i));
    EXPECT_EQ(r.rows[i].metrics.at("score"), bowl(g.point(i)).at("score"));
  }
  const auto best = r.best("score", /*maximize=*/true);
  ASSERT_TRUE(best.has_value());
  EXPECT_EQ(g.indices(*best), (std::vector<size_t>{3, 3}));  // a = 0.3, b = 0.6
  EXPECT_EQ(r.best("loss", /*maximize=*/false), best);
  EXPECT_FALSE(r.best("missing", true).has_value());
  EXPECT_EQ(r.metric_names(), (std::vector<std::string>{"loss", "score"}));
}

TEST(Sweep, ErrorsAreRecordedPerPoint) {
  const SweepGrid g({parse_axis("a=0:3:4")});
  const SweepResult r = run_sweep(g, [](const std::vector<double>& p) -> MetricMap {
    if (p[0] == 2) throw std::runtime_error("merge failed: bad density");
    return {{"v", p[0]}};
  });
  ASSERT_EQ(r.rows.size(), 4u);
  EXPECT_EQ(r.rows[2].error, "merge failed: bad density");
  EXPECT_TRUE(r.rows[2].metrics.empty());
  EXPECT_EQ(*r.best("v", true), 3u);
  EXPECT_EQ(r.to_csv(), "a,v,error\n0,0,\n1,1,\n2,,merge failed: bad density\n3,3,\n");
}

TEST(Sweep, CancelStopsHandingOutPoints) {
  const SweepGrid g({parse_axis("a=0:1:100")});
  std::atomic<bool> cancel{false};
  SweepOptions opt;
  opt.threads = 2;
  opt.cancel = &cancel;
  opt.on_progress = [&](const SweepProgress& p) {
    if (p.done == 10) cancel = true;
  };
  const SweepResult r = run_sweep(g, [](const std::vector<double>& p) { return MetricMap{{"v", p[0]}}; }, opt);
  EXPECT_TRUE(r.cancelled);
  EXPECT_GE(r.completed, 10u);
  EXPECT_LE(r.completed, 12u);  // at most one more point per thread already started
  size_t done = 0;
  for (const auto& row : r.rows) done += row.done;
  EXPECT_EQ(done, r.completed);
  EXPECT_EQ(nlohmann::json::parse(r.to_json())["rows"].size(), r.completed);
}

TEST(Sweep, CsvAndJsonExport) {
  const SweepGrid g({parse_axis("a=0:1:3"), parse_axis("b=0:1:2")});
  const SweepResult r = run_sweep(g, bowl);
  std::string dir_pattern = (fs::temp_directory_path() / "mergelab_sweep_XXXXXX").string();
  ASSERT_NE(mkdtemp(dir_pattern.data()), nullptr);
  const fs::path dir = dir_pattern;
  r.write_csv(dir / "sweep.csv");
  r.write_json(dir / "sweep.json", "score", true);
  const std::string csv = read_file(dir / "sweep.csv");
  EXPECT_EQ(csv.substr(0, csv.find('\n')), "a,b,loss,score,error");
  EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 7);
  // Row a = 0.5, b = 0: score = 1 - 0.04 - 0.36 = 0.6 (printed with 17 significant digits).
  EXPECT_NE(csv.find("\n0.5,0,"), std::string::npos) << csv;
  const auto j = nlohmann::json::parse(read_file(dir / "sweep.json"));
  EXPECT_EQ(j["params"], (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(j["rows"].size(), 6u);
  EXPECT_EQ(j["best"]["index"], 3);  // (0.5, 1): 1 - 0.04 - 0.16 = 0.8 beats (0.5, 0): 0.6 and (0, 1): 0.75
  EXPECT_DOUBLE_EQ(j["best"]["params"]["a"].get<double>(), 0.5);
  EXPECT_DOUBLE_EQ(j["best"]["metrics"]["score"].get<double>(), 0.8);
  // Only the two outputs remain: no temporary files left behind.
  EXPECT_EQ(std::distance(fs::directory_iterator(dir), fs::directory_iterator()), 2);
  fs::remove_all(dir);
}

