// The article's logistic model: weights d x 1, no bias, full-batch gradient descent.
//
// Shapes: X  n x d, y  n (0/1 labels), w  d. All in double, like the article's numpy code.
#pragma once

#include <Eigen/Dense>
#include <vector>

namespace mergelab::toy {

struct Dataset {
  Eigen::MatrixXd X;  ///< n x d inputs
  Eigen::VectorXd y;  ///< n labels in {0, 1}
};

/// The article's stable sigmoid: 1/(1+e^-z) for z >= 0, e^z/(1+e^z) otherwise.
double sigmoid(double z);
Eigen::VectorXd sigmoid(const Eigen::VectorXd& z);

/// Full-batch gradient descent on binary cross-entropy:
/// w <- w - lr * X^T (sigmoid(X w) - y) / n, `steps` times.
/// When `trajectory` is given it receives w before the first step and after every step.
Eigen::VectorXd train_logistic(const Dataset& data, const Eigen::VectorXd& w_init, double lr, int steps,
                               std::vector<Eigen::VectorXd>* trajectory = nullptr);

/// Binary cross-entropy with predictions clipped to [1e-7, 1 - 1e-7] (the article's `evaluate`).
double bce_loss(const Dataset& data, const Eigen::VectorXd& w);

/// Fraction of rows with (sigmoid(X w) > 0.5) == y.
double accuracy(const Dataset& data, const Eigen::VectorXd& w);

}  // namespace mergelab::toy
