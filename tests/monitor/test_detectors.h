// Real detectors for the monitor tests, opened from their cards in models/ with model files
// from the shared models directory.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "core/detector.h"
#include "core/model_store.h"
#include "engine/engine.h"
#include "support/paths.h"

namespace sightline::testing {

// The detector, or null with a test failure naming what went wrong.
inline std::unique_ptr<Detector> open_card_detector(const std::string& card_name) {
  auto card = load_card(source_dir() + "/models/" + card_name + ".json", models_dir());
  EXPECT_TRUE(card) << card.message();
  if (!card) return nullptr;
  auto bytes = load_model_file(*card, models_dir());
  EXPECT_TRUE(bytes) << bytes.message();
  if (!bytes) return nullptr;
  auto backend = engine::load_model(*bytes, card->file, engine::EngineOptions{});
  EXPECT_TRUE(backend) << backend.message();
  if (!backend) return nullptr;
  auto detector = Detector::create(std::move(*card), std::move(*backend));
  EXPECT_TRUE(detector) << detector.message();
  if (!detector) return nullptr;
  return std::move(*detector);
}

}  // namespace sightline::testing
