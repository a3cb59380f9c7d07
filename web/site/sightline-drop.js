// The canvas's drop path: files a user drops on the canvas reach the app through here.
//
// It replaces the drop handling of Emscripten's GLFW, which reads every dropped file whatever
// its size (a 2 GB file is read into the page before anything looks at it), drops a file the
// browser cannot read without a word, and keeps every dropped file in MEMFS for good.
// Here, for each drop in turn:
//   1. the app checks every file's size (sightline_web_accept_dropped_file: the largest size
//      it takes for that kind of file) and the drop's total; a refused file is not read and
//      the app shows a message naming it, its size and the limit;
//   2. the other files are read (a read failure is a message naming the file) into
//      /dropped/drop-N/ in MEMFS;
//   3. sightline_web_open_files hands them to the app in the order they were dropped (the same
//      App::open_files as the desktop's drop), then the folder is removed: the app keeps
//      copies of what it uses.
// Drops are handled one after the other, so a quick second drop cannot overtake the first.

const DROP_ROOT = '/dropped';

export function installDropPath(module, canvas) {
  let queue = Promise.resolve();
  let nextDrop = 1;

  // malloc answers 0 when the WebAssembly memory cannot grow any more.
  function allocate(size) {
    const pointer = module._malloc(Math.max(1, size));
    if (!pointer) throw new Error('out of memory: the WebAssembly memory is full');
    return pointer;
  }

  function withString(text, use) {
    const size = module.lengthBytesUTF8(text) + 1;
    const pointer = allocate(size);
    module.stringToUTF8(text, pointer, size);
    try {
      return use(pointer);
    } finally {
      module._free(pointer);
    }
  }

  function reportError(text) {
    withString(text, (pointer) => module._sightline_web_report_error(pointer));
  }

  function accepted(files) {
    const total = files.reduce((sum, file) => sum + file.size, 0);
    if (!module._sightline_web_accept_drop(files.length, total)) return [];
    return files.filter((file) =>
      withString(file.name, (name) => module._sightline_web_accept_dropped_file(name, file.size)));
  }

  // Calls the app with the paths as a C array of C strings.
  function openFiles(paths) {
    const pointers = [];
    let array = 0;
    try {
      for (const path of paths) {
        const size = module.lengthBytesUTF8(path) + 1;
        pointers.push(allocate(size));
        module.stringToUTF8(path, pointers[pointers.length - 1], size);
      }
      array = allocate(pointers.length * 4);
      module.sightlineHeap().i32.set(pointers, array >> 2);
      const failure = module._sightline_web_open_files(array, pointers.length);
      if (failure) console.warn(module.UTF8ToString(failure));
    } finally {
      for (const pointer of pointers) module._free(pointer);
      if (array) module._free(array);
    }
  }

  async function handleDrop(files) {
    const folder = `${DROP_ROOT}/drop-${nextDrop++}`;
    module.FS.mkdirTree(folder);
    const paths = [];
    try {
      for (const file of accepted(files)) {
        // The name is a file name in one folder, never a path.
        const path = `${folder}/${file.name.replace(/\//g, '_') || 'unnamed'}`;
        let bytes;
        try {
          bytes = new Uint8Array(await file.arrayBuffer());
        } catch (error) {
          reportError(`${file.name}: the browser could not read the dropped file ` +
            `(${error.message}); it was not opened`);
          continue;
        }
        module.FS.writeFile(path, bytes, { canOwn: true });
        if (!paths.includes(path)) paths.push(path);
      }
      if (paths.length) openFiles(paths);
    } finally {
      for (const name of module.FS.readdir(folder)) {
        if (name !== '.' && name !== '..') module.FS.unlink(`${folder}/${name}`);
      }
      module.FS.rmdir(folder);
    }
  }

  // A drop is taken before it reaches the canvas's own listeners (Emscripten's GLFW).
  function onDrop(event) {
    if (event.target !== canvas) return;
    event.preventDefault();
    event.stopImmediatePropagation();
    const files = Array.from(event.dataTransfer?.files ?? []);
    if (!files.length) return;
    queue = queue.then(() => handleDrop(files)).catch((error) => {
      const message = `dropped files (${files.map((file) => file.name).join(', ')}): ` +
        `${error.message ?? error}`;
      console.error(message);
      // Reporting needs a little memory too; the queue must go on for the next drop anyway.
      try {
        reportError(message);
      } catch (reportFailure) {
        console.error(`the message could not reach the app: ${reportFailure.message}`);
      }
    });
  }

  // Without these the browser opens a file dropped on the page instead of passing it on.
  function allowDrop(event) {
    if (event.target !== canvas) return;
    event.preventDefault();
    if (event.dataTransfer) event.dataTransfer.dropEffect = 'copy';
  }

  window.addEventListener('dragenter', allowDrop, true);
  window.addEventListener('dragover', allowDrop, true);
  window.addEventListener('drop', onDrop, true);
  return {
    // Resolves once every drop so far has been handed to the app.
    settled: () => queue,
  };
}
