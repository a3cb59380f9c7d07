// Browser tests of label editing and export (headless Chromium, playwright-core):
//   - with no labelled photo, exportLabels refuses with a message instead of an empty zip;
//   - dog.jpg dropped and detected; Labels edit mode on; Accept predictions copies the
//     detections into the labels;
//   - with real mouse events on the canvas (positions from sightline.labelView()), one box is
//     dragged by a known offset and another clicked and deleted with the Delete key: the
//     labels change by exactly that (offset / zoom within 1.5 px, one box less), the view does
//     not pan;
//   - undo/redo through the API and through Ctrl+Z / Ctrl+Y / Ctrl+Shift+Z;
//   - a new box drawn with the mouse on empty photo (the class chosen first), then resized by
//     its corner;
//   - each of yolo, coco and voc exported as a zip, unzipped in Node (fflate) and read back by
//     our C++ dataset readers (`sightline validate DIR --json --boxes`, the native CLI): the same
//     photo, the same boxes within the writers' rounding, and the photo's bytes unchanged.
// A screenshot of the edited labels goes to build/artifacts/labels-edit.png.
//
//   node tests/browser/labels.mjs [--root DIR] [--cli PATH] [--single-thread]
// DIR is an assembled web build (default build/web); PATH the native CLI (default
// build/native/src/cli/sightline); --single-thread serves the page without the isolation
// headers (and blocks the isolation service worker), so it runs the single-thread build.
// Exits non-zero and names each failed check.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { unzipSync } from 'fflate';

import {
  api, argument, artifactsDir, check, dropPhoto, failures, finishChecks, launchBrowser, nativeCli,
  openBuildPage, readPhoto, repoRoot, step, waitForImageDetections,
} from './harness.mjs';

const PHOTO = 'dog.jpg';
// The writers keep 6 decimals of normalised coordinates (YOLO) or 2 decimals (VOC).
const EXPORT_TOLERANCE = 0.01;
// A drag lands on whole screen pixels; at zooms below 1 a pixel is more than a photo pixel.
const DRAG_TOLERANCE = 1.5;
const EDGE_GRAB_PIXELS = 6;

function maxDifference(a, b) {
  return Math.max(...a.map((value, i) => Math.abs(value - b[i])));
}

// Waits for a few frames so GLFW's events reach ImGui one at a time.
function frames(page, count = 3) {
  return page.evaluate((count) => new Promise((resolve) => {
    const tick = (left) => (left ? requestAnimationFrame(() => tick(left - 1)) : resolve());
    tick(count);
  }), count);
}

// A point of `box` inside it, on no other box and away from every box's edges, so a press
// there grabs exactly this box for a move. Null when the box has no such point.
function grabPoint(box, boxes, zoom) {
  const margin = (EDGE_GRAB_PIXELS + 3) / zoom;
  const near = (x, y, b) => x > b[0] - margin && x < b[2] + margin && y > b[1] - margin &&
    y < b[3] + margin;
  for (const [fx, fy] of [[0.5, 0.5], [0.3, 0.3], [0.7, 0.7], [0.3, 0.7], [0.7, 0.3]]) {
    const x = box[0] + (box[2] - box[0]) * fx;
    const y = box[1] + (box[3] - box[1]) * fy;
    const inside = x > box[0] + margin && x < box[2] - margin && y > box[1] + margin &&
      y < box[3] - margin;
    if (inside && boxes.every((other) => other === box || !near(x, y, other))) return [x, y];
  }
  return null;
}

function toScreen(view, [x, y]) {
  return [view.view.origin[0] + x * view.view.zoom, view.view.origin[1] + y * view.view.zoom];
}

async function drag(page, from, to) {
  await page.mouse.move(from[0], from[1]);
  await frames(page);
  await page.mouse.down();
  await frames(page);
  const steps = 6;
  for (let i = 1; i <= steps; ++i) {
    await page.mouse.move(from[0] + ((to[0] - from[0]) * i) / steps,
      from[1] + ((to[1] - from[1]) * i) / steps);
    await frames(page, 1);
  }
  await frames(page);
  await page.mouse.up();
  await frames(page);
}

// ImGui 1.86 reads key states once a frame, so a key held down for less than a frame is lost:
// each key goes down, stays for a few frames, then comes up.
async function pressKeys(page, ...keys) {
  for (const key of keys) await page.keyboard.down(key);
  await frames(page);
  for (const key of [...keys].reverse()) await page.keyboard.up(key);
  await frames(page);
}

async function click(page, [x, y]) {
  await page.mouse.move(x, y);
  await frames(page);
  await page.mouse.down();
  await frames(page);
  await page.mouse.up();
  await frames(page);
}

async function exportZip(page, format) {
  const base64 = await page.evaluate(async (format) => {
    const bytes = await window.sightline.exportLabels(format);
    let text = '';
    for (let i = 0; i < bytes.length; i += 0x8000) {
      text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
    }
    return btoa(text);
  }, format);
  return Buffer.from(base64, 'base64');
}

// Reads an unzipped export with our C++ readers: the native CLI's validate --boxes.
function readBack(cli, folder, format) {
  const target = format === 'coco' ? path.join(folder, 'annotations.json') : folder;
  let output;
  try {
    output = execFileSync(cli, ['validate', target, '--json', '--boxes'], { encoding: 'utf8' });
  } catch (error) {
    output = error.stdout;
  }
  return JSON.parse(output);
}

async function testEmptyExport(page) {
  await step('export: no labelled photo', async () => {
    const answer = await page.evaluate(() => window.sightline.exportLabels('yolo').then(
      (bytes) => `resolved with ${bytes.length} bytes`, (error) => error.message));
    check(/no photo has labels to export/.test(answer),
      'export without labels is refused with a message, not an empty zip', answer);
  });
}

async function testEditing(page) {
  const result = {};
  await step('labels: accept predictions', async () => {
    const editor = await api(page, 'setLabelMode', true);
    check(editor.active === true, 'edit mode is on', JSON.stringify(editor));
    const photo = await waitForImageDetections(page, PHOTO);
    const labels = await api(page, 'acceptPredictions', PHOTO);
    const same = labels.boxes.length === photo.detections.length &&
      labels.boxes.every((b, i) => b.class_id === photo.detections[i].class_id &&
        maxDifference(b.box, photo.detections[i].box) < 1e-3);
    check(same && labels.boxes.length >= 3,
      `accept predictions: ${labels.boxes.length} labels equal the detections`,
      JSON.stringify({ labels: labels.boxes, detections: photo.detections }));
    result.accepted = labels.boxes;
  });
  if (!result.accepted) return result;

  await step('labels: drag one box with the mouse, delete another with the keyboard', async () => {
    const view = await api(page, 'labelView');
    const boxes = result.accepted.map((b) => b.box);
    const moved = boxes.findIndex((box) => grabPoint(box, boxes, view.view.zoom));
    const deleted = boxes.findIndex((box, i) => i !== moved &&
      grabPoint(box, boxes, view.view.zoom));
    check(moved >= 0 && deleted >= 0, 'two boxes can be grabbed away from the others',
      JSON.stringify(boxes));
    if (moved < 0 || deleted < 0) return;

    // The move: 30 screen pixels left, 20 down, clamped at the photo's edges as move_box does.
    const state = await api(page, 'labels', PHOTO);
    const start = toScreen(view, grabPoint(boxes[moved], boxes, view.view.zoom));
    const offset = [-30, 20];
    await drag(page, start, [start[0] + offset[0], start[1] + offset[1]]);
    const box = boxes[moved];
    const dx = Math.min(Math.max(offset[0] / view.view.zoom, -box[0]), state.width - box[2]);
    const dy = Math.min(Math.max(offset[1] / view.view.zoom, -box[1]), state.height - box[3]);
    const expected = [box[0] + dx, box[1] + dy, box[2] + dx, box[3] + dy];
    const afterMove = await api(page, 'labels', PHOTO);
    check(afterMove.boxes.length === boxes.length &&
      maxDifference(afterMove.boxes[moved].box, expected) <= DRAG_TOLERANCE,
    `mouse drag moved box ${moved} (${afterMove.boxes[moved]?.class}) by ` +
      `(${dx.toFixed(2)}, ${dy.toFixed(2)}) photo px`,
    JSON.stringify({ expected, got: afterMove.boxes[moved] }));
    check(afterMove.boxes.every((b, i) => i === moved || maxDifference(b.box, boxes[i]) === 0),
      'the drag left every other box as it was');
    const viewAfter = await api(page, 'labelView');
    check(maxDifference(viewAfter.view.origin, view.view.origin) === 0 &&
      viewAfter.view.zoom === view.view.zoom, 'the drag did not pan or zoom the canvas',
    JSON.stringify({ before: view.view, after: viewAfter.view }));

    // The delete: a click selects the box, the Delete key removes it.
    const movedBoxes = afterMove.boxes.map((b) => b.box);
    const point = grabPoint(movedBoxes[deleted], movedBoxes, view.view.zoom);
    check(point !== null, 'the box to delete is still clear of the moved one');
    if (!point) return;
    await click(page, toScreen(view, point));
    const selected = (await api(page, 'labelView')).selected_box;
    check(selected === deleted, `a click selected box ${deleted}`, `selected ${selected}`);
    await pressKeys(page, 'Delete');
    const afterDelete = await api(page, 'labels', PHOTO);
    const expectedBoxes = afterMove.boxes.filter((_, i) => i !== deleted);
    check(afterDelete.boxes.length === boxes.length - 1 &&
      afterDelete.boxes.every((b, i) => b.class_id === expectedBoxes[i].class_id &&
        maxDifference(b.box, expectedBoxes[i].box) === 0),
    `the Delete key removed box ${deleted} (${boxes.length} -> ${afterDelete.boxes.length})`,
    JSON.stringify(afterDelete.boxes));
    result.afterMove = afterMove.boxes;
    result.edited = afterDelete.boxes;
    fs.mkdirSync(artifactsDir, { recursive: true });
    await page.screenshot({ path: path.join(artifactsDir, 'labels-edit.png') });
  });
  if (!result.edited) return result;

  await step('labels: undo and redo', async () => {
    const same = (a, b) => a.length === b.length &&
      a.every((x, i) => x.class_id === b[i].class_id && maxDifference(x.box, b[i].box) === 0);
    let labels = await api(page, 'undo');
    check(same(labels.boxes, result.afterMove), 'undo brings the deleted box back');
    labels = await api(page, 'undo');
    check(same(labels.boxes, result.accepted), 'a second undo puts the moved box back');
    labels = await api(page, 'redo');
    check(same(labels.boxes, result.afterMove), 'redo moves it again');

    await pressKeys(page, 'Control', 'y');
    labels = await api(page, 'labels', PHOTO);
    check(same(labels.boxes, result.edited), 'Ctrl+Y redoes the delete');
    await pressKeys(page, 'Control', 'z');
    labels = await api(page, 'labels', PHOTO);
    check(same(labels.boxes, result.afterMove), 'Ctrl+Z undoes it');
    await pressKeys(page, 'Control', 'Shift', 'z');
    labels = await api(page, 'labels', PHOTO);
    check(same(labels.boxes, result.edited), 'Ctrl+Shift+Z redoes it');

    labels = await api(page, 'setReview', true, PHOTO);
    check(labels.review === 'reviewed' && same(labels.boxes, result.edited),
      'the photo is marked reviewed, its boxes kept');
  });
  return result;
}

// A square of `size` photo pixels clear of every box (with the grab margin), or null.
function emptySquare(boxes, width, height, size, zoom) {
  const margin = (EDGE_GRAB_PIXELS + 3) / zoom;
  for (let y = height - size - margin; y > margin; y -= size / 2) {
    for (let x = width - size - margin; x > margin; x -= size / 2) {
      const clear = boxes.every((b) => x + size < b[0] - margin || x > b[2] + margin ||
        y + size < b[1] - margin || y > b[3] + margin);
      if (clear) return [x, y];
    }
  }
  return null;
}

async function testDrawAndResize(page, edited) {
  let count = null;
  await step('labels: draw a new box and resize it with the mouse', async () => {
    const before = await api(page, 'setLabelClass', 'car');
    check(before.boxes.length === edited.length, 'choosing the class "car" changed no box');
    const view = await api(page, 'labelView');
    const zoom = view.view.zoom;
    const corner = emptySquare(before.boxes.map((b) => b.box), before.width, before.height,
      100 / zoom, zoom);
    check(corner !== null, 'the photo has an empty square to draw in');
    if (!corner) return;

    const from = toScreen(view, corner);
    const to = [from[0] + 80, from[1] + 60];
    await drag(page, from, to);
    let labels = await api(page, 'labels', PHOTO);
    const drawn = labels.boxes[labels.boxes.length - 1];
    const expected = [corner[0], corner[1], corner[0] + 80 / zoom, corner[1] + 60 / zoom];
    check(labels.boxes.length === edited.length + 1 && drawn.class === 'car' &&
      maxDifference(drawn.box, expected) <= DRAG_TOLERANCE,
    'a drag on empty photo drew a "car" box where the mouse went',
    JSON.stringify({ expected, drawn }));

    // The new box is selected: its bottom-right corner dragged 20 right, 15 down.
    const grab = toScreen(view, [drawn.box[2], drawn.box[3]]);
    await drag(page, grab, [grab[0] + 20, grab[1] + 15]);
    labels = await api(page, 'labels', PHOTO);
    const resized = labels.boxes[labels.boxes.length - 1];
    const grown = [drawn.box[0], drawn.box[1], drawn.box[2] + 20 / zoom, drawn.box[3] + 15 / zoom];
    check(labels.boxes.length === edited.length + 1 &&
      maxDifference(resized.box, grown) <= DRAG_TOLERANCE,
    'dragging its corner resized it, the opposite corner kept',
    JSON.stringify({ expected: grown, resized }));
    count = labels.boxes.length;
  });
  return count;
}

async function testExports(page, cli, expectedCount) {
  const original = readPhoto(PHOTO);
  const expected = (await api(page, 'labels', PHOTO)).boxes;
  for (const format of ['yolo', 'coco', 'voc']) {
    await step(`export ${format}`, async () => {
      const zip = await exportZip(page, format);
      const files = unzipSync(new Uint8Array(zip));
      const folder = fs.mkdtempSync(path.join(os.tmpdir(), `sightline-labels-${format}-`));
      try {
        for (const [name, bytes] of Object.entries(files)) {
          fs.mkdirSync(path.dirname(path.join(folder, name)), { recursive: true });
          fs.writeFileSync(path.join(folder, name), bytes);
        }
        const photoEntry = Object.keys(files).find((name) => name.endsWith(`/${PHOTO}`));
        check(photoEntry && Buffer.compare(Buffer.from(files[photoEntry]), original) === 0,
          `${format}: the zip (${zip.length} bytes, ${Object.keys(files).length} files) holds ` +
          `${PHOTO} byte for byte`, Object.keys(files).join(', '));

        const read = readBack(cli, folder, format);
        const image = read.images?.find((i) => i.file_name === PHOTO);
        check(read.ok && read.errors === 0 && read.images.length === 1 && image,
          `${format}: our reader reads the export without errors`, JSON.stringify(read));
        if (!image) return;
        const sortKey = (b) => `${b.class} ${b.box.map((v) => v.toFixed(1)).join(' ')}`;
        const got = [...image.boxes].sort((a, b) => sortKey(a).localeCompare(sortKey(b)));
        const want = [...expected].sort((a, b) => sortKey(a).localeCompare(sortKey(b)));
        const worst = got.length === want.length ?
          Math.max(...got.map((b, i) => maxDifference(b.box, want[i].box))) : Infinity;
        check(got.length === want.length && got.every((b, i) => b.class === want[i].class) &&
          worst <= EXPORT_TOLERANCE,
        `${format}: ${got.length} boxes read back, same classes, corners within ` +
          `${worst.toExponential(2)} px`, JSON.stringify({ got, want }));
      } finally {
        fs.rmSync(folder, { recursive: true, force: true });
      }
    });
  }
  check(expected.length === expectedCount,
    `the exported photo has every edited label (${expected.length})`);
}

async function main() {
  const root = path.resolve(argument('--root', path.join(repoRoot, 'build/web')));
  const cli = nativeCli();
  const { browser, close } = await launchBrowser();
  const singleThread = process.argv.includes('--single-thread');
  const { server, context, page } = await openBuildPage(browser, root, singleThread);
  try {
    await testEmptyExport(page);
    await dropPhoto(page, PHOTO);
    const { edited } = await testEditing(page);
    const count = edited ? await testDrawAndResize(page, edited) : null;
    if (count) await testExports(page, cli, count);
  } finally {
    if (failures.length) console.log(page.consoleLines.slice(-30).join('\n'));
    await context.close();
    server.close();
    await close();
  }
  finishChecks('labels browser tests');
}

await main();
