// examples/linelength/kmeans.cpp: a driver of one's own (mr/driver.h):
// k-means of points `x y` (one a line, numbers), iterated in one launch.
//
//   mpirun -n 4 build-ex/myjobs run kmeans -i points.h5 -o clusters.h5
//       --param centroids="0,0;10,10;20,0" --param iterations=20
//
// Each iteration is one run of the job kmeans-step: map puts each point in
// the cluster of its nearest centroid (ties: the first) and adds its
// coordinates to the counters sx<i> and sy<i> as fixed point (units of
// 2^-32, two's complement: sums of uint64 counters wrap as int64 sums do)
// and 1 to n<i>; the reduce counts the points a cluster. The driver reads
// the counters (the same on every rank), moves the centroids to the means,
// and stops when none moves or after `iterations`. The output: for each
// cluster (its index, as key), how many points it holds; rank 0 prints the
// centroids. A line that is not two numbers is counted as malformed_lines.
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <stdexcept>
#include <string>
#include <vector>

#include "mr/codec.h"
#include "mr/count_job.h"
#include "mr/driver.h"
#include "mr/params.h"
#include "mr/registry.h"

namespace {

constexpr double kUnit = 4294967296.0; // 2^32

struct Point {
  double x, y;
};

/// "x1,y1;x2,y2;..." (as the driver writes them: %a, exact).
std::vector<Point> parse_centroids(const std::string &text) {
  std::vector<Point> c;
  const char *p = text.c_str();
  while (*p) {
    char *end = nullptr;
    const double x = std::strtod(p, &end);
    if (end == p || *end != ',')
      throw std::invalid_argument("parameter 'centroids': expected x,y;x,y;... got '" +
                                  text + "'");
    p = end + 1;
    const double y = std::strtod(p, &end);
    if (end == p || (*end != ';' && *end != '\0'))
      throw std::invalid_argument("parameter 'centroids': expected x,y;x,y;... got '" +
                                  text + "'");
    c.push_back({x, y});
    p = *end ? end + 1 : end;
  }
  if (c.empty())
    throw std::invalid_argument("parameter 'centroids' names no centroid");
  return c;
}

std::string format_centroids(const std::vector<Point> &c) {
  std::string text;
  char buf[80];
  for (const Point &p : c) {
    std::snprintf(buf, sizeof buf, "%s%a,%a", text.empty() ? "" : ";", p.x, p.y);
    text += buf;
  }
  return text;
}

class Step : public mr::CountJob {
public:
  static mr::ParamSpecs parameters() {
    return {mr::required_param("centroids", "x,y;x,y;... the current centroids")};
  }
  explicit Step(const mr::Params &p) : c_(parse_centroids(mr::param(p, "centroids"))) {
    for (std::size_t i = 0; i < c_.size(); ++i) {
      sx_.push_back(&counter("sx" + std::to_string(i)));
      sy_.push_back(&counter("sy" + std::to_string(i)));
      n_.push_back(&counter("n" + std::to_string(i)));
    }
  }
  void map(const mr::Record &r, mr::Emitter &out) override {
    const std::string line(r.bytes);
    char *end = nullptr;
    const double x = std::strtod(line.c_str(), &end);
    const char *rest = end;
    const double y = std::strtod(rest, &end);
    if (end == rest || end == line.c_str() ||
        line.find_first_not_of(" \t", end - line.c_str()) != std::string::npos) {
      ++malformed_;
      return;
    }
    std::size_t best = 0;
    double best_d = INFINITY;
    for (std::size_t i = 0; i < c_.size(); ++i) {
      const double dx = x - c_[i].x, dy = y - c_[i].y, d = dx * dx + dy * dy;
      if (d < best_d) {
        best_d = d;
        best = i;
      }
    }
    *sx_[best] += static_cast<std::uint64_t>(std::llround(x * kUnit));
    *sy_[best] += static_cast<std::uint64_t>(std::llround(y * kUnit));
    ++*n_[best];
    out.emit(mr::sortable_u64(best), mr::u64_bytes(1));
  }

private:
  std::vector<Point> c_;
  std::vector<std::uint64_t *> sx_, sy_, n_;
  std::uint64_t &malformed_ = counter("malformed_lines");
};

int kmeans(mr::DriverContext &ctx) {
  std::vector<Point> c = parse_centroids(mr::param(ctx.params(), "centroids"));
  const std::uint64_t iterations = mr::param_u64(ctx.params(), "iterations", 1, 10000);
  std::uint64_t t = 0;
  bool moved = true;
  while (moved && t < iterations) {
    ++t;
    const std::string out = ctx.work_dir() + "/step-" + std::to_string(t) + ".h5";
    const mr::StageResult r =
        ctx.run({"kmeans-step", ctx.inputs(), out, {{"centroids", format_centroids(c)}}},
                "step-" + std::to_string(t));
    if (r.exit_code)
      return r.exit_code;
    moved = false;
    for (std::size_t i = 0; i < c.size(); ++i) {
      const std::uint64_t n = r.counter("n" + std::to_string(i));
      if (n == 0)
        continue; // an empty cluster keeps its centroid
      const auto sum = [&](const char *name) {
        return static_cast<double>(
                   static_cast<std::int64_t>(r.counter(name + std::to_string(i)))) /
               kUnit;
      };
      const Point mean{sum("sx") / static_cast<double>(n),
                       sum("sy") / static_cast<double>(n)};
      moved = moved || mean.x != c[i].x || mean.y != c[i].y;
      c[i] = mean;
    }
  }
  // The output: the final clusters' sizes, with the centroids they are of.
  const mr::StageResult r = ctx.run(
      {"kmeans-step", ctx.inputs(), ctx.output(), {{"centroids", format_centroids(c)}}},
      "final");
  if (r.exit_code == 0 && ctx.rank() == 0 && !ctx.quiet()) {
    std::printf("kmeans: %llu iteration(s)%s\n", static_cast<unsigned long long>(t),
                moved ? " (the limit)" : ", converged");
    for (std::size_t i = 0; i < c.size(); ++i)
      std::printf("centroid %zu: %.17g %.17g (%llu points)\n", i, c[i].x, c[i].y,
                  static_cast<unsigned long long>(r.counter("n" + std::to_string(i))));
  }
  return r.exit_code;
}

} // namespace

MR_REGISTER_JOB("kmeans-step", Step,
                "a stage of kmeans: points to their nearest centroid");
MR_REGISTER_DRIVER("kmeans", kmeans, "k-means of x y points, iterated in one launch",
                   (mr::ParamSpecs{
                       mr::required_param("centroids", "x,y;x,y;... the first centroids"),
                       {"iterations", "20", "at most this many iterations"}}));
