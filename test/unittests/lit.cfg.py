# -*- Python -*-
# Runs every GoogleTest test of the unit-test binaries as one lit test.

import lit.formats

config.name = "TERNARY-Unit"
config.suffixes = []
config.test_source_root = config.unittests_dir
config.test_exec_root = config.unittests_dir
config.test_format = lit.formats.GoogleTest(".", "unittests")

# The sanitizer build's options, as test/lit.cfg.py explains them (they do
# nothing in a build without sanitizers).
import os
config.environment["ASAN_OPTIONS"] = os.environ.get(
    "ASAN_OPTIONS", "detect_leaks=0:allow_user_poisoning=0:abort_on_error=1")
config.environment["UBSAN_OPTIONS"] = os.environ.get(
    "UBSAN_OPTIONS", "print_stacktrace=1:halt_on_error=1")

# Threads of the compiled code (lit -Dthreads=N; scripts/test.sh runs the
# suite with 2, then with 1): OMP_NUM_THREADS, which the tools' --threads
# default and every JIT-compiled program follow.
threads = lit_config.params.get("threads")
if threads:
    config.environment["OMP_NUM_THREADS"] = threads
