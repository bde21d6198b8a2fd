// The single error type of the checkpoint reader/writer.
//
// Every failure (a malformed header, a shard that does not hold what its index says, a write that
// cannot be completed) is reported as ONE CheckpointError whose what() reads
//   "<file>: tensor '<name>': <problem>"      (or "<file>: <problem>" when no tensor is involved).
// Callers catch it at their boundary (CLI command, GUI task) and show what(); nothing asserts.
#pragma once

#include <stdexcept>
#include <string>

namespace mergelab::ckpt {

class CheckpointError : public std::runtime_error {
 public:
  CheckpointError(std::string file, std::string tensor, std::string problem)
      : std::runtime_error(compose(file, tensor, problem)),
        file_(std::move(file)),
        tensor_(std::move(tensor)),
        problem_(std::move(problem)) {}

  const std::string& file() const { return file_; }      ///< path of the offending file
  const std::string& tensor() const { return tensor_; }  ///< tensor name, empty when none
  const std::string& problem() const { return problem_; }

 private:
  static std::string compose(const std::string& file, const std::string& tensor, const std::string& problem) {
    std::string s = file.empty() ? std::string("<memory>") : file;
    if (!tensor.empty()) s += ": tensor '" + tensor + "'";
    return s + ": " + problem;
  }
  std::string file_, tensor_, problem_;
};

}  // namespace mergelab::ckpt
