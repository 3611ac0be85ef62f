// tests/compile_fail/no_reduce.cpp: a job without reduce must fail to compile
// with one message that names map and reduce (not one about constructors).
#include "mr/codec.h"
#include "mr/registry.h"

class NoReduce : public mr::Job {
public:
  void map(const mr::Record &r, mr::Emitter &out) override {
    out.emit(r.bytes, mr::u64_bytes(1));
  }
};
MR_REGISTER_JOB("noreduce", NoReduce, "forgot reduce");
