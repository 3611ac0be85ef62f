// jobs/sort.cpp: sorts fixed-size records (TeraSort / gensort format: 100
// bytes, the first 10 the key) across all partitions. The key is the whole
// record, so records sort by their key bytes and ties by the rest: the order
// `LC_ALL=C sort` gives the same records as lines. Range partitioning from a
// sample of the input keeps partitions balanced even for skewed keys, and
// partition p holds only records below partition p+1's: export prints the
// records back, exactly as imported, in global order.
#include "mr/registry.h"

namespace {

class Sort : public mr::Job {
public:
  void map(const mr::Record &r, mr::Emitter &out) override { out.emit(r.bytes, {}); }

  void reduce(std::string_view record, std::span<const std::string_view> copies,
              mr::Emitter &out) override {
    for (std::size_t i = 0; i < copies.size(); ++i) // equal records stay
      out.emit(record, {});
  }

  mr::InputFormat input_format() const override { return mr::InputFormat::records; }
  mr::Partitioning partitioning() const override { return mr::Partitioning::range; }
  mr::ExportFormat export_format() const override { return mr::ExportFormat::raw_keys; }
};

} // namespace

MR_REGISTER_JOB("sort", Sort,
                "sort fixed-size records by their bytes (TeraSort; import with "
                "--format records)");
