#include "core/toy/mlp.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "core/toy/datasets.h"

namespace mergelab::toy {

namespace {

void check_shape(const Eigen::VectorXd& theta, int hidden) {
  if (hidden < 1) throw std::invalid_argument("mlp: hidden must be >= 1");
  if (theta.size() != mlp_param_count(hidden))
    throw std::invalid_argument("mlp: theta has " + std::to_string(theta.size()) + " entries, expected " +
                                std::to_string(mlp_param_count(hidden)));
}

// Views of the parts of theta.
struct Parts {
  Eigen::MatrixXd W1;  // h x 2
  Eigen::VectorXd b1, w2;
  double b2;
};

Parts split(const Eigen::VectorXd& theta, int h) {
  Parts p;
  p.W1.resize(h, 2);
  for (int k = 0; k < h; ++k) p.W1(k, 0) = theta[2 * k], p.W1(k, 1) = theta[2 * k + 1];
  p.b1 = theta.segment(2 * h, h);
  p.w2 = theta.segment(3 * h, h);
  p.b2 = theta[4 * h];
  return p;
}

// -log p of the right class, with the article's clip (see logistic_loss_grid).
template <class T>
T clipped_term(T minus_sz) {
  const T lo = T(-std::log1p(-1e-7)), hi = T(-std::log(1e-7));
  const T sp = std::max(minus_sz, T(0)) + std::log1p(std::exp(-std::abs(minus_sz)));
  return std::clamp(sp, lo, hi);
}

}  // namespace

int mlp_param_count(int hidden) { return 4 * hidden + 1; }

Eigen::VectorXd mlp_init(RandomState& rng, int hidden, double scale) {
  Eigen::VectorXd theta = Eigen::VectorXd::Zero(mlp_param_count(hidden));
  theta.head(2 * hidden) = randn_vector(rng, 2 * hidden, scale);
  theta.segment(3 * hidden, hidden) = randn_vector(rng, hidden, scale);
  return theta;
}

Eigen::VectorXd mlp_logits(const Eigen::MatrixXd& X, const Eigen::VectorXd& theta, int hidden) {
  check_shape(theta, hidden);
  if (X.cols() != 2) throw std::invalid_argument("mlp: inputs must have 2 columns");
  const Parts p = split(theta, hidden);
  Eigen::MatrixXd H = X * p.W1.transpose();
  H.rowwise() += p.b1.transpose();
  H = H.array().tanh().matrix();
  return (H * p.w2).array() + p.b2;
}

double mlp_loss(const Dataset& data, const Eigen::VectorXd& theta, int hidden) {
  const Eigen::VectorXd z = mlp_logits(data.X, theta, hidden);
  double sum = 0.0;
  for (Eigen::Index i = 0; i < z.size(); ++i) sum += clipped_term(-(2.0 * data.y[i] - 1.0) * z[i]);
  return sum / static_cast<double>(z.size());
}

double mlp_accuracy(const Dataset& data, const Eigen::VectorXd& theta, int hidden) {
  const Eigen::VectorXd z = mlp_logits(data.X, theta, hidden);
  Eigen::Index correct = 0;
  for (Eigen::Index i = 0; i < z.size(); ++i) correct += ((z[i] > 0) ? 1.0 : 0.0) == data.y[i];
  return static_cast<double>(correct) / static_cast<double>(z.size());
}

Eigen::VectorXd train_mlp(const Dataset& data, const Eigen::VectorXd& theta0, int hidden, double lr, int steps,
                          std::vector<Eigen::VectorXd>* trajectory) {
  check_shape(theta0, hidden);
  const int h = hidden;
  const double n = static_cast<double>(data.X.rows());
  Eigen::VectorXd theta = theta0;
  if (trajectory) {
    trajectory->clear();
    trajectory->reserve(static_cast<size_t>(steps) + 1);
    trajectory->push_back(theta);
  }
  Eigen::VectorXd grad(theta.size());
  for (int s = 0; s < steps; ++s) {
    const Parts p = split(theta, h);
    Eigen::MatrixXd A = data.X * p.W1.transpose();  // n x h pre-activations
    A.rowwise() += p.b1.transpose();
    const Eigen::MatrixXd T = A.array().tanh().matrix();
    Eigen::VectorXd dz = (T * p.w2).array() + p.b2;  // logits
    for (Eigen::Index i = 0; i < dz.size(); ++i) dz[i] = (sigmoid(dz[i]) - data.y[i]) / n;
    // Back through the hidden layer: dA = (dz w2^T) * (1 - T^2).
    const Eigen::MatrixXd dA = ((dz * p.w2.transpose()).array() * (1.0 - T.array().square())).matrix();
    const Eigen::MatrixXd dW1 = dA.transpose() * data.X;  // h x 2
    for (int k = 0; k < h; ++k) grad[2 * k] = dW1(k, 0), grad[2 * k + 1] = dW1(k, 1);
    grad.segment(2 * h, h) = dA.colwise().sum().transpose();
    grad.segment(3 * h, h) = T.transpose() * dz;
    grad[4 * h] = dz.sum();
    theta -= lr * grad;
    if (trajectory) trajectory->push_back(theta);
  }
  return theta;
}

MlpToy train_mlp_toy(const MlpSetup& s, const Dataset& task1, const Dataset& task2, bool keep_trajectories) {
  RandomState rng(s.init_seed);
  MlpToy toy;
  toy.init_a = mlp_init(rng, s.hidden, s.init_scale);
  toy.init_b = s.same_init ? toy.init_a : mlp_init(rng, s.hidden, s.init_scale);
  toy.w_a = train_mlp(task1, toy.init_a, s.hidden, s.lr, s.steps, keep_trajectories ? &toy.path_a : nullptr);
  toy.w_b = train_mlp(task2, toy.init_b, s.hidden, s.lr, s.steps, keep_trajectories ? &toy.path_b : nullptr);
  return toy;
}

Grid mlp_loss_grid(const Dataset& data, int hidden, const Plane& plane, const GridSpec& spec) {
  check_shape(plane.origin, hidden);
  check_shape(plane.u, hidden);
  check_shape(plane.v, hidden);
  if (spec.na < 2 || spec.nb < 2) throw std::invalid_argument("mlp_loss_grid: grid needs >= 2 x 2 points");
  const int h = hidden;
  const Eigen::Index n = data.X.rows();
  // Pre-activations of each plane vector (no bias for u, v beyond their own b1 parts): linear in theta.
  auto pre = [&](const Eigen::VectorXd& theta) {
    const Parts p = split(theta, h);
    Eigen::MatrixXd A = data.X * p.W1.transpose();
    A.rowwise() += p.b1.transpose();
    return Eigen::ArrayXXf(A.cast<float>().array());
  };
  const Eigen::ArrayXXf Ao = pre(plane.origin), Au = pre(plane.u), Av = pre(plane.v);
  const Parts po = split(plane.origin, h), pu = split(plane.u, h), pv = split(plane.v, h);
  const Eigen::ArrayXf s = (2.0 * data.y.array() - 1.0).cast<float>();

  Grid grid{spec, std::vector<double>(static_cast<size_t>(spec.na) * spec.nb)};
  Eigen::ArrayXXf T(n, h);
  Eigen::ArrayXf z(n);
  for (int j = 0; j < spec.nb; ++j) {
    const double b = spec.b_at(j);
    const Eigen::ArrayXXf Ab = Ao + float(b) * Av;
    for (int i = 0; i < spec.na; ++i) {
      const double a = spec.a_at(i);
      T = (Ab + float(a) * Au).tanh();
      const Eigen::VectorXf w2 = (po.w2 + a * pu.w2 + b * pv.w2).cast<float>();
      const float b2 = float(po.b2 + a * pu.b2 + b * pv.b2);
      z = (T.matrix() * w2).array() + b2;
      double sum = 0.0;
      for (Eigen::Index r = 0; r < n; ++r) sum += clipped_term(-s[r] * z[r]);
      grid.values[static_cast<size_t>(j) * spec.na + i] = sum / static_cast<double>(n);
    }
  }
  return grid;
}

double loss_barrier(const std::vector<double>& losses) {
  if (losses.size() < 2) throw std::invalid_argument("loss_barrier: need at least 2 samples");
  const double l0 = losses.front(), l1 = losses.back();
  const double last = static_cast<double>(losses.size() - 1);
  double best = -std::numeric_limits<double>::infinity();
  for (size_t k = 0; k < losses.size(); ++k) {
    const double t = static_cast<double>(k) / last;
    best = std::max(best, losses[k] - ((1.0 - t) * l0 + t * l1));
  }
  return best;
}

}  // namespace mergelab::toy
