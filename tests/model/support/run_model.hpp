// run_model<Test>(name, scheduler, n): runs one Relacy test with a named scheduler, printing its
// name first. For the fair context-bound scheduler `n` is the context bound; otherwise it is the
// iteration count. Shared by the model mains in tests/model/.
//
// Example:
//   ok &= sluice::model::run_model<WakeRacingRegister>("wake racing register",
//                                                      rl::random_scheduler_type, 200000);
#pragma once

#include <cstdio>

namespace sluice::model {

template <class Test>
bool run_model(const char* name, rl::scheduler_type_e type, unsigned iterations_or_bound) {
  rl::test_params p;
  p.search_type = type;
  if (type == rl::fair_context_bound_scheduler_type) {
    p.context_bound = iterations_or_bound;
  } else {
    p.iteration_count = iterations_or_bound;
  }
  std::printf("== %s\n", name);
  return rl::simulate<Test>(p);
}

}  // namespace sluice::model
