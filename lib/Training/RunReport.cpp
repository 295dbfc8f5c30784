//===- RunReport.cpp - What a training run reports (metrics.json) ---------===//

#include "ternary/Training/RunReport.h"

#include <cmath>
#include <cstdio>
#include <fstream>

using namespace mlir::ternary;

namespace {

std::string number(double v) {
  if (!std::isfinite(v))
    return "null";
  char buffer[32];
  std::snprintf(buffer, sizeof(buffer), "%.6g", v);
  return buffer;
}

std::string number(const std::optional<double> &v) {
  return v ? number(*v) : "null";
}

std::string quoted(const std::string &s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\')
      out += '\\';
    if (static_cast<unsigned char>(c) < 0x20) {
      char escape[8];
      std::snprintf(escape, sizeof(escape), "\\u%04x", c);
      out += escape;
      continue;
    }
    out += c;
  }
  return out + "\"";
}

} // namespace

std::string RunReport::json() const {
  bool validation = evaluatedOn == "validation";
  std::string out = "{\n";
  out += "  \"model\": " + quoted(model) + ",\n";
  out += "  \"data\": " + quoted(data) + ",\n";
  if (!configJson.empty())
    out += "  \"config\": {" + configJson + "},\n";
  out += "  \"params\": " + std::to_string(params) + ",\n";
  out += "  \"seconds\": " + number(seconds) + ",\n";
  out += "  \"test_loss\": " + number(testLoss) + ",\n";
  out += "  \"test_accuracy\": " + number(testAccuracy) + ",\n";
  if (validation && !epochs.empty()) {
    out += "  \"val_loss\": " + number(epochs.back().evalLoss) + ",\n";
    out += "  \"val_accuracy\": " + number(epochs.back().evalAccuracy) + ",\n";
  }
  out += "  \"epochs\": [";
  for (size_t i = 0; i < epochs.size(); ++i) {
    const EpochRecord &e = epochs[i];
    std::string prefix = validation ? "val" : "test";
    out += std::string(i ? "," : "") +
           "\n    {\"epoch\": " + std::to_string(e.epoch) +
           ", \"train_loss\": " + number(e.trainLoss) + ", \"" + prefix +
           "_loss\": " + number(e.evalLoss) + ", \"" + prefix +
           "_accuracy\": " + number(e.evalAccuracy) +
           ", \"seconds\": " + number(e.seconds) + "}";
  }
  out += epochs.empty() ? "]\n}\n" : "\n  ]\n}\n";
  return out;
}

bool RunReport::write(const std::string &path, std::string &error) const {
  std::string temporary = path + ".tmp";
  {
    std::ofstream file(temporary, std::ios::binary | std::ios::trunc);
    file << json();
    if (!file.good()) {
      error = "cannot write '" + temporary + "'";
      return false;
    }
  }
  if (std::rename(temporary.c_str(), path.c_str()) != 0) {
    std::remove(temporary.c_str());
    error = "cannot write '" + path + "'";
    return false;
  }
  return true;
}
