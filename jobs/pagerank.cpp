// jobs/pagerank.cpp: PageRank of an edge list, iterated in one launch: a
// driver (mr/driver.h) running three jobs.
//
// Input: lines `source<whitespace>target` (as reverse-links reads them;
// other lines counted as malformed_lines). Node names are byte strings; a
// duplicate edge counts once; a self-loop is an edge. With N distinct nodes,
// r0(v) = 1/N and
//   r_{t+1}(v) = (1-d)/N + d * (sum over edges u->v of r_t(u)/outdeg(u) + D_t/N)
// where D_t is the sum of r_t over the nodes without out-edges. Iterations
// stop after `iterations`, or once the L1 distance between r_t and r_{t+1}
// is below `tolerance`. Export: `node<TAB>rank` (%.17g), in node byte order.
//
//   pagerank-graph  edges -> (node, 8 zero bytes + its de-duplicated targets)
//   pagerank-step   (node, rank + targets) -> the same, one iteration later
//                   (shares summed exactly, as integers: see Step);
//                   counters l1_fixed and dangling_fixed: the L1 change and
//                   D_{t+1} in units of 2^-60, each node's term rounded on
//                   its own, so that the sums are exact and the same at any
//                   rank count (at most N x 2^-61 from the real sums)
//   pagerank-ranks  (node, rank + targets) -> (node, "%.17g")
//
// The driver remembers N, D_t and
// the L1 changes in OUTPUT.work/pagerank.state, so that a relaunch with
// --resume skips the iterations done and continues the one in progress from
// its checkpoint (DIR/iter-K).
#include <algorithm>
#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "mr/codec.h"
#include "mr/driver.h"
#include "mr/params.h"
#include "mr/registry.h"
#include "mr/text.h"

namespace {

constexpr double kFixed = 1152921504606846976.0; // 2^60

std::string double_bytes(double v) {
  std::uint64_t bits = 0;
  std::memcpy(&bits, &v, 8);
  return std::string(mr::u64_bytes(bits));
}

double read_double(std::string_view bytes) {
  const std::uint64_t bits = mr::read_u64(bytes.substr(0, 8));
  double v = 0;
  std::memcpy(&v, &bits, 8);
  return v;
}

std::uint64_t fixed(double v) {
  return static_cast<std::uint64_t>(std::llround(v * kFixed));
}

/// Edges -> nodes with their targets. A value is a list of target names
/// (mr::append_string), which combine concatenates (a source's edges leave
/// a map task as one list) and reduce sorts and de-duplicates: the result
/// does not depend on the order of the concatenations. (Merging sorted sets
/// in combine was measured slower: 2.3 s of map against 0.4 s, at scale 18,
/// its cost quadratic in a hub's edges within a task.) combine_appends: the
/// engine appends in place, across a worker's tasks (concatenating copies
/// made the map phase quadratic in a hub's edges too: 2.0 s against 0.6 s
/// at scale 20).
class Graph : public mr::Job {
public:
  void map(const mr::Record &r, mr::Emitter &out) override {
    std::string_view source, target;
    if (!mr::split_edge(r.bytes, source, target)) {
      ++malformed_;
      return;
    }
    value_.clear();
    mr::append_string(value_, target);
    out.emit(source, value_);
    out.emit(target, ""); // a node, even without out-edges
  }
  void combine(std::string_view, std::string_view a, std::string_view b,
               std::string &merged) override {
    merged.reserve(a.size() + b.size());
    merged.assign(a).append(b);
  }
  bool combine_appends() const override { return true; }
  void reduce(std::string_view node, std::span<const std::string_view> lists,
              mr::Emitter &out) override {
    targets_.clear();
    mr::for_each_string(lists[0], [&](std::string_view t) { targets_.push_back(t); });
    std::sort(targets_.begin(), targets_.end());
    targets_.erase(std::unique(targets_.begin(), targets_.end()), targets_.end());
    if (targets_.empty())
      ++dangling_;
    state_.assign(8, '\0');
    for (std::string_view t : targets_)
      mr::append_string(state_, t);
    out.emit(node, state_);
  }

private:
  std::string value_, state_;
  std::vector<std::string_view> targets_;
  std::uint64_t &malformed_ = counter("malformed_lines");
  std::uint64_t &dangling_ = counter("dangling_nodes");
};

/// Shares travel as integers in units of 2^-63 (a share is at most 1), so
/// that their sums are exact: the same in any order, hence at any rank
/// count and task split, and combinable as early as the engine can.
constexpr double kShareUnit = 9223372036854775808.0; // 2^63

/// One iteration. Map emits each node's state ('S', a share sum of 0, its
/// rank and targets) and a share ('C', rank / out-degree) to each target;
/// combine adds shares into one another or into the node's state, so that
/// reduce gets one value per node: its state holding the sum of its shares.
/// (Keeping states and shares under two keys, so that a share never copies
/// a state, was measured slower: 0.86 s against 0.71-0.76 s a step at scale 18,
/// from the longer keys and twice the reduce calls.)
class Step : public mr::Job {
public:
  static mr::ParamSpecs parameters() {
    return {mr::required_param("n", "number of nodes"),
            mr::required_param("damping", "d"),
            mr::required_param("dangling", "D_t, the rank of nodes without out-edges"),
            {"first", "false", "true: every rank is 1/n (r0)"}};
  }
  explicit Step(const mr::Params &p)
      : n_(static_cast<double>(mr::param_u64(p, "n", 1))),
        d_(std::strtod(mr::param(p, "damping").c_str(), nullptr)),
        dangling_(std::strtod(mr::param(p, "dangling").c_str(), nullptr)),
        first_(mr::param_bool(p, "first")) {}

  mr::InputFormat input_format() const override { return mr::InputFormat::pairs; }

  void map(const mr::Record &r, mr::Emitter &out) override {
    const double rank = first_ ? 1 / n_ : read_double(r.value);
    const std::string_view targets = r.value.substr(8);
    value_.assign(1, 'S')
        .append(mr::u64_bytes(0))
        .append(double_bytes(rank))
        .append(targets);
    out.emit(r.key(), value_);
    std::size_t k = 0;
    mr::for_each_string(targets, [&](std::string_view) { ++k; });
    if (k == 0)
      return;
    const auto share =
        static_cast<std::uint64_t>(rank / static_cast<double>(k) * kShareUnit + 0.5);
    value_.assign(1, 'C').append(mr::u64_bytes(share));
    mr::for_each_string(targets, [&](std::string_view v) { out.emit(v, value_); });
  }

  void combine(std::string_view node, std::string_view a, std::string_view b,
               std::string &merged) override {
    if (a[0] == 'S' && b[0] == 'S')
      throw std::runtime_error("pagerank-step: node '" + std::string(node) +
                               "' occurs twice in its input (not a pagerank graph)");
    const std::string_view into = a[0] == 'S' ? a : b, added = a[0] == 'S' ? b : a;
    merged.assign(into);
    const std::uint64_t sum =
        mr::read_u64(into.substr(1, 8)) + mr::read_u64(added.substr(1, 8));
    merged.replace(1, 8, mr::u64_bytes(sum));
  }

  void reduce(std::string_view node, std::span<const std::string_view> values,
              mr::Emitter &out) override {
    const std::string_view state = values[0];
    if (state[0] != 'S')
      throw std::runtime_error("pagerank-step: node '" + std::string(node) +
                               "' has shares but no state (its input is not a "
                               "pagerank graph)");
    const double sum = static_cast<double>(mr::read_u64(state.substr(1, 8))) / kShareUnit;
    const double old = read_double(state.substr(9, 8));
    const std::string_view targets = state.substr(17);
    const double now = (1 - d_) / n_ + d_ * (sum + dangling_ / n_);
    l1_ += fixed(std::fabs(now - old));
    if (targets.empty())
      dangling_next_ += fixed(now);
    state_.assign(double_bytes(now)).append(targets);
    out.emit(node, state_);
  }

private:
  double n_, d_, dangling_;
  bool first_;
  std::string value_, state_;
  std::uint64_t &l1_ = counter("l1_fixed");
  std::uint64_t &dangling_next_ = counter("dangling_fixed");
};

/// The ranks as text.
class Ranks : public mr::Job {
public:
  static mr::ParamSpecs parameters() {
    return {{"iterations", "0", "iterations run (recorded in the output)"},
            {"last_l1", "", "the last L1 change (recorded in the output)"}};
  }
  explicit Ranks(const mr::Params &) {}
  mr::InputFormat input_format() const override { return mr::InputFormat::pairs; }
  void map(const mr::Record &r, mr::Emitter &out) override {
    char text[32];
    std::snprintf(text, sizeof text, "%.17g", read_double(r.value));
    out.emit(r.key(), text);
  }
  void reduce(std::string_view node, std::span<const std::string_view> values,
              mr::Emitter &out) override {
    out.emit(node, values[0]);
  }
};

std::string hex(double v) {
  char text[40];
  std::snprintf(text, sizeof text, "%a", v);
  return text;
}

/// pagerank.state: "graph N D0" then "iter T L1 D_T" lines.
struct State {
  bool graph = false;
  std::uint64_t n = 0;
  std::vector<double> dangling; // D_0, D_1, ...
  std::vector<double> l1;       // L1 of iteration 1, 2, ...

  static State parse(const std::string &text) {
    State s;
    std::istringstream in(text);
    std::string kind;
    while (in >> kind) {
      std::string a, b, c;
      if (kind == "graph" && in >> a >> b) {
        s.graph = true;
        s.n = std::stoull(a);
        s.dangling = {std::strtod(b.c_str(), nullptr)};
      } else if (kind == "iter" && in >> a >> b >> c &&
                 std::stoull(a) == s.l1.size() + 1) {
        s.l1.push_back(std::strtod(b.c_str(), nullptr));
        s.dangling.push_back(std::strtod(c.c_str(), nullptr));
      } else {
        break; // cut short: what follows is done again
      }
    }
    return s;
  }
  std::string text() const {
    std::string t = "graph " + std::to_string(n) + " " + hex(dangling.at(0)) + "\n";
    for (std::size_t i = 0; i < l1.size(); ++i)
      t += "iter " + std::to_string(i + 1) + " " + hex(l1[i]) + " " +
           hex(dangling[i + 1]) + "\n";
    return t;
  }
};

int pagerank(mr::DriverContext &ctx) {
  const mr::Params &p = ctx.params();
  const double d = std::strtod(mr::param(p, "damping").c_str(), nullptr);
  if (!(d > 0 && d < 1))
    throw std::invalid_argument("parameter 'damping': " + mr::param(p, "damping") +
                                " is not between 0 and 1 (both excluded)");
  const std::uint64_t iterations = mr::param_u64(p, "iterations", 1, 100000);
  char *end = nullptr;
  const double tolerance = std::strtod(mr::param(p, "tolerance").c_str(), &end);
  if (*end != '\0' || !(tolerance >= 0))
    throw std::invalid_argument("parameter 'tolerance': '" + mr::param(p, "tolerance") +
                                "' is not a number >= 0");
  const std::string work = ctx.work_dir();
  const std::string state_path = work + "/pagerank.state";
  auto in_work = [&](const std::string &name) { return work + "/" + name; };

  std::string last = in_work("graph.h5");
  mr::StageResult r = ctx.run({"pagerank-graph", ctx.inputs(), last, {}}, "graph");
  if (r.exit_code)
    return r.exit_code;
  // The state is trusted only when the graph stage found its output
  // complete (same edges): otherwise every iteration runs again.
  State s = r.already_complete ? State::parse(ctx.load_text(state_path)) : State();
  if (!s.graph || s.n != r.rows) {
    if (!r.counters_known) { // a graph of an older build: count its dangling nodes
      last = in_work("graph-recounted.h5");
      r = ctx.run({"pagerank-graph", ctx.inputs(), last, {}}, "graph-recounted");
      if (r.exit_code)
        return r.exit_code;
    }
    s = State();
    s.graph = true;
    s.n = r.rows;
    s.dangling = {s.n ? static_cast<double>(r.counter("dangling_nodes")) /
                            static_cast<double>(s.n)
                      : 0.0};
    ctx.save_text(state_path, s.text());
  }
  if (!s.l1.empty() && ctx.rank() == 0 && !ctx.quiet())
    std::fprintf(stderr,
                 "pagerank: resuming at iteration %zu (iterations 1 to %zu done)\n",
                 s.l1.size() + 1, s.l1.size());
  std::uint64_t t = 0;
  double l1 = 0;
  bool converged = false;
  while (s.n > 0 && t < iterations && !converged) {
    ++t;
    const std::string out = in_work("iter-" + std::to_string(t) + ".h5");
    if (t <= s.l1.size()) { // done before a relaunch
      l1 = s.l1[t - 1];
    } else {
      const mr::Params step{{"n", std::to_string(s.n)},
                            {"damping", hex(d)},
                            {"dangling", hex(s.dangling[t - 1])},
                            {"first", t == 1 ? "true" : "false"}};
      r = ctx.run({"pagerank-step", {last}, out, step}, "iter-" + std::to_string(t));
      if (r.exit_code)
        return r.exit_code;
      l1 = static_cast<double>(r.counter("l1_fixed")) / kFixed;
      s.l1.push_back(l1);
      s.dangling.push_back(static_cast<double>(r.counter("dangling_fixed")) / kFixed);
      ctx.save_text(state_path, s.text());
    }
    last = out;
    converged = l1 < tolerance;
  }
  char l1_text[32];
  std::snprintf(l1_text, sizeof l1_text, "%.6g", l1);
  r = ctx.run({"pagerank-ranks",
               {last},
               ctx.output(),
               {{"iterations", std::to_string(t)}, {"last_l1", l1_text}}},
              "ranks");
  if (r.exit_code)
    return r.exit_code;
  if (ctx.rank() == 0 && !ctx.quiet())
    std::fprintf(stderr,
                 "pagerank: %" PRIu64 " nodes, %" PRIu64
                 " iteration(s), last L1 change %s (%s)\n",
                 s.n, t, l1_text,
                 converged ? "below the tolerance" : "the iteration limit was reached");
  return 0;
}

} // namespace

MR_REGISTER_JOB("pagerank-graph", Graph,
                "a stage of pagerank: the graph of an edge list");
MR_REGISTER_JOB("pagerank-step", Step, "a stage of pagerank: one iteration");
MR_REGISTER_JOB("pagerank-ranks", Ranks, "a stage of pagerank: the ranks as text");
MR_REGISTER_DRIVER("pagerank", pagerank,
                   "PageRank of an edge list, iterated to convergence in one launch",
                   (mr::ParamSpecs{
                       {"damping", "0.85", "d, between 0 and 1"},
                       {"iterations", "50", "at most this many iterations"},
                       {"tolerance", "1e-10", "stop when the L1 change is below it"}}));
