// src/io/multi_input.h: several inputs (-i A -i B ...) read as one. Their
// bytes follow one another (input k at [begin(k), begin(k+1))); a record
// starts at every input's beginning, and each input's own format cuts the
// records of its piece of a task (a task may end one input and begin the
// next). Records carry the input they
// come from (Record::input) and their file's index in the joined file
// table; InputInfo::parts holds each input's own info.
#pragma once

#include <memory>
#include <vector>

#include "io/input.h"

namespace mr::io {

class MultiInput : public Input {
public:
  explicit MultiInput(std::vector<std::unique_ptr<Input>> parts);

  std::uint64_t size() const override { return begins_.back(); }
  const InputInfo &info() const override { return info_; }
  const RecordFormat &format() const override { return *format_; }
  void read(std::uint64_t offset, std::uint64_t count, char *dst) const override;
  void read_verified(std::uint64_t offset, std::uint64_t count, char *dst) const override;
  bool verifiable() const override;
  std::string files_between(std::uint64_t begin, std::uint64_t end) const override;
  std::string content_digest() const override;
  std::string kind() const override;

  std::size_t parts() const { return parts_.size(); }
  const Input &part(std::size_t k) const { return *parts_[k]; }
  std::uint64_t begin(std::size_t k) const { return begins_[k]; }
  /// The input holding byte `pos` (the last one for pos == size()).
  std::size_t part_at(std::uint64_t pos) const;

private:
  template <class F>
  void for_each_piece(std::uint64_t offset, std::uint64_t count, F &&f) const;

  std::vector<std::unique_ptr<Input>> parts_;
  std::vector<std::uint64_t> begins_{0}; // parts + 1
  std::vector<std::size_t> first_file_{0};
  InputInfo info_;
  std::unique_ptr<RecordFormat> format_;
};

} // namespace mr::io
