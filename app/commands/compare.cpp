// `mergelab compare A B`: are two checkpoints the same tensors within a tolerance?
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <iostream>

#include "app/cli.h"
#include "core/checkpoint/checkpoint.h"
#include "core/checkpoint/dtype.h"

namespace mergelab::app {
namespace {

int run_compare(int argc, char** argv) {
  ArgParser args("mergelab compare",
                 "Compares two checkpoints (files or folders, single or sharded) tensor by tensor: names, shapes and\n"
                 "the largest absolute difference of the values (both read as f32). Non-float tensors (integers, bool)\n"
                 "must have the same dtype and bytes. Exit status 0 when they hold the same tensors and every\n"
                 "difference is <= --atol, 1 otherwise.");
  args.add_positional("a", "first checkpoint");
  args.add_positional("b", "second checkpoint");
  args.add_option("atol", "X", "largest absolute difference allowed", "1e-6");
  args.add_flag("quiet", "print only the verdict");
  if (!args.parse(argc, argv)) return 0;
  const double atol = args.get_double("atol");
  const auto a = ckpt::Checkpoint::open(args.positionals()[0]);
  const auto b = ckpt::Checkpoint::open(args.positionals()[1]);
  bool same = true;
  double worst = 0;
  for (const auto& t : a.tensors()) {
    const ckpt::TensorInfo* u = b.find(t.name);
    if (!u) {
      std::printf("%s: only in %s\n", t.name.c_str(), a.path().c_str());
      same = false;
      continue;
    }
    if (u->shape != t.shape) {
      std::printf("%s: shape %s vs %s\n", t.name.c_str(), ckpt::shape_string(t.shape).c_str(), ckpt::shape_string(u->shape).c_str());
      same = false;
      continue;
    }
    if (!ckpt::dtype_is_float(t.dtype) || !ckpt::dtype_is_float(u->dtype)) {
      // Integer and bool tensors are copied, never merged: equal means the same dtype and bytes.
      const auto ra = a.raw(t.name), rb = b.raw(t.name);
      const bool equal = t.dtype == u->dtype && ra.size() == rb.size() && std::equal(ra.begin(), ra.end(), rb.begin());
      a.check_intact();  // bytes read from a file that shrank under its map are not data
      b.check_intact();
      if (!equal) same = false;
      if (!args.flag("quiet") || !equal)
        std::printf("%-40s %-14s %s%s\n", t.name.c_str(), ckpt::shape_string(t.shape).c_str(),
                    std::string(ckpt::dtype_name(t.dtype)).c_str(),
                    equal ? " bytes equal" : (" vs " + std::string(ckpt::dtype_name(u->dtype)) + ": bytes differ").c_str());
      continue;
    }
    const Eigen::VectorXf x = a.read_vector(t.name), y = b.read_vector(t.name);
    double diff = 0;
    for (Eigen::Index i = 0; i < x.size(); ++i) {
      const double d = std::abs(static_cast<double>(x[i]) - static_cast<double>(y[i]));
      if (!(d <= diff)) diff = std::isnan(d) ? INFINITY : d;
    }
    worst = std::max(worst, diff);
    if (!(diff <= atol)) same = false;
    if (!args.flag("quiet")) std::printf("%-40s %-14s max|a-b| %.3g%s\n", t.name.c_str(), ckpt::shape_string(t.shape).c_str(), diff, diff <= atol ? "" : "  > atol");
  }
  for (const auto& t : b.tensors())
    if (!a.find(t.name)) {
      std::printf("%s: only in %s\n", t.name.c_str(), b.path().c_str());
      same = false;
    }
  std::printf("%s (max |a-b| = %.3g, atol %.3g)\n", same ? "same" : "different", worst, atol);
  return same ? 0 : 1;
}

const CommandRegistrar registrar{{"compare", "compare two checkpoints tensor by tensor within a tolerance", &run_compare}};

}  // namespace
}  // namespace mergelab::app
