// Tests passes/Codegen/CPU/OmpIfSeveralTasks.cpp: an OpenMP parallel region
// around one worksharing loop forks threads only when the loop has at least
// two iterations (the if clause); regions it cannot count, or that always
// have two tasks, are left alone. That a one-task region computes the same
// results on one thread is tested by test/unittests/Codegen/ThreadsTest.cpp.
// RUN: ternary-opt %s --split-input-file --ternary-omp-if-several-tasks | FileCheck %s

// A dynamic size: tasks = ceil(max(n - 0, 0) / 32), the region runs on
// threads when there are two of them or more.
// CHECK-LABEL: func.func @dynamic
// CHECK-SAME: (%[[N:.*]]: index)
// CHECK-DAG: %[[C0:.*]] = arith.constant 0 : index
// CHECK-DAG: %[[C32:.*]] = arith.constant 32 : index
// CHECK-DAG: %[[C2:.*]] = arith.constant 2 : index
// CHECK: %[[SPAN:.*]] = arith.subi %[[N]], %[[C0]] : index
// CHECK: %[[POS:.*]] = arith.maxsi %[[SPAN]], %{{.*}} : index
// CHECK: %[[TASKS:.*]] = arith.ceildivsi %[[POS]], %[[C32]] : index
// CHECK: %[[SEVERAL:.*]] = arith.cmpi sge, %[[TASKS]], %[[C2]] : index
// CHECK: omp.parallel if(%[[SEVERAL]]) {
// CHECK:   omp.loop_nest (%{{.*}}) : index = (%[[C0]]) to (%[[N]]) step (%[[C32]])
func.func @dynamic(%n: index) {
  %c0 = arith.constant 0 : index
  %c32 = arith.constant 32 : index
  omp.parallel {
    omp.wsloop {
      omp.loop_nest (%i) : index = (%c0) to (%n) step (%c32) {
        omp.yield
      }
    }
    omp.terminator
  }
  return
}

// -----

// Two dimensions, inclusive bounds: the product of the two trip counts,
// each (ub - lb + 1) ceil-divided by its step.
// CHECK-LABEL: func.func @two_dims
// CHECK: %[[S0:.*]] = arith.subi
// CHECK: %[[I0:.*]] = arith.addi %[[S0]], %{{.*}} : index
// CHECK: %[[P0:.*]] = arith.maxsi %[[I0]]
// CHECK: %[[T0:.*]] = arith.ceildivsi %[[P0]]
// CHECK: %[[S1:.*]] = arith.subi
// CHECK: %[[I1:.*]] = arith.addi %[[S1]], %{{.*}} : index
// CHECK: %[[P1:.*]] = arith.maxsi %[[I1]]
// CHECK: %[[T1:.*]] = arith.ceildivsi %[[P1]]
// CHECK: %[[T:.*]] = arith.muli %[[T0]], %[[T1]] : index
// CHECK: %[[SEVERAL:.*]] = arith.cmpi sge, %[[T]]
// CHECK: omp.parallel if(%[[SEVERAL]])
func.func @two_dims(%m: index, %n: index) {
  %c0 = arith.constant 0 : index
  %c4 = arith.constant 4 : index
  omp.parallel {
    omp.wsloop {
      omp.loop_nest (%i, %j) : index = (%c0, %c0) to (%m, %n) inclusive step (%c4, %c4) {
        omp.yield
      }
    }
    omp.terminator
  }
  return
}

// -----

// A constant single iteration: always on the calling thread.
// CHECK-LABEL: func.func @one_task
// CHECK: %[[FALSE:.*]] = arith.constant false
// CHECK: omp.parallel if(%[[FALSE]])
func.func @one_task() {
  %c0 = arith.constant 0 : index
  %c64 = arith.constant 64 : index
  omp.parallel {
    omp.wsloop {
      omp.loop_nest (%i) : index = (%c0) to (%c64) step (%c64) {
        omp.yield
      }
    }
    omp.terminator
  }
  return
}

// -----

// Left alone: a constant count of two or more tasks, a region with an if
// clause of its own, a region holding two loops, and bounds computed inside
// the region.
// CHECK-LABEL: func.func @left_alone
// CHECK-NOT: arith.cmpi
// CHECK: omp.parallel {
// CHECK: omp.parallel if(%{{.*}}) {
// CHECK: omp.parallel {
// CHECK: omp.parallel {
// CHECK-NOT: arith.cmpi
func.func @left_alone(%n: index, %c: i1) {
  %c0 = arith.constant 0 : index
  %c32 = arith.constant 32 : index
  %c64 = arith.constant 64 : index
  omp.parallel {
    omp.wsloop {
      omp.loop_nest (%i) : index = (%c0) to (%c64) step (%c32) {
        omp.yield
      }
    }
    omp.terminator
  }
  omp.parallel if(%c) {
    omp.wsloop {
      omp.loop_nest (%i) : index = (%c0) to (%n) step (%c32) {
        omp.yield
      }
    }
    omp.terminator
  }
  omp.parallel {
    omp.wsloop {
      omp.loop_nest (%i) : index = (%c0) to (%n) step (%c32) {
        omp.yield
      }
    }
    omp.wsloop {
      omp.loop_nest (%i) : index = (%c0) to (%n) step (%c32) {
        omp.yield
      }
    }
    omp.terminator
  }
  omp.parallel {
    %m = arith.muli %n, %c32 : index
    omp.wsloop {
      omp.loop_nest (%i) : index = (%c0) to (%m) step (%c32) {
        omp.yield
      }
    }
    omp.terminator
  }
  return
}
