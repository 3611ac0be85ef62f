// jobs/wordcount.cpp: counts how often each word occurs.
//
// A word is a maximal run of bytes that are not ASCII whitespace (space, \t,
// \n, \v, \f, \r); words are case-sensitive byte strings, counts are 64-bit.
#include "mr/count_job.h"
#include "mr/registry.h"
#include "mr/text.h"

namespace {

class WordCount : public mr::CountJob {
public:
  void map(const mr::Record &record, mr::Emitter &out) override {
    const mr::U64Bytes one = mr::u64_bytes(1);
    mr::for_each_word(record.bytes, [&](std::string_view word) { out.emit(word, one); });
  }
};

} // namespace

MR_REGISTER_JOB("wordcount", WordCount,
                "count each whitespace-separated word (byte strings, 64-bit counts)");
