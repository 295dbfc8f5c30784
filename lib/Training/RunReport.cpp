//===- RunReport.cpp - What a training run reports (metrics.json) ---------===//

#include "ternary/Training/RunReport.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Program.h"

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
  std::string prefix = validation ? "val" : "test";
  if (validation && !epochs.empty()) {
    out += "  \"val_loss\": " + number(epochs.back().evalLoss) + ",\n";
    out += "  \"val_accuracy\": " + number(epochs.back().evalAccuracy) + ",\n";
  }
  if (languageModel && !epochs.empty() && epochs.back().evalLoss) {
    double loss = *epochs.back().evalLoss;
    if (bytesPerToken > 0)
      out += "  \"" + prefix +
             "_nats_per_byte\": " + number(loss / bytesPerToken) + ",\n";
    out += "  \"" + prefix + "_perplexity\": " + number(std::exp(loss)) + ",\n";
  }
  if (!evals.empty()) {
    out += "  \"evals\": [";
    for (size_t i = 0; i < evals.size(); ++i)
      out += std::string(i ? "," : "") +
             "\n    {\"step\": " + std::to_string(evals[i].step) +
             ", \"train_loss\": " + number(evals[i].trainLoss) + ", \"" +
             prefix + "_loss\": " + number(evals[i].evalLoss) +
             ", \"seconds\": " + number(evals[i].seconds) + "}";
    out += "\n  ],\n";
  }
  out += "  \"epochs\": [";
  for (size_t i = 0; i < epochs.size(); ++i) {
    const EpochRecord &e = epochs[i];
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

namespace {

/// {"mean": m, "std": s, "values": [...]} of the figures that exist.
std::string statistics(const std::vector<std::optional<double>> &values) {
  std::vector<double> v;
  for (const std::optional<double> &x : values)
    if (x)
      v.push_back(*x);
  if (v.empty())
    return "null";
  double mean = 0, squares = 0;
  for (double x : v)
    mean += x / v.size();
  for (double x : v)
    squares += (x - mean) * (x - mean);
  double std = v.size() > 1 ? std::sqrt(squares / (v.size() - 1)) : 0.0;
  std::string list;
  for (double x : v)
    list += (list.empty() ? "" : ", ") + number(x);
  return "{\"mean\": " + number(mean) + ", \"std\": " + number(std) +
         ", \"values\": [" + list + "]}";
}

std::vector<std::optional<double>> figure(const std::vector<RunReport> &runs,
                                          bool test) {
  std::vector<std::optional<double>> out;
  for (const RunReport &r : runs)
    out.push_back(test ? r.testAccuracy
                  : r.evaluatedOn == "validation" && !r.epochs.empty()
                      ? r.epochs.back().evalAccuracy
                      : std::nullopt);
  return out;
}

} // namespace

std::string mlir::ternary::seedsJson(const std::vector<RunReport> &runs,
                                     const std::vector<unsigned> &seeds) {
  const RunReport &first = runs.front();
  std::string seedList;
  for (unsigned s : seeds)
    seedList += (seedList.empty() ? "" : ", ") + std::to_string(s);
  std::string out = "{\n";
  out += "  \"model\": " + quoted(first.model) + ",\n";
  out += "  \"data\": " + quoted(first.data) + ",\n";
  if (!first.configJson.empty())
    out += "  \"config\": {" + first.configJson + "},\n";
  out += "  \"params\": " + std::to_string(first.params) + ",\n";
  out += "  \"seeds\": [" + seedList + "],\n";
  out += "  \"test_accuracy\": " + statistics(figure(runs, true)) + ",\n";
  out += "  \"val_accuracy\": " + statistics(figure(runs, false)) + ",\n";
  out += "  \"runs\": [";
  for (size_t i = 0; i < runs.size(); ++i) {
    std::string run = runs[i].json();
    // Indent the run's object inside the list.
    std::string indented;
    for (char c : run.substr(0, run.size() - 1)) {
      indented += c;
      if (c == '\n')
        indented += "    ";
    }
    out += std::string(i ? "," : "") + "\n    " + indented;
  }
  out += "\n  ]\n}\n";
  return out;
}

std::string mlir::ternary::seedsSummary(const std::vector<RunReport> &runs) {
  std::vector<std::optional<double>> test = figure(runs, true);
  double mean = 0, squares = 0;
  int n = 0;
  for (const std::optional<double> &x : test)
    if (x) {
      mean += *x;
      ++n;
    }
  if (n == 0)
    return "";
  mean /= n;
  for (const std::optional<double> &x : test)
    if (x)
      squares += (*x - mean) * (*x - mean);
  char line[160];
  std::snprintf(line, sizeof(line),
                "test accuracy over %d seeds: mean %.4f, std %.4f\n", n, mean,
                n > 1 ? std::sqrt(squares / (n - 1)) : 0.0);
  return line;
}

bool mlir::ternary::writeCurves(const RunReport &report,
                                const std::string &path, std::string &error) {
  auto gnuplot = llvm::sys::findProgramByName("gnuplot");
  if (!gnuplot) {
    error = "gnuplot is not installed (Debian's gnuplot-nox draws curves.png)";
    return false;
  }
  if (report.epochs.empty()) {
    error = "no epoch to draw";
    return false;
  }
  std::string data = path + ".dat", script = path + ".gp";
  // With evaluations every N steps (a language model's run), the loss is
  // drawn against the steps.
  bool bySteps = !report.evals.empty();
  {
    std::ofstream out(data);
    if (bySteps) {
      for (const EvalRecord &e : report.evals)
        out << e.step << ' ' << number(e.trainLoss) << ' ' << number(e.evalLoss)
            << " NaN\n";
    } else {
      for (const EpochRecord &e : report.epochs)
        out << e.epoch << ' ' << number(e.trainLoss) << ' '
            << (e.evalLoss ? number(*e.evalLoss) : "NaN") << ' '
            << (e.evalAccuracy ? number(*e.evalAccuracy) : "NaN") << '\n';
    }
  }
  {
    std::ofstream out(script);
    out << "set terminal png size 900,450\n"
        << "set output '" << path << "'\n"
        << "set multiplot layout 1," << (bySteps ? 1 : 2) << " title '"
        << report.model << " on " << report.data << "'\n"
        << "set xlabel '" << (bySteps ? "step" : "epoch")
        << "'\nset ylabel 'loss'\n"
        << "plot '" << data << "' using 1:2 with linespoints title 'train', "
        << "'' using 1:3 with linespoints title '" << report.evaluatedOn
        << "'\n";
    if (!bySteps)
      out << "set ylabel 'accuracy'\n"
          << "plot '" << data << "' using 1:4 with linespoints title '"
          << report.evaluatedOn << "'\n";
    out << "unset multiplot\n";
  }
  std::string message;
  // gnuplot's warnings (a one-epoch range) are not the run's business.
  std::optional<llvm::StringRef> quiet[] = {std::nullopt, llvm::StringRef(""),
                                            llvm::StringRef("")};
  int status = llvm::sys::ExecuteAndWait(*gnuplot, {*gnuplot, script},
                                         std::nullopt, quiet, 0, 0, &message);
  llvm::sys::fs::remove(data);
  llvm::sys::fs::remove(script);
  if (status != 0) {
    error = "gnuplot failed" + (message.empty() ? "" : ": " + message);
    return false;
  }
  return true;
}
