#!/usr/bin/env bash
# Desktop test: builds the native app (build-desktop), checks that without a display it says so
# and exits non-zero, then starts it under Xvfb with dog.jpg, waits for its detections in the
# log, takes a screenshot (build/artifacts/desktop-dog.png) and checks that the screenshot
# shows box colours over the photo.
#
#   tests/desktop/run.sh [--no-build]
# Environment: SIGHTLINE_DATA (photos, default ../shared/data).
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
data_dir=${SIGHTLINE_DATA:-$root/../shared/data}
photo=$data_dir/samples/dog.jpg
binary=build-desktop/platform/desktop/sightline-desktop
artifacts=build/artifacts
mkdir -p "$artifacts"
failures=0

fail() {
  echo "FAIL: $*"
  failures=$((failures + 1))
}

if [ "${1:-}" != --no-build ]; then
  cmake -S . -B build-desktop -DCMAKE_BUILD_TYPE=Release -DSIGHTLINE_BUILD_DESKTOP=ON \
    -DSIGHTLINE_BUILD_TESTS=OFF >/dev/null
  cmake --build build-desktop -j2 --target sightline_desktop >/dev/null
fi
[ -f "$photo" ] || { echo "FAIL: $photo not found (set SIGHTLINE_DATA)"; exit 1; }

# 1. No display: a clear message and a non-zero exit.
set +e
message=$(env -u DISPLAY -u WAYLAND_DISPLAY "$binary" "$photo" 2>&1)
status=$?
set -e
if [ $status -ne 0 ] && grep -q "no display" <<<"$message"; then
  echo "ok: without a display it exits $status: $(head -1 <<<"$message")"
else
  fail "without a display: exit $status, output: $message"
fi

# 2. Under Xvfb with dog.jpg: wait for the detections, then screenshot the screen.
log=$artifacts/desktop-log.txt
shot=$artifacts/desktop-dog.png
rm -f "$shot"
xvfb-run -a -s "-screen 0 1280x720x24" bash -c '
  "$1" "$2" >"$3" 2>&1 &
  app=$!
  for _ in $(seq 1 120); do
    grep -q "dog.jpg: [0-9]* detections" "$3" && break
    kill -0 $app 2>/dev/null || break
    sleep 0.5
  done
  sleep 1
  import -window root "$4"
  kill $app 2>/dev/null
  wait $app 2>/dev/null
  true' _ "$binary" "$photo" "$log" "$shot"

if grep -q "dog.jpg: [0-9]* detections" "$log"; then
  echo "ok: $(grep -o "dog.jpg: [0-9]* detections.*" "$log" | head -1)"
else
  fail "no detections line in the app log ($log):"
  sed 's/^/    /' "$log" | tail -20
fi
if [ -f "$shot" ]; then
  # The dog box (class 16) and bicycle box (class 1) colours must appear: count pixels close to
  # each colour in the screenshot.
  node tests/desktop/box_colours.mjs "$shot" || fail "screenshot $shot shows no box colours"
else
  fail "no screenshot taken"
fi

if [ $failures -gt 0 ]; then
  echo "desktop test: $failures failure(s)"
  exit 1
fi
echo "desktop test: all passed (screenshot: $shot)"
