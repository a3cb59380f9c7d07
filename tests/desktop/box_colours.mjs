// Counts, in a screenshot, the pixels drawn in the box colours of dog, bicycle and car (the
// colours src/app/canvas_view.cpp gives COCO classes 16, 1 and 2) and fails unless each
// colour covers more pixels than the rest of the UI draws in it (a 12x12 swatch in the class
// filter and the class name in the table, under 200 pixels): so the boxes are drawn. The box
// under the mouse pointer is tinted, which takes some pixels away from the boxes inside it.
//
//   node tests/desktop/box_colours.mjs screenshot.png
import { execFileSync } from 'node:child_process';

const CLASSES = { bicycle: 1, car: 2, dog: 16 };
const MIN_PIXELS = 350;

// Same as class_colour: hue stepped by the golden ratio, saturation 0.75, value 1.
function classColour(classId) {
  const hue = (0.13 + 0.618034 * classId) % 1;
  const saturation = 0.75;
  const sector = Math.floor(hue * 6);
  const fraction = hue * 6 - sector;
  const p = 1 - saturation;
  const q = 1 - saturation * fraction;
  const t = 1 - saturation * (1 - fraction);
  const rgb = [[1, t, p], [q, 1, p], [p, 1, t], [p, q, 1], [t, p, 1], [1, p, q]][sector % 6];
  return rgb.map((channel) => Math.round(channel * 255));
}

const shot = process.argv[2];
let failed = false;
for (const [label, classId] of Object.entries(CLASSES)) {
  const [r, g, b] = classColour(classId);
  const colour = `rgb(${r},${g},${b})`;
  // Pixels not near the colour become black, then every pixel left becomes white.
  const count = Number(execFileSync('convert', [shot, '-alpha', 'off', '-fuzz', '10%', '-fill',
    'black', '+opaque', colour, '-fuzz', '0', '-fill', 'white', '+opaque', 'black', '-format',
    '%[fx:mean*w*h]', 'info:']).toString());
  const ok = count >= MIN_PIXELS;
  console.log(`${ok ? 'ok' : 'FAIL'}: ${label} box colour ${colour}: ${Math.round(count)} pixels`);
  if (!ok) failed = true;
}
process.exit(failed ? 1 : 0);
