// include/mr/registry.h: making a job available to `mapreduce run NAME`.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <type_traits>
#include <vector>

#include "mr/job.h"

namespace mr {

using JobFactory = std::function<std::unique_ptr<Job>(const Params &)>;

struct JobEntry {
  std::string name;
  std::string description;
  JobFactory make;
};

/// Adds a job; returns true so it can initialise a static. Throws on a
/// duplicate name.
bool register_job(std::string name, std::string description, JobFactory make);

/// All registered jobs, sorted by name.
std::vector<const JobEntry *> registered_jobs();

/// The job called `name`, or nullptr.
const JobEntry *find_job(const std::string &name);

namespace detail {
template <class J> std::unique_ptr<Job> make_job(const Params &params) {
  static_assert(std::is_base_of_v<Job, J>,
                "MR_REGISTER_JOB: the class must derive from mr::Job");
  if constexpr (std::is_constructible_v<J, const Params &>) {
    return std::make_unique<J>(params);
  } else {
    static_assert(std::is_default_constructible_v<J>,
                  "MR_REGISTER_JOB: the class needs a constructor taking "
                  "(const mr::Params&) or a default constructor");
    (void)params;
    return std::make_unique<J>();
  }
}
} // namespace detail

} // namespace mr

/// Registers job class CLASS under NAME, e.g.
/// `MR_REGISTER_JOB("wordcount", WordCount, "counts words");`
#define MR_REGISTER_JOB(NAME, CLASS, DESCRIPTION)                                        \
  [[maybe_unused]] static const bool mr_registered_##CLASS =                             \
      ::mr::register_job(NAME, DESCRIPTION, &::mr::detail::make_job<CLASS>)
