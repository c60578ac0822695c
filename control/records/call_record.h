#pragma once
// One record per ended call, as a JSON line (the contact center's CDR): call-id, trunk, type,
// ANI, DNIS, start/answer/end times, end cause, the codecs of each side, and packets and loss
// each way. The writer appends to a file; a failed write is counted, never fatal.

#include <cstdint>
#include <cstdio>
#include <string>

#include "control/b2bua/call.h"

namespace sbc::control {

// The record of `call` (which has ended) as one line of JSON, without the newline.
std::string callRecordJson(const Call& call);

class CallRecordWriter {
 public:
  // An empty path writes nothing (records are then only counted).
  explicit CallRecordWriter(const std::string& path);
  ~CallRecordWriter();
  CallRecordWriter(const CallRecordWriter&) = delete;
  CallRecordWriter& operator=(const CallRecordWriter&) = delete;

  bool ok() const { return path_.empty() || file_ != nullptr; }
  const std::string& error() const { return error_; }
  void write(const Call& call);
  std::uint64_t written() const { return written_; }
  std::uint64_t failed() const { return failed_; }

 private:
  std::string path_;
  std::FILE* file_ = nullptr;
  std::string error_;
  std::uint64_t written_ = 0;
  std::uint64_t failed_ = 0;
};

}  // namespace sbc::control
