// Protobuf wire-format primitives with a bounds check before every read.
#include "engine/onnx/wire_reader.h"

#include <cstring>

namespace sightline::engine::onnx {

size_t decode_varint(std::span<const uint8_t> bytes, uint64_t& value) {
  value = 0;
  const size_t limit = bytes.size() < 10 ? bytes.size() : 10;
  for (size_t i = 0; i < limit; ++i) {
    const uint64_t chunk = bytes[i] & 0x7f;
    // The tenth byte may only carry the top bit of a 64-bit value.
    if (i == 9 && chunk > 1) return 0;
    value |= chunk << (7 * i);
    if ((bytes[i] & 0x80) == 0) return i + 1;
  }
  return 0;
}

Error WireReader::error_at(size_t offset, std::string_view what, std::string_view problem) const {
  std::string message = *source_;
  message += ": ";
  message += what;
  message += " at byte ";
  message += std::to_string(offset);
  message += ": ";
  message += problem;
  return make_error(std::move(message));
}

Status WireReader::require(size_t count, std::string_view what, std::string_view item) {
  const size_t remaining = bytes_.size() - position_;
  if (count > remaining) {
    return error_at(offset(), what,
                    std::string(item) + " needs " + std::to_string(count) + " bytes but only " +
                        std::to_string(remaining) + " remain");
  }
  return Status::success();
}

Status WireReader::read_varint(uint64_t& value, std::string_view what) {
  const size_t used = decode_varint(bytes_.subspan(position_), value);
  if (used == 0) {
    return error_at(offset(), what, "varint is truncated or longer than 10 bytes");
  }
  position_ += used;
  return Status::success();
}

Status WireReader::read_tag(FieldTag& tag, std::string_view what) {
  tag.offset = offset();
  uint64_t key = 0;
  Status status = read_varint(key, what);
  if (!status.ok()) return status;

  const uint64_t number = key >> 3;
  if (number == 0 || number > 0x1fffffff) {
    return error_at(tag.offset, what, "field number " + std::to_string(number) + " is invalid");
  }
  tag.number = static_cast<uint32_t>(number);
  tag.wire_type = static_cast<WireType>(key & 7);
  return Status::success();
}

Status WireReader::read_fixed32(uint32_t& value, std::string_view what) {
  Status status = require(4, what, "a 32-bit value");
  if (!status.ok()) return status;
  std::memcpy(&value, bytes_.data() + position_, 4);
  position_ += 4;
  return Status::success();
}

Status WireReader::read_fixed64(uint64_t& value, std::string_view what) {
  Status status = require(8, what, "a 64-bit value");
  if (!status.ok()) return status;
  std::memcpy(&value, bytes_.data() + position_, 8);
  position_ += 8;
  return Status::success();
}

Status WireReader::read_bytes(std::span<const uint8_t>& payload, size_t& payload_offset,
                              std::string_view what) {
  const size_t length_offset = offset();
  uint64_t length = 0;
  Status status = read_varint(length, what);
  if (!status.ok()) return status;

  const size_t remaining = bytes_.size() - position_;
  if (length > remaining) {
    return error_at(length_offset, what,
                    "length " + std::to_string(length) + " runs past the end (" +
                        std::to_string(remaining) + " bytes remain)");
  }
  payload_offset = offset();
  payload = bytes_.subspan(position_, static_cast<size_t>(length));
  position_ += static_cast<size_t>(length);
  return Status::success();
}

Status WireReader::read_string(std::string& value, std::string_view what) {
  std::span<const uint8_t> payload;
  size_t payload_offset = 0;
  Status status = read_bytes(payload, payload_offset, what);
  if (!status.ok()) return status;
  value.assign(reinterpret_cast<const char*>(payload.data()), payload.size());
  return Status::success();
}

Status WireReader::read_message(WireReader& nested, std::string_view what) {
  std::span<const uint8_t> payload;
  size_t payload_offset = 0;
  Status status = read_bytes(payload, payload_offset, what);
  if (!status.ok()) return status;
  nested = WireReader(payload, payload_offset, *source_);
  return Status::success();
}

Status WireReader::read_raw_value(const FieldTag& tag, std::span<const uint8_t>& value,
                                  size_t& value_offset, std::string_view what) {
  value_offset = offset();
  const size_t start = position_;
  switch (tag.wire_type) {
    case WireType::kLengthDelimited:
      return read_bytes(value, value_offset, what);
    case WireType::kVarint: {
      uint64_t ignored = 0;
      Status status = read_varint(ignored, what);
      if (!status.ok()) return status;
      break;
    }
    case WireType::kFixed32: {
      uint32_t ignored = 0;
      Status status = read_fixed32(ignored, what);
      if (!status.ok()) return status;
      break;
    }
    case WireType::kFixed64: {
      uint64_t ignored = 0;
      Status status = read_fixed64(ignored, what);
      if (!status.ok()) return status;
      break;
    }
    default:
      return error_at(tag.offset, what,
                      "wire type " + std::to_string(static_cast<uint32_t>(tag.wire_type)) +
                          " is not supported (groups are deprecated, 6 and 7 are undefined)");
  }
  value = bytes_.subspan(start, position_ - start);
  return Status::success();
}

Status WireReader::skip(const FieldTag& tag, std::string_view what) {
  std::span<const uint8_t> ignored;
  size_t ignored_offset = 0;
  return read_raw_value(tag, ignored, ignored_offset, what);
}

}  // namespace sightline::engine::onnx
