#include "core/eval/external.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <thread>
#include <vector>

extern char** environ;

namespace mergelab::eval {

std::string shell_quote(const std::string& text) {
  std::string out = "'";
  for (char c : text) {
    if (c == '\'')
      out += "'\\''";
    else
      out += c;
  }
  return out + "'";
}

std::string expand_command(const std::string& command_template, const std::string& model_dir) {
  static const std::string kPlaceholder = "{model_dir}";
  std::string out;
  size_t pos = 0;
  while (true) {
    const size_t hit = command_template.find(kPlaceholder, pos);
    if (hit == std::string::npos) break;
    out += command_template.substr(pos, hit - pos) + shell_quote(model_dir);
    pos = hit + kPlaceholder.size();
  }
  return out + command_template.substr(pos);
}

namespace {

std::string one_line(const std::string& s, size_t max_chars = 120) {
  std::string out;
  for (char c : s) out += (c == '\n' || c == '\r' || c == '\t') ? ' ' : c;
  if (out.size() > max_chars) out = out.substr(0, max_chars) + "...";
  return out;
}

std::string json_type(const nlohmann::json& v) {
  if (v.is_string()) return "a string";
  if (v.is_boolean()) return "a boolean";
  if (v.is_null()) return "null";
  if (v.is_array()) return "an array";
  if (v.is_object()) return "an object";
  return "not a number";
}

std::string tail_lines(const std::string& text, size_t lines) {
  size_t end = text.size();
  while (end > 0 && (text[end - 1] == '\n' || text[end - 1] == '\r')) --end;
  size_t start = end, count = 0;
  while (start > 0) {
    if (text[start - 1] == '\n' && ++count == lines) break;
    --start;
  }
  return text.substr(start, end - start);
}

// Appends to `buffer`, keeping at most `limit` bytes (the newest ones).
void append_bounded(std::string& buffer, const char* data, size_t n, size_t limit) {
  buffer.append(data, n);
  if (buffer.size() > limit) buffer.erase(0, buffer.size() - limit);
}

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

std::string format_seconds(double s) {
  char buf[32];
  snprintf(buf, sizeof buf, "%g", s);
  return buf;
}

// True once the child has exited; leaves it unreaped (a zombie) so its process group id stays reserved.
bool has_exited(pid_t pid) {
  siginfo_t info{};
  if (waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOHANG | WNOWAIT) != 0) return false;
  return info.si_pid == pid;
}

}  // namespace

std::string parse_metrics_line(const std::string& stdout_text, MetricMap& metrics) {
  metrics.clear();
  // The last line holding anything but whitespace.
  size_t end = stdout_text.size();
  std::string line;
  while (end > 0) {
    const size_t nl = stdout_text.rfind('\n', end - 1);
    const size_t start = nl == std::string::npos ? 0 : nl + 1;
    const std::string candidate = stdout_text.substr(start, end - start);
    if (candidate.find_first_not_of(" \t\r\n") != std::string::npos) {
      line = candidate;
      break;
    }
    if (nl == std::string::npos) break;
    end = nl;
  }
  if (line.empty())
    return "printed nothing on stdout (expected a JSON object of metrics on its last line)";
  nlohmann::json doc;
  try {
    doc = nlohmann::json::parse(line);
  } catch (const nlohmann::json::exception&) {  // parse_error, or out_of_range for a number like 1e999
    return "last stdout line is not JSON: '" + one_line(line) + "' (expected an object such as {\"accuracy\": 0.9})";
  }
  if (!doc.is_object())
    return "last stdout line is JSON but not an object of metrics: '" + one_line(line) + "'";
  if (doc.empty()) return "last stdout line is an empty JSON object: no metrics";
  for (const auto& [key, value] : doc.items()) {
    if (!value.is_number())
      return "metric '" + key + "' on the last stdout line is " + json_type(value) + ", not a number";
    metrics[key] = value.get<double>();
  }
  return "";
}

ExternalEvalResult run_external_evaluator(const ExternalEvalOptions& options, const std::filesystem::path& model_dir) {
  if (options.command_template.find_first_not_of(" \t") == std::string::npos)
    throw std::invalid_argument("external evaluator: empty command template");
  if (!(options.timeout_seconds > 0)) throw std::invalid_argument("external evaluator: timeout must be > 0 seconds");

  ExternalEvalResult result;
  result.command = expand_command(options.command_template, model_dir.string());
  const auto t0 = std::chrono::steady_clock::now();

  // Everything the child needs is prepared before fork(): after it, only async-signal-safe calls.
  const std::string env_dir = "MERGELAB_MODEL_DIR=" + model_dir.string();
  std::vector<char*> envp;
  for (char** e = environ; e && *e; ++e)
    if (strncmp(*e, "MERGELAB_MODEL_DIR=", 19) != 0) envp.push_back(*e);
  envp.push_back(const_cast<char*>(env_dir.c_str()));
  envp.push_back(nullptr);
  const char* argv[] = {"/bin/sh", "-c", result.command.c_str(), nullptr};
  static const char kExecFailed[] = "mergelab: cannot execute /bin/sh\n";

  int out_pipe[2], err_pipe[2];
  // O_CLOEXEC: children forked by other threads at the same time must not inherit our write ends
  // (they would hold the pipe open and hide the end of output).
  if (pipe2(out_pipe, O_CLOEXEC) != 0) {
    result.error = std::string("cannot create a pipe: ") + strerror(errno);
    return result;
  }
  if (pipe2(err_pipe, O_CLOEXEC) != 0) {
    result.error = std::string("cannot create a pipe: ") + strerror(errno);
    close(out_pipe[0]);
    close(out_pipe[1]);
    return result;
  }
  const pid_t pid = fork();
  if (pid < 0) {
    result.error = std::string("cannot start the evaluator (fork): ") + strerror(errno);
    for (int fd : {out_pipe[0], out_pipe[1], err_pipe[0], err_pipe[1]}) close(fd);
    return result;
  }
  if (pid == 0) {
    setpgid(0, 0);
    const int devnull = open("/dev/null", O_RDONLY);
    if (devnull >= 0) dup2(devnull, 0);
    dup2(out_pipe[1], 1);
    dup2(err_pipe[1], 2);
    execve("/bin/sh", const_cast<char* const*>(argv), envp.data());
    ssize_t ignored = write(2, kExecFailed, sizeof kExecFailed - 1);
    (void)ignored;
    _exit(127);
  }
  setpgid(pid, pid);  // also in the parent, so killpg works even if the child has not run yet
  close(out_pipe[1]);
  close(err_pipe[1]);
  int fds[2] = {out_pipe[0], err_pipe[0]};
  std::string* sinks[2] = {&result.stdout_text, &result.stderr_text};
  for (int fd : fds) fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);

  const auto deadline = t0 + std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                                 std::chrono::duration<double>(options.timeout_seconds));
  bool exited = false;
  int status = 0;
  std::chrono::steady_clock::time_point exit_time{};
  char buf[65536];
  while (fds[0] >= 0 || fds[1] >= 0) {
    const auto now = std::chrono::steady_clock::now();
    if (now >= deadline) {
      result.timed_out = true;
      break;
    }
    if (options.cancel && options.cancel->load()) {
      result.cancelled = true;
      break;
    }
    // After the shell has exited, background children may still hold the pipes: drain briefly, then stop.
    if (!exited) {
      if (has_exited(pid)) {
        exited = true;
        exit_time = now;
      }
    } else if (now - exit_time > std::chrono::seconds(1)) {
      break;
    }
    pollfd pfds[2];
    int n = 0;
    int which[2];
    for (int i = 0; i < 2; ++i)
      if (fds[i] >= 0) {
        pfds[n] = {fds[i], POLLIN, 0};
        which[n++] = i;
      }
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now).count();
    const int wait_ms = static_cast<int>(std::max<long long>(1, std::min<long long>(left, 100)));
    const int ready = poll(pfds, static_cast<nfds_t>(n), wait_ms);
    if (ready < 0) {
      if (errno == EINTR) continue;
      break;
    }
    for (int k = 0; k < n; ++k) {
      if (!(pfds[k].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      const int i = which[k];
      while (true) {
        const ssize_t got = read(fds[i], buf, sizeof buf);
        if (got > 0) {
          append_bounded(*sinks[i], buf, static_cast<size_t>(got), options.max_output_bytes);
          continue;
        }
        if (got < 0 && errno == EINTR) continue;
        if (got < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
        close(fds[i]);  // EOF or a read error
        fds[i] = -1;
        break;
      }
    }
  }
  for (int& fd : fds)
    if (fd >= 0) {
      close(fd);
      fd = -1;
    }

  if ((result.timed_out || result.cancelled) && !exited) {
    killpg(pid, SIGTERM);
    const auto grace_end = std::chrono::steady_clock::now() +
                           std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                               std::chrono::duration<double>(options.kill_grace_seconds));
    while (std::chrono::steady_clock::now() < grace_end) {
      if (has_exited(pid)) {
        exited = true;
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }
  // Whatever is left of the group (the shell after the grace period, background children) goes now. The
  // shell is not reaped yet (has_exited uses WNOWAIT), so its pid, hence the group id, cannot be reused.
  killpg(pid, SIGKILL);
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  result.seconds = seconds_since(t0);

  if (result.timed_out) {
    result.error = "evaluator timed out after " + format_seconds(options.timeout_seconds) +
                   " s and was killed: " + one_line(result.command);
    return result;
  }
  if (result.cancelled) {
    result.error = "evaluator was cancelled: " + one_line(result.command);
    return result;
  }
  if (WIFSIGNALED(status)) {
    result.term_signal = WTERMSIG(status);
    result.error = "evaluator was killed by signal " + std::to_string(result.term_signal) + " (" +
                   strsignal(result.term_signal) + "): " + one_line(result.command);
  } else if (WIFEXITED(status)) {
    result.exit_code = WEXITSTATUS(status);
    if (result.exit_code != 0)
      result.error = "evaluator exited with status " + std::to_string(result.exit_code) + ": " + one_line(result.command);
  }
  if (!result.error.empty()) {
    const std::string tail = tail_lines(result.stderr_text, options.stderr_tail_lines);
    result.error += tail.empty() ? "\n(stderr was empty)" : "\nstderr (last lines):\n" + tail;
    return result;
  }
  const std::string problem = parse_metrics_line(result.stdout_text, result.metrics);
  if (!problem.empty()) {
    result.error = "evaluator " + problem;
    const std::string tail = tail_lines(result.stderr_text, options.stderr_tail_lines);
    if (!tail.empty()) result.error += "\nstderr (last lines):\n" + tail;
    return result;
  }
  result.ok = true;
  return result;
}

}  // namespace mergelab::eval
