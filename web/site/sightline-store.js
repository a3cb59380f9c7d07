// The page's IndexedDB store: the ledger of evaluation runs (one record per run, in the order
// they were made) and the monitor's baseline, so both survive a page reload. Every write is
// its own readwrite transaction; `settled()` waits for the writes started so far, so a test
// (or the page before it reads) sees them. Also downloads of text files the app offers.
const DATABASE = 'sightline';
const VERSION = 1;
const RUNS = 'runs';
const BASELINES = 'baselines';
const CURRENT_BASELINE = 'current';

function request(operation) {
  return new Promise((resolve, reject) => {
    operation.onsuccess = () => resolve(operation.result);
    operation.onerror = () => reject(operation.error);
  });
}

function openDatabase() {
  const opening = indexedDB.open(DATABASE, VERSION);
  opening.onupgradeneeded = () => {
    const database = opening.result;
    if (!database.objectStoreNames.contains(RUNS)) {
      database.createObjectStore(RUNS, { keyPath: 'seq', autoIncrement: true });
    }
    if (!database.objectStoreNames.contains(BASELINES)) database.createObjectStore(BASELINES);
  };
  return request(opening);
}

// Resolves when the transaction commits, rejects when it aborts.
function committed(transaction) {
  return new Promise((resolve, reject) => {
    transaction.oncomplete = () => resolve();
    transaction.onerror = () => reject(transaction.error);
    transaction.onabort = () => reject(transaction.error ?? new Error('transaction aborted'));
  });
}

export function createStore({ onError }) {
  // One connection, opened by the first caller; later and concurrent callers share it.
  let connection = null;
  const pending = new Set();

  function db() {
    connection ??= openDatabase();
    return connection;
  }

  function track(promise) {
    const tracked = promise.catch((error) => onError(error)).finally(() => pending.delete(tracked));
    pending.add(tracked);
    return tracked;
  }

  return {
    // A ledger line (JSON text of one run); its id is the app's run id.
    putRun(line) {
      return track((async () => {
        const run = JSON.parse(line);
        const transaction = (await db()).transaction(RUNS, 'readwrite');
        transaction.objectStore(RUNS).add({ id: run.id, line, stored: new Date().toISOString() });
        await committed(transaction);
      })());
    },
    async runLines() {
      await this.settled();
      const transaction = (await db()).transaction(RUNS, 'readonly');
      const records = await request(transaction.objectStore(RUNS).getAll());
      return records.map((record) => record.line);
    },
    putBaseline(json) {
      return track((async () => {
        const transaction = (await db()).transaction(BASELINES, 'readwrite');
        transaction.objectStore(BASELINES).put(json, CURRENT_BASELINE);
        await committed(transaction);
      })());
    },
    async baseline() {
      await this.settled();
      const transaction = (await db()).transaction(BASELINES, 'readonly');
      return (await request(transaction.objectStore(BASELINES).get(CURRENT_BASELINE))) ?? null;
    },
    async settled() {
      while (pending.size) await Promise.allSettled([...pending]);
    },
    download(fileName, text) {
      const url = URL.createObjectURL(new Blob([text], { type: 'application/json' }));
      const link = document.createElement('a');
      link.href = url;
      link.download = fileName;
      document.body.append(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    },
  };
}
