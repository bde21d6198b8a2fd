#include "core/toy/logistic.h"

#include <algorithm>
#include <cmath>

namespace mergelab::toy {

double sigmoid(double z) {
  // Both branches as numpy evaluates them inside np.where.
  if (z >= 0) return 1.0 / (1.0 + std::exp(-z));
  const double e = std::exp(z);
  return e / (1.0 + e);
}

Eigen::VectorXd sigmoid(const Eigen::VectorXd& z) { return z.unaryExpr([](double v) { return sigmoid(v); }); }

Eigen::VectorXd train_logistic(const Dataset& data, const Eigen::VectorXd& w_init, double lr, int steps,
                               std::vector<Eigen::VectorXd>* trajectory) {
  Eigen::VectorXd w = w_init;
  const double n = static_cast<double>(data.X.rows());
  if (trajectory) {
    trajectory->clear();
    trajectory->reserve(static_cast<size_t>(steps) + 1);
    trajectory->push_back(w);
  }
  Eigen::VectorXd residual(data.X.rows());
  for (int s = 0; s < steps; ++s) {
    residual.noalias() = data.X * w;
    for (Eigen::Index i = 0; i < residual.size(); ++i) residual[i] = sigmoid(residual[i]) - data.y[i];
    const Eigen::VectorXd grad = (data.X.transpose() * residual) / n;
    w -= lr * grad;
    if (trajectory) trajectory->push_back(w);
  }
  return w;
}

double bce_loss(const Dataset& data, const Eigen::VectorXd& w) {
  const Eigen::VectorXd z = data.X * w;
  double sum = 0.0;
  for (Eigen::Index i = 0; i < z.size(); ++i) {
    const double p = std::clamp(sigmoid(z[i]), 1e-7, 1.0 - 1e-7);
    sum += data.y[i] * std::log(p) + (1.0 - data.y[i]) * std::log(1.0 - p);
  }
  return -sum / static_cast<double>(z.size());
}

double accuracy(const Dataset& data, const Eigen::VectorXd& w) {
  const Eigen::VectorXd z = data.X * w;
  Eigen::Index correct = 0;
  for (Eigen::Index i = 0; i < z.size(); ++i) {
    const double pred = sigmoid(z[i]) > 0.5 ? 1.0 : 0.0;
    if (pred == data.y[i]) ++correct;
  }
  return static_cast<double>(correct) / static_cast<double>(z.size());
}

}  // namespace mergelab::toy
