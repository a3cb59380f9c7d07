// Bounds-checked reading of the protobuf wire format.
//
// Every varint, length and fixed-size value is checked against the bytes that remain before it
// is used, so a truncated or hostile file yields an error naming the source, the field and the
// byte offset, never a read past the end. Offsets in messages are from the start of the file.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "core/result.h"

namespace sightline::engine::onnx {

enum class WireType : uint32_t {
  kVarint = 0,
  kFixed64 = 1,
  kLengthDelimited = 2,
  kStartGroup = 3,
  kEndGroup = 4,
  kFixed32 = 5,
};

struct FieldTag {
  uint32_t number = 0;
  WireType wire_type = WireType::kVarint;
  size_t offset = 0;  // where the tag starts
};

class WireReader {
 public:
  // `base_offset` is the position of bytes[0] in the file; `source` names the file in errors and
  // must outlive the reader.
  WireReader(std::span<const uint8_t> bytes, size_t base_offset, const std::string& source)
      : bytes_(bytes), base_offset_(base_offset), source_(&source) {}

  bool at_end() const { return position_ >= bytes_.size(); }
  size_t offset() const { return base_offset_ + position_; }

  // `what` names the message or field being read ("NodeProto.input") for error messages.
  Status read_tag(FieldTag& tag, std::string_view what);
  Status read_varint(uint64_t& value, std::string_view what);
  Status read_fixed32(uint32_t& value, std::string_view what);
  Status read_fixed64(uint64_t& value, std::string_view what);

  // A length-delimited payload: its bytes stay in the caller's buffer.
  Status read_bytes(std::span<const uint8_t>& payload, size_t& payload_offset,
                    std::string_view what);
  Status read_string(std::string& value, std::string_view what);
  // A reader over a nested message's bytes.
  Status read_message(WireReader& nested, std::string_view what);

  // Skips one field's value according to its wire type; groups are refused.
  Status skip(const FieldTag& tag, std::string_view what);

  // The value bytes of one field, whatever its wire type (used to decode repeated fields later).
  Status read_raw_value(const FieldTag& tag, std::span<const uint8_t>& value, size_t& value_offset,
                        std::string_view what);

  Error error_at(size_t offset, std::string_view what, std::string_view problem) const;
  const std::string& source() const { return *source_; }

 private:
  Status require(size_t count, std::string_view what, std::string_view item);

  std::span<const uint8_t> bytes_;
  size_t base_offset_ = 0;
  size_t position_ = 0;
  const std::string* source_;
};

// Decodes one varint from the front of `bytes`; returns the number of bytes used, or 0 when the
// varint is truncated or longer than 10 bytes.
size_t decode_varint(std::span<const uint8_t> bytes, uint64_t& value);

}  // namespace sightline::engine::onnx
