// Label editing's JS API (the C++ half is src/platform/web/label_api.cpp):
//   sightline.labels(photo) -> {image, name, width, height, review, boxes: [{class, class_id,
//     box: [x1, y1, x2, y2]}], can_undo, can_redo} for a photo given by its index in
//     state().images, its name, or nothing (the selected photo);
//   sightline.setLabelMode(on) turns the canvas's Labels edit mode on or off and answers the
//     editor: {active, selected_box, current_class, view: {image, origin: [x, y], zoom}};
//     labelView() answers the same with view.origin in page pixels (where photo point (x, y)
//     is at origin + zoom * (x, y)), for scripts that drive the mouse;
//   sightline.acceptPredictions(photo), setReview(reviewed, photo), undo(), redo(),
//     deleteSelectedLabel(), setLabelClass(classIdOrName) edit like the Labels tab (each answers
//     the photo's labels; undo/redo say "changed": false when there was nothing to do);
//   sightline.labelClasses() lists the active model's class names;
//   sightline.exportLabels(format) resolves with the zip (Uint8Array) of every labelled photo in
//     "yolo", "coco" or "voc": the bytes the Labels tab's Download buttons save. It rejects
//     with the app's message when no photo has labels.
// The zip is made here with fflate (served same-origin from fflate/fflate.js), synchronously:
// fflate's asynchronous API starts workers from blob: URLs, which the page's CSP forbids.
import { zipSync } from './fflate/fflate.js';

const FORMATS = ['yolo', 'coco', 'voc'];

export function installLabels(module, sightline, ready) {
  function withString(text, fn) {
    const size = module.lengthBytesUTF8(text) + 1;
    const pointer = module._malloc(size);
    if (!pointer) throw new Error('label call: out of memory for a string');
    module.stringToUTF8(text, pointer, size);
    try {
      return fn(pointer);
    } finally {
      module._free(pointer);
    }
  }

  // The C++ side answers JSON, {"error"} for a refusal, or null when it failed.
  function readAnswer(pointer) {
    if (!pointer) throw new Error(module.UTF8ToString(module._sightline_web_last_failure()));
    const answer = JSON.parse(module.UTF8ToString(pointer));
    if (answer.error) throw new Error(answer.error);
    return answer;
  }

  // Photo index (into state().images), name, or undefined for the selected photo -> image id.
  function imageId(photo) {
    if (photo === undefined || photo === null) return -1;
    const images = sightline.state().images;
    const image = typeof photo === 'number' ? images[photo] :
      images.find((candidate) => candidate.name === String(photo));
    if (!image) {
      throw new RangeError(`no gallery photo ${JSON.stringify(photo)} (photos: ` +
        `${images.map((i) => i.name).join(', ') || 'none'})`);
    }
    return image.id;
  }

  function action(name, photo = undefined, classId = 0) {
    const id = imageId(photo);
    return withString(name, (pointer) =>
      readAnswer(module._sightline_web_label_action(id, pointer, classId)));
  }

  function classIdOf(value) {
    if (typeof value === 'number') return value;
    const names = sightline.labelClasses();
    const index = names.indexOf(String(value));
    if (index < 0) throw new RangeError(`no class named "${value}" in the active model`);
    return index;
  }

  // Every file under `folder` in the module's file system, keyed by its relative path.
  function readTree(folder, prefix = '', files = {}) {
    for (const name of module.FS.readdir(folder)) {
      if (name === '.' || name === '..') continue;
      const path = `${folder}/${name}`;
      const relative = prefix ? `${prefix}/${name}` : name;
      if (module.FS.isDir(module.FS.stat(path).mode)) readTree(path, relative, files);
      else files[relative] = module.FS.readFile(path);
    }
    return files;
  }

  async function exportLabels(format = 'yolo') {
    await ready;
    if (!FORMATS.includes(format)) {
      throw new Error(`unknown label format "${format}": use ${FORMATS.join(', ')}`);
    }
    const { folder } = withString(format, (pointer) =>
      readAnswer(module._sightline_web_export_labels(pointer)));
    // Photos are already compressed; only the label text gains from deflate.
    return zipSync(readTree(folder), { level: 6, mtime: new Date('2026-01-01T00:00:00Z') });
  }

  function saveZip(bytes, fileName) {
    const url = URL.createObjectURL(new Blob([bytes], { type: 'application/zip' }));
    const link = document.createElement('a');
    link.href = url;
    link.download = fileName;
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  }

  // The Labels tab's Download buttons (the failure is already in the app's banner and log).
  module.sightlineLabels = {
    download(format) {
      exportLabels(format).then(
        (bytes) => saveZip(bytes, `sightline-labels-${format}.zip`),
        (error) => console.warn(`label export: ${error.message}`));
    },
  };

  Object.assign(sightline, {
    labels: (photo) => readAnswer(module._sightline_web_labels(imageId(photo))),
    // The active model's class names, in class id order.
    labelClasses: () => readAnswer(module._sightline_web_label_editor(-1)).classes,
    setLabelMode: (on = true) => readAnswer(module._sightline_web_label_editor(on ? 1 : 0)),
    labelView() {
      const editor = readAnswer(module._sightline_web_label_editor(-1));
      const rect = module.canvas.getBoundingClientRect();
      // ImGui works in CSS pixels of the canvas (the GLFW window size is the page size).
      editor.view.origin = [rect.left + editor.view.origin[0], rect.top + editor.view.origin[1]];
      return editor;
    },
    acceptPredictions: (photo) => action('accept', photo),
    setReview: (reviewed = true, photo = undefined) =>
      action(reviewed ? 'reviewed' : 'unreviewed', photo),
    undo: () => action('undo'),
    redo: () => action('redo'),
    deleteSelectedLabel: () => action('delete'),
    setLabelClass: (classIdOrName) => action('class', undefined, classIdOf(classIdOrName)),
    exportLabels,
  });
}
