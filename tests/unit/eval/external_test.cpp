// External evaluator: quoting, the last-line JSON contract, and real runs of small shell scripts
// (success, non-zero exit, timeout with a background child, bad JSON, signals).
#include "core/eval/external.h"
#include "tests/unit/temp_dir.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <stdlib.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <thread>

namespace fs = std::filesystem;
using namespace mergelab::eval;

namespace {

// A temp folder that also writes executable shell scripts.
struct TempDir : mergelab::testing::TempDir {
  fs::path script(const std::string& name, const std::string& body) const {
    const fs::path p = path / name;
    std::ofstream(p) << "#!/bin/sh\n" << body;
    fs::permissions(p, fs::perms::owner_all);
    return p;
  }
};

ExternalEvalResult run(const fs::path& script, const fs::path& model_dir, double timeout = 20) {
  ExternalEvalOptions o;
  o.command_template = "sh " + shell_quote(script.string()) + " {model_dir}";
  o.timeout_seconds = timeout;
  o.kill_grace_seconds = 0.2;
  return run_external_evaluator(o, model_dir);
}

bool process_alive(pid_t pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  if (!stat) return false;
  std::string pid_field, comm, state;
  stat >> pid_field >> comm >> state;
  return state != "Z" && state != "X";
}

}  // namespace

TEST(ShellQuote, QuotesEverything) {
  EXPECT_EQ(shell_quote("a b"), "'a b'");
  EXPECT_EQ(shell_quote("it's"), "'it'\\''s'");
  EXPECT_EQ(shell_quote(""), "''");
  EXPECT_EQ(expand_command("python3 eval.py {model_dir} --out {model_dir}/x", "/tmp/m 1"),
            "python3 eval.py '/tmp/m 1' --out '/tmp/m 1'/x");
  EXPECT_EQ(expand_command("echo hi", "/x"), "echo hi");
}

TEST(ParseMetricsLine, LastNonEmptyLine) {
  MetricMap m;
  EXPECT_EQ(parse_metrics_line("loading...\n{\"acc\": 0.5, \"loss\": 2}\n\n  \n", m), "");
  EXPECT_EQ(m, (MetricMap{{"acc", 0.5}, {"loss", 2.0}}));
  EXPECT_EQ(parse_metrics_line("{\"a\": 1}\ndone", m), "last stdout line is not JSON: 'done' (expected an object such as {\"accuracy\": 0.9})");
  EXPECT_EQ(parse_metrics_line("", m), "printed nothing on stdout (expected a JSON object of metrics on its last line)");
  EXPECT_EQ(parse_metrics_line("\n \n", m), "printed nothing on stdout (expected a JSON object of metrics on its last line)");
  EXPECT_EQ(parse_metrics_line("[1, 2]", m), "last stdout line is JSON but not an object of metrics: '[1, 2]'");
  EXPECT_EQ(parse_metrics_line("{}", m), "last stdout line is an empty JSON object: no metrics");
  EXPECT_EQ(parse_metrics_line("{\"acc\": \"high\"}", m), "metric 'acc' on the last stdout line is a string, not a number");
  EXPECT_EQ(parse_metrics_line("{\"acc\": {\"x\": 1}}", m), "metric 'acc' on the last stdout line is an object, not a number");
  EXPECT_EQ(parse_metrics_line("{\"acc\": NaN}", m).rfind("last stdout line is not JSON", 0), 0u);
  // Past double's range: nlohmann throws out_of_range there, which is a refusal like any other.
  EXPECT_EQ(parse_metrics_line("{\"acc\": 1e999}", m).rfind("last stdout line is not JSON", 0), 0u);
}

TEST(ExternalEvaluator, SuccessWithAwkwardPath) {
  TempDir tmp;
  const fs::path model = tmp.path / "my model's dir; $HOME";
  fs::create_directories(model);
  std::ofstream(model / "config.json") << "{}";
  const auto script = tmp.script("eval.sh",
                                 "echo 'log line 1'\n"
                                 "echo 'warming up' >&2\n"
                                 "[ -f \"$1/config.json\" ] && found=1 || found=0\n"
                                 "[ \"$1\" = \"$MERGELAB_MODEL_DIR\" ] && same=1 || same=0\n"
                                 "echo \"{\\\"found\\\": $found, \\\"same_env\\\": $same, \\\"acc\\\": 0.875}\"\n"
                                 "echo\n");
  const auto r = run(script, model);
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_EQ(r.metrics, (MetricMap{{"acc", 0.875}, {"found", 1.0}, {"same_env", 1.0}}));
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_FALSE(r.timed_out);
  EXPECT_EQ(r.stderr_text, "warming up\n");
  EXPECT_EQ(r.stdout_text.rfind("log line 1\n", 0), 0u);
}

TEST(ExternalEvaluator, NonZeroExitShowsStderrTail) {
  TempDir tmp;
  const auto script = tmp.script("fail.sh",
                                 "i=0; while [ $i -lt 30 ]; do echo \"noise $i\" >&2; i=$((i+1)); done\n"
                                 "echo 'Traceback: model not found' >&2\n"
                                 "echo '{\"acc\": 1}'\n"
                                 "exit 3\n");
  const auto r = run(script, tmp.path);
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_NE(r.error.find("evaluator exited with status 3: sh "), std::string::npos) << r.error;
  EXPECT_NE(r.error.find("Traceback: model not found"), std::string::npos) << r.error;
  EXPECT_NE(r.error.find("noise 29"), std::string::npos) << r.error;
  EXPECT_EQ(r.error.find("noise 5\n"), std::string::npos) << "only the tail: " << r.error;
  EXPECT_TRUE(r.metrics.empty());
}

TEST(ExternalEvaluator, CommandNotFound) {
  ExternalEvalOptions o;
  o.command_template = "mergelab-no-such-program-xyz {model_dir}";
  const auto r = run_external_evaluator(o, "/tmp");
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.exit_code, 127);
  EXPECT_NE(r.error.find("not found"), std::string::npos) << r.error;
}

TEST(ExternalEvaluator, TimeoutKillsTheWholeGroup) {
  TempDir tmp;
  const fs::path pidfile = tmp.path / "child.pid";
  const auto script = tmp.script("slow.sh",
                                 "sleep 60 &\n"
                                 "echo $! > " + shell_quote(pidfile.string()) + "\n"
                                 "echo 'started'\n"
                                 "wait\n");
  const auto r = run(script, tmp.path, /*timeout=*/0.5);
  EXPECT_FALSE(r.ok);
  EXPECT_TRUE(r.timed_out);
  EXPECT_EQ(r.exit_code, -1);
  EXPECT_EQ(r.error.rfind("evaluator timed out after 0.5 s and was killed: sh ", 0), 0u) << r.error;
  EXPECT_EQ(r.stdout_text, "started\n");
  pid_t child = 0;
  std::ifstream(pidfile) >> child;
  ASSERT_GT(child, 0);
  // The background sleep was in the evaluator's process group: it must be gone (or a zombie awaiting reaping).
  for (int i = 0; i < 200 && process_alive(child); ++i) usleep(10000);
  EXPECT_FALSE(process_alive(child));
}

TEST(ExternalEvaluator, CancelStopsTheWholeGroupLongBeforeTheTimeout) {
  TempDir tmp;
  const fs::path pidfile = tmp.path / "child.pid";
  const auto script = tmp.script("slow.sh",
                                 "sleep 60 &\n"
                                 "echo $! > " + shell_quote(pidfile.string()) + "\n"
                                 "wait\n");
  std::atomic<bool> cancel{false};
  std::thread canceller([&] {
    // Cancel once the background child exists (polled; the evaluator checks the flag every 100 ms at most).
    for (int i = 0; i < 2000; ++i) {
      pid_t written = 0;
      std::ifstream(pidfile) >> written;
      if (written > 0) break;
      usleep(5000);
    }
    cancel = true;
  });
  ExternalEvalOptions o;
  o.command_template = "sh " + shell_quote(script.string());
  o.timeout_seconds = 60;
  o.kill_grace_seconds = 0.2;
  o.cancel = &cancel;
  const auto r = run_external_evaluator(o, tmp.path);
  canceller.join();
  EXPECT_FALSE(r.ok);
  EXPECT_TRUE(r.cancelled);
  EXPECT_FALSE(r.timed_out);
  EXPECT_LT(r.seconds, 10.0);  // far below the 60 s timeout
  EXPECT_EQ(r.error.rfind("evaluator was cancelled: sh ", 0), 0u) << r.error;
  pid_t child = 0;
  std::ifstream(pidfile) >> child;
  ASSERT_GT(child, 0);
  for (int i = 0; i < 200 && process_alive(child); ++i) usleep(10000);
  EXPECT_FALSE(process_alive(child));
}

TEST(ExternalEvaluator, BackgroundChildDoesNotHoldTheResult) {
  // The shell prints its metrics and exits while a background child keeps stdout open: the result is
  // taken after a short drain, not after the timeout, and the child is killed.
  TempDir tmp;
  const auto script = tmp.script("bg.sh", "sleep 60 &\necho '{\"acc\": 0.25}'\n");
  const auto r = run(script, tmp.path, /*timeout=*/30);
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_FALSE(r.timed_out);
  EXPECT_EQ(r.metrics.at("acc"), 0.25);
}

TEST(ExternalEvaluator, BadOutputs) {
  TempDir tmp;
  const auto not_json = run(tmp.script("a.sh", "echo 'accuracy=0.9'\necho 'some warning' >&2\n"), tmp.path);
  EXPECT_FALSE(not_json.ok);
  EXPECT_EQ(not_json.exit_code, 0);
  EXPECT_EQ(not_json.error,
            "evaluator last stdout line is not JSON: 'accuracy=0.9' (expected an object such as {\"accuracy\": 0.9})\n"
            "stderr (last lines):\nsome warning");
  const auto not_numbers = run(tmp.script("b.sh", "echo '{\"acc\": 0.9, \"name\": \"x\"}'\n"), tmp.path);
  EXPECT_FALSE(not_numbers.ok);
  EXPECT_EQ(not_numbers.error, "evaluator metric 'name' on the last stdout line is a string, not a number");
  const auto silent = run(tmp.script("c.sh", "true\n"), tmp.path);
  EXPECT_FALSE(silent.ok);
  EXPECT_EQ(silent.error, "evaluator printed nothing on stdout (expected a JSON object of metrics on its last line)");
}

TEST(ExternalEvaluator, KilledBySignal) {
  TempDir tmp;
  const auto r = run(tmp.script("k.sh", "echo '{\"acc\": 1}'\nkill -9 $$\n"), tmp.path);
  EXPECT_FALSE(r.ok);
  // `sh k.sh` is the killed process; the outer /bin/sh -c may exec it directly or report 128 + 9.
  EXPECT_TRUE(r.term_signal == SIGKILL || r.exit_code == 128 + SIGKILL) << r.error;
}

TEST(ExternalEvaluator, BadOptions) {
  ExternalEvalOptions o;
  EXPECT_THROW(run_external_evaluator(o, "/tmp"), std::invalid_argument);
  o.command_template = "true";
  o.timeout_seconds = 0;
  EXPECT_THROW(run_external_evaluator(o, "/tmp"), std::invalid_argument);
}
