// src/comm/wire.h: structs as bytes for the messages between ranks
// (Boost.Serialization's binary archive: every rank runs the same binary).
// A struct sent between ranks declares its fields once, in a `serialize`
// function, instead of being packed and unpacked by position.
#pragma once

#include <sstream>
#include <string>
#include <string_view>

#include <boost/archive/binary_iarchive.hpp>
#include <boost/archive/binary_oarchive.hpp>
#include <boost/serialization/map.hpp>
#include <boost/serialization/string.hpp>
#include <boost/serialization/vector.hpp>

#include "ckpt/manifest.h"

namespace boost::serialization {
template <class Archive> void serialize(Archive &ar, mr::ckpt::Commit &c, unsigned) {
  ar &c.id &c.file &c.bytes &c.xxh3 &c.counters;
}
} // namespace boost::serialization

namespace mr::comm {

/// A std::optional as a flag and, when set, its value.
template <class Archive, class T> void optional_field(Archive &ar, std::optional<T> &v) {
  bool set = v.has_value();
  ar &set;
  if (set && !v)
    v.emplace();
  if (set)
    ar &*v;
}

template <class T> std::string to_bytes(const T &value) {
  std::ostringstream out;
  {
    boost::archive::binary_oarchive ar(out, boost::archive::no_header);
    ar << value;
  }
  return std::move(out).str();
}

template <class T> T from_bytes(std::string_view bytes) {
  std::istringstream in{std::string(bytes)};
  boost::archive::binary_iarchive ar(in, boost::archive::no_header);
  T value;
  ar >> value;
  return value;
}

} // namespace mr::comm
