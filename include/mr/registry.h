// include/mr/registry.h: making a job available to `mapreduce run NAME`.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <type_traits>
#include <vector>

#include "mr/job.h"

namespace mr {

/// One parameter a job accepts: `--param name=value`.
struct ParamSpec {
  std::string name;
  std::string default_value; ///< used when the parameter is not given
  std::string help;          ///< one line, shown by `mapreduce jobs`
  bool required = false;     ///< no default: the run is refused without it
};
using ParamSpecs = std::vector<ParamSpec>;

/// A parameter the user must give.
inline ParamSpec required_param(std::string name, std::string help) {
  return {std::move(name), "", std::move(help), true};
}

using JobFactory = std::function<std::unique_ptr<Job>(const Params &)>;

struct JobEntry {
  std::string name;
  std::string description;
  ParamSpecs params;
  JobFactory make; ///< takes parameters already checked by resolve_params
};

/// Adds a job; returns true so it can initialise a static. Throws on a
/// duplicate name.
bool register_job(JobEntry entry);

/// All registered jobs, sorted by name.
std::vector<const JobEntry *> registered_jobs();

/// The job called `name`, or nullptr.
const JobEntry *find_job(const std::string &name);

/// `given` with the defaults of `job`'s parameters filled in. Throws
/// std::invalid_argument naming an unknown or a missing required parameter.
Params resolve_params(const JobEntry &job, const Params &given);

namespace detail {

struct JobAccess {
  static void set_combines(Job &job, bool c) { job.combines_ = c; }
  static void set_task(Job &job, std::uint64_t t) { job.task_ = t; }
  static void set_partition(Job &job, std::uint32_t p) { job.partition_ = p; }
  static void set_narrowing(Job &job, bool n) { job.narrowing_ = n; }
  static std::map<std::string, std::uint64_t> &counters(Job &job) {
    return job.counters_;
  }
};

/// True when J (or a base between J and mr::Job) overrides Job::combine.
template <class J> constexpr bool overrides_combine() {
  return !std::is_same_v<decltype(&J::combine), decltype(&Job::combine)>;
}

template <class J> ParamSpecs params_of() {
  if constexpr (requires { J::parameters(); })
    return J::parameters();
  else
    return {};
}

template <class J> std::unique_ptr<Job> make_job(const Params &params) {
  static_assert(std::is_base_of_v<Job, J>,
                "MR_REGISTER_JOB: the class must derive from mr::Job");
  static_assert(!std::is_abstract_v<J>,
                "MR_REGISTER_JOB: the class is abstract: it must override both "
                "map(const mr::Record&, mr::Emitter&) and reduce(std::string_view, "
                "std::span<const std::string_view>, mr::Emitter&) (mr::CountJob "
                "provides reduce and combine for counting jobs)");
  if constexpr (!std::is_abstract_v<J>) {
    std::unique_ptr<Job> job;
    if constexpr (std::is_constructible_v<J, const Params &>) {
      job = std::make_unique<J>(params);
    } else {
      static_assert(std::is_default_constructible_v<J>,
                    "MR_REGISTER_JOB: the class needs a constructor taking "
                    "(const mr::Params&) or a default constructor");
      (void)params;
      job = std::make_unique<J>();
    }
    JobAccess::set_combines(*job, overrides_combine<J>());
    return job;
  } else {
    return nullptr;
  }
}

} // namespace detail

/// Makes a job object of class J directly (tests, or running a job yourself).
template <class J> std::unique_ptr<Job> make_job(const Params &params = {}) {
  return detail::make_job<J>(params);
}

} // namespace mr

/// Registers job class CLASS under NAME, e.g.
/// `MR_REGISTER_JOB("wordcount", WordCount, "counts words");`
/// The class may declare its parameters as `static mr::ParamSpecs parameters()`.
#define MR_REGISTER_JOB(NAME, CLASS, DESCRIPTION)                                        \
  [[maybe_unused]] static const bool mr_registered_##CLASS =                             \
      ::mr::register_job({NAME, DESCRIPTION, ::mr::detail::params_of<CLASS>(),           \
                          &::mr::detail::make_job<CLASS>})
