#!/usr/bin/env bash
# Desktop test: builds the native app (build-desktop), checks that without a display it says so
# and exits non-zero, then starts it under Xvfb with dog.jpg, waits for its detections in the
# log, takes a screenshot (build/artifacts/desktop-dog.png) and checks that the screenshot
# shows box colours over the photo; then gives it a folder of five labelled COCO128 photos and
# checks the evaluation lands in the JSON-lines ledger ($SIGHTLINE_LEDGER, a temporary file);
# then, clicking with xdotool, labels dog.jpg (Labels mode, Accept predictions), writes the YOLO
# export to a folder and checks a second write into the non-empty folder waits for the
# confirmation modal's Overwrite; then opens the Performance tab, runs Profile and checks the
# profile finished and its tables are drawn.
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

# 3. A YOLO folder on the command line is evaluated and recorded in the JSON-lines ledger.
dataset=$(mktemp -d)
ledger=$(mktemp -u).jsonl
cp "$data_dir/coco128/classes.txt" "$dataset/"
for stem in 000000000009 000000000025 000000000030 000000000034 000000000036; do
  cp "$data_dir/coco128/images/$stem.jpg" "$data_dir/coco128/labels/$stem.txt" "$dataset/"
done
eval_log=$artifacts/desktop-eval-log.txt
SIGHTLINE_LEDGER=$ledger xvfb-run -a -s "-screen 0 1280x720x24" bash -c '
  "$1" "$2" >"$3" 2>&1 &
  app=$!
  for _ in $(seq 1 240); do
    grep -q "recorded as run\|evaluation:" "$3" && break
    kill -0 $app 2>/dev/null || break
    sleep 0.5
  done
  sleep 1
  import -window root "$4"
  kill $app 2>/dev/null
  wait $app 2>/dev/null
  true' _ "$binary" "$dataset" "$eval_log" "$artifacts/desktop-evaluate.png"
if [ -f "$ledger" ] && node -e '
  const run = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8").trim());
  process.exit(run.images === 5 && run.model === "yolox_nano" && run.metrics.AP > 0.5 ? 0 : 1)
  ' "$ledger"; then
  echo "ok: the folder was evaluated and recorded: $(grep -o "evaluate: 5 photos.*" "$eval_log")"
else
  fail "the dataset folder was not evaluated and recorded in $ledger:"
  sed 's/^/    /' "$eval_log" | tail -20
fi
rm -rf "$dataset" "$ledger"

# 4. Labels: edit mode, Accept predictions, "Write yolo" into a new folder, then again into the
# now non-empty folder, which must wait for the modal's Overwrite. Clicks land on the layout
# of a 1280x720 screen (the canvas's Labels checkbox, the Labels tab's buttons; the Write
# buttons sit one 17 px line lower per box listed above them).
if command -v xdotool >/dev/null; then
  workdir=$(mktemp -d)
  labels_log=$root/$artifacts/desktop-labels-log.txt
  xvfb-run -a -s "-screen 0 1280x720x24" bash -c '
    cd "$3"
    "$1" "$2" >"$4" 2>&1 &
    app=$!
    for _ in $(seq 1 120); do
      grep -q "dog.jpg: [0-9]* detections" "$4" && break
      sleep 0.5
    done
    boxes=$(grep -o "dog.jpg: [0-9]* detections" "$4" | head -1 | grep -o "[0-9]*" | head -1)
    click() {
      xdotool mousemove "$1" "$2"; sleep 0.3
      xdotool mousedown 1; sleep 0.2; xdotool mouseup 1; sleep 0.3
      # The program draws on events: a move shows the click'"'"'s outcome.
      xdotool mousemove $(($1 + 1)) "$2"; sleep 0.5
    }
    write_y=$((343 + 17 * ${boxes:-0}))
    click 391 49
    click 1101 82
    click 986 $write_y
    cp labels-export/labels/dog.txt first-export.txt 2>/dev/null
    echo stale >labels-export/labels/dog.txt
    click 986 $write_y
    cp labels-export/labels/dog.txt before-overwrite.txt
    import -window root "$5"
    click 446 386
    sleep 0.5
    kill $app 2>/dev/null
    wait $app 2>/dev/null
    true' _ "$root/$binary" "$photo" "$workdir" "$labels_log" "$root/$artifacts/desktop-labels.png"
  detections=$(grep -o "dog.jpg: [0-9]* detections" "$labels_log" | head -1 | grep -o "[0-9]*" |
    head -1)
  lines() { [ -f "$1" ] && grep -c . "$1" || echo 0; }
  if [ -n "$detections" ] && [ "$(lines "$workdir/first-export.txt")" = "$detections" ] &&
    cmp -s "$workdir/labels-export/images/dog.jpg" "$photo" &&
    [ "$(lines "$workdir/labels-export/classes.txt")" = 80 ]; then
    echo "ok: labels: the accepted $detections boxes written as YOLO with dog.jpg and classes.txt"
  else
    fail "labels: the YOLO export in $workdir/labels-export is not the accepted boxes:"
    sed 's/^/    /' "$labels_log" | tail -20
  fi
  if [ "$(cat "$workdir/before-overwrite.txt" 2>/dev/null)" = stale ] &&
    cmp -s "$workdir/labels-export/labels/dog.txt" "$workdir/first-export.txt"; then
    echo "ok: labels: a non-empty folder was written only after the modal's Overwrite"
  else
    fail "labels: the second write did not wait for the confirmation, or Overwrite did not write"
  fi
  rm -rf "$workdir"
else
  fail "labels: xdotool is missing (scripts/setup installs it)"
fi

# 5. Performance: the tab opens and Profile runs 10 profiled runs of dog.jpg (clicks on the
# layout of a 1280x720 screen: the Performance tab, then its Profile button). The log line says
# the profile finished; the panel's share bars (ImGui's histogram colour, rgb(230,179,0), used
# nowhere else on this screen) show its tables were drawn.
if command -v xdotool >/dev/null; then
  perf_log=$artifacts/desktop-performance-log.txt
  perf_shot=$artifacts/desktop-performance.png
  rm -f "$perf_shot"
  xvfb-run -a -s "-screen 0 1280x720x24" bash -c '
    "$1" "$2" >"$3" 2>&1 &
    app=$!
    for _ in $(seq 1 120); do
      grep -q "dog.jpg: [0-9]* detections" "$3" && break
      sleep 0.5
    done
    click() {
      xdotool mousemove "$1" "$2"; sleep 0.3
      xdotool mousedown 1; sleep 0.2; xdotool mouseup 1; sleep 0.3
      xdotool mousemove $(($1 + 1)) "$2"; sleep 0.5
    }
    click 654 17
    click 475 228
    for _ in $(seq 1 120); do
      grep -q "profile: yolox_nano on dog.jpg, 10 runs" "$3" && break
      kill -0 $app 2>/dev/null || break
      sleep 0.5
    done
    xdotool mousemove 700 600; sleep 1
    import -window root "$4"
    kill $app 2>/dev/null
    wait $app 2>/dev/null
    true' _ "$binary" "$photo" "$perf_log" "$perf_shot"
  if grep -q "profile: yolox_nano on dog.jpg, 10 runs: .* in 151 steps" "$perf_log"; then
    echo "ok: performance: $(grep -o "profile: yolox_nano on dog.jpg, 10 runs.*" "$perf_log")"
  else
    fail "performance: the Profile button did not finish a profile:"
    sed 's/^/    /' "$perf_log" | tail -20
  fi
  bars=0
  [ -f "$perf_shot" ] && bars=$(convert "$perf_shot" -alpha off -fuzz 6% -fill black \
    +opaque "rgb(230,179,0)" -fuzz 0 -fill white +opaque black \
    -format "%[fx:round(mean*w*h)]" info:)
  if [ "$bars" -ge 1000 ]; then
    echo "ok: performance: the panel's share bars cover $bars pixels ($perf_shot)"
  else
    fail "performance: no share bars in $perf_shot ($bars pixels)"
  fi
else
  fail "performance: xdotool is missing (scripts/setup installs it)"
fi

if [ $failures -gt 0 ]; then
  echo "desktop test: $failures failure(s)"
  exit 1
fi
echo "desktop test: all passed (screenshot: $shot)"
