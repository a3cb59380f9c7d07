// Fuzz check for model cards and class-name files: whatever a card parses to must satisfy the
// rules parse_model_card enforces, since the detector trusts them afterwards.
#pragma once

#include <string>

#include "core/model_card.h"
#include "fuzz/checks/check_support.h"

namespace sightline::fuzz {
namespace card_check {

inline std::string check_card(const ModelCard& card) {
  if (card.sha256.size() != 64) return "card accepted with sha256 '" + card.sha256 + "'";
  if (card.file.empty() || card.file.find('/') != std::string::npos ||
      card.file.find('\\') != std::string::npos || card.file == "..")
    return "card accepted with model file '" + card.file + "'";
  if (card.input_width < 1 || card.input_width > 4096 || card.input_height < 1 ||
      card.input_height > 4096)
    return "card accepted with input size " + std::to_string(card.input_width) + "x" +
           std::to_string(card.input_height);
  for (int c = 0; c < 3; ++c) {
    const InputNormalisation& norm = card.normalisation;
    if (!all_finite({norm.mean[c], norm.std[c], norm.scale}) || !(norm.std[c] > 0) ||
        !(norm.scale > 0))
      return "card accepted with a non-finite or non-positive normalisation";
  }
  if (card.strides.empty() || card.strides.size() > 8)
    return "card accepted with " + std::to_string(card.strides.size()) + " strides";
  for (int stride : card.strides) {
    if (stride < 1 || stride > 1024) return "card accepted with stride " + std::to_string(stride);
  }
  return "";
}

}  // namespace card_check

inline std::string check_model_card(std::span<const uint8_t> bytes) {
  constexpr std::string_view kCard = "fuzz.card.json";
  constexpr std::string_view kNames = "fuzz.names";

  const Result<ModelCard> card = parse_model_card(as_text(bytes), kCard);
  if (!card.ok()) {
    if (std::string problem = check_error_message("parse_model_card", card.message(), kCard);
        !problem.empty())
      return problem;
  } else if (std::string problem = card_check::check_card(*card); !problem.empty()) {
    return problem;
  }

  const Result<std::vector<std::string>> names = parse_class_names(as_text(bytes), kNames);
  if (!names.ok()) return check_error_message("parse_class_names", names.message(), kNames);
  if (names->empty() || names->size() > 100000)
    return "parse_class_names returned " + std::to_string(names->size()) + " names";
  for (const std::string& name : *names) {
    if (name.empty() || name.find('\n') != std::string::npos)
      return "parse_class_names returned a blank or multi-line name";
  }
  return "";
}

}  // namespace sightline::fuzz
