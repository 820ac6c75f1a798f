// Coffer's direct uploads from a browser (docs/direct-uploads.md): the bytes go straight to the store, the app only
// signs. An ES module with no dependencies, served as /_content/Coffer.AspNetCore/coffer-upload.js.

const storagePrefix = "coffer-upload:";
const maxBackoffMs = 30_000;
const speedWindowMs = 10_000;
// A request that sends nothing for this long is taken for cut (a dead connection the browser has not noticed).
const stallMs = 60_000;

/**
 * Uploads a file directly to the store through a Coffer ticket and returns the ticket; the caller then commits it with
 * its app (the sample: `POST /api/files` with `{"ticket": "…"}`).
 *
 * Resumes by itself: the ticket is kept in `localStorage` (under the file's name, size, last-modified time and
 * `resumeKey`) until the upload is complete, so picking the same file again after a page reload sends only the parts the
 * store does not hold yet. After a network cut it waits until the browser is online again and goes on.
 *
 * @param {File | Blob & { name: string, lastModified?: number }} file The file to send.
 * @param {object} options
 * @param {string} options.ticketUrl The app's ticket endpoint: `POST` of `{fileName, size, contentType}`, answering the ticket.
 * @param {Record<string, string>} [options.headers] Sent with every request to the app (ticket, parts, status, complete,
 *   abort), never to the store: the antiforgery header of a cookie-authenticated page, for example.
 * @param {(progress: { loaded: number, total: number, bytesPerSecond: number, secondsLeft: number | null }) => void} [options.onProgress]
 *   Called as bytes go up: bytes the store holds or is receiving (never fewer than reported before, even when a part is
 *   sent again), the file's size, the speed over the last seconds, and the time left at that speed (`null` until there
 *   is a speed).
 * @param {AbortSignal} [options.signal] Aborting stops the requests in flight, aborts the upload on the server (nothing
 *   of it stays in the store) and forgets it; the promise then rejects with the signal's reason.
 * @param {number} [options.parallel=4] How many parts go up at once.
 * @param {number} [options.retries=5] How many times one request is retried after a network error or a 5xx, with
 *   exponential backoff and jitter; time spent waiting for the browser to be online again does not count.
 * @param {string} [options.resumeKey] Tells uploads of one file apart, for example by user or by form.
 * @returns {Promise<string>} The ticket, for the commit.
 * @throws {Error} The server's problem `detail` when it refused a request (4xx), or the last error once the retries are
 *   spent; the signal's reason when aborted.
 */
export async function upload(file, { ticketUrl, headers = {}, onProgress, signal, parallel = 4, retries = 5, resumeKey = "" } = {}) {
  if (!file || typeof file.size !== "number") throw new TypeError("upload(file, options): file must be a File.");
  if (!ticketUrl) throw new TypeError("upload(file, options): options.ticketUrl is required.");
  signal?.throwIfAborted();

  // One signal for every request: the caller's abort, or the first failure of a part, stops them all.
  const stop = new AbortController();
  const onAbort = () => stop.abort(signal.reason);
  signal?.addEventListener("abort", onAbort, { once: true });
  const context = { headers, signal: stop.signal, retries };
  const key = storagePrefix + JSON.stringify([resumeKey, file.name, file.size, file.lastModified ?? 0]);
  const meter = new Meter(file.size, onProgress);
  let ticket = null;
  try {
    let status = null;
    ticket = remembered(key);
    if (ticket) {
      try {
        status = await post(ticket.uploadsUrl + "/status", { ticket: ticket.ticket }, context);
      } catch (e) {
        if (!isRefusal(e)) throw e;
        forget(key); // expired, aborted, swept, or another user's: start again
        ticket = null;
      }
    }

    if (!ticket) {
      ticket = await post(ticketUrl, { fileName: file.name, size: file.size, contentType: file.type || null }, context);
      if (ticket.uploadsUrl) remember(key, ticket);
    }

    if (!status?.complete) {
      if (ticket.method === "form") await sendForm(file, ticket, meter, context);
      else await sendParts(file, ticket, status, meter, { ...context, parallel: Math.max(1, parallel | 0) });
    }

    meter.finish();
    forget(key);
    return ticket.ticket;
  } catch (e) {
    if (signal?.aborted) {
      if (ticket?.uploadsUrl) {
        // Not on the aborted signal; keepalive lets it finish even when the page is being left.
        await fetch(ticket.uploadsUrl + "/abort", {
          method: "POST", headers: { ...headers, "Content-Type": "application/json" }, body: JSON.stringify({ ticket: ticket.ticket }), keepalive: true,
        }).catch(() => { /* the ledger sweep removes what an abort could not */ });
      }

      forget(key);
      throw signal.reason;
    }

    if (isRefusal(e) && e.status !== 409) forget(key);
    throw e;
  } finally {
    signal?.removeEventListener("abort", onAbort);
    stop.abort(); // ends any request still in flight after a failure
  }
}

/** The form method: the signed fields in order, then the file as "file", in one POST to the store. */
async function sendForm(file, ticket, meter, context) {
  await withRetries(async () => {
    const body = new FormData();
    for (const [name, value] of Object.entries(ticket.fields ?? {})) body.append(name, value);
    body.append("file", file, file.name);
    try {
      await storeRequest("POST", ticket.url, body, (sent, total) => meter.part(1, total ? Math.min(file.size, (sent / total) * file.size) : 0), context.signal);
    } catch (e) {
      meter.part(1, 0);
      throw e;
    }
  }, context);
  if (ticket.uploadsUrl) await post(ticket.uploadsUrl + "/complete", { ticket: ticket.ticket }, context);
}

/** The parts method: part URLs in batches, `parallel` parts at once, each retried alone, then complete. */
async function sendParts(file, ticket, status, meter, context) {
  const { partSize, partCount, uploadsUrl } = ticket;
  const lengthOf = n => (n < partCount ? partSize : file.size - (partCount - 1) * partSize);
  const done = new Set();
  const record = parts => {
    for (const part of parts ?? []) {
      if (part.size === lengthOf(part.partNumber) && !done.has(part.partNumber)) {
        done.add(part.partNumber);
        meter.done(part.partNumber, part.size);
      }
    }
  };
  record(status?.parts);

  let statusRequest = null;
  // After a network cut a part may be stored though its answer was lost: ask before sending it again.
  const refresh = () => (statusRequest ??= post(uploadsUrl + "/status", { ticket: ticket.ticket }, context)
    .then(s => record(s.parts))
    .finally(() => { statusRequest = null; }));

  const urls = new Map();
  let urlRequest = null;
  let queue = [];
  const batchSize = Math.min(100, Math.max(16, context.parallel * 4));
  async function urlFor(n) {
    while (!urls.has(n)) {
      if (!urlRequest) {
        const wanted = [n, ...queue.filter(m => m !== n && !done.has(m) && !urls.has(m))].slice(0, batchSize);
        urlRequest = post(uploadsUrl + "/parts", { ticket: ticket.ticket, partNumbers: wanted }, context)
          .then(answer => { for (const part of answer.parts) urls.set(part.partNumber, part.url); })
          .finally(() => { urlRequest = null; });
      }

      await urlRequest;
    }

    return urls.get(n);
  }

  async function sendPart(n) {
    await withRetries(async () => {
      if (done.has(n)) return;
      const url = await urlFor(n);
      const start = (n - 1) * partSize;
      try {
        await storeRequest("PUT", url, file.slice(start, start + lengthOf(n)), sent => meter.part(n, sent), context.signal);
      } catch (e) {
        meter.part(n, 0);
        if (e.status === 403) {
          urls.delete(n); // an expired URL: sign it again
          e.retryable = true;
        }

        throw e;
      }

      done.add(n);
      meter.done(n, lengthOf(n));
    }, { ...context, onOnline: refresh });
  }

  for (let round = 0; ; round++) {
    queue = [];
    for (let n = 1; n <= partCount; n++) if (!done.has(n)) queue.push(n);
    let next = 0;
    const worker = async () => {
      while (next < queue.length) await sendPart(queue[next++]);
    };
    await Promise.all(Array.from({ length: Math.min(context.parallel, queue.length) }, worker));
    try {
      await post(uploadsUrl + "/complete", { ticket: ticket.ticket }, context);
      return;
    } catch (e) {
      // 409: the store lacks a part (one cut short, or a lost answer): send what is missing, then complete again.
      if (e.status !== 409 || round >= 2) throw e;
      done.clear();
      meter.reset();
      record((await post(uploadsUrl + "/status", { ticket: ticket.ticket }, context)).parts);
    }
  }
}

/** A POST of JSON to one of the app's endpoints, retried; the answer's JSON, or null for 204. */
function post(url, body, context) {
  return withRetries(async () => {
    let response;
    const request = new AbortController();
    const stopRequest = () => request.abort();
    const cut = whenOffline(stopRequest);
    context.signal.addEventListener("abort", stopRequest, { once: true });
    try {
      response = await fetch(url, {
        method: "POST",
        headers: { ...context.headers, "Content-Type": "application/json", Accept: "application/json, application/problem+json" },
        body: JSON.stringify(body),
        signal: request.signal,
        credentials: "same-origin",
      });
    } catch (e) {
      throw context.signal.aborted ? context.signal.reason : retryable(new Error(`The connection failed: ${url} could not be reached.`));
    } finally {
      cut();
      context.signal.removeEventListener("abort", stopRequest);
    }

    if (response.ok) return response.status === 204 ? null : response.json();
    let detail = null;
    try {
      const problem = await response.json();
      detail = problem.detail || problem.title;
    } catch { /* not a problem document */ }

    const error = new Error(detail || `${url} answered HTTP ${response.status}.`);
    error.status = response.status;
    error.retryable = response.status >= 500 || response.status === 408 || response.status === 429;
    throw error;
  }, context);
}

/**
 * A request to the store, with XMLHttpRequest for its upload progress (fetch reports none). No app headers: the store
 * needs none, and its CORS rules need not allow them.
 */
function storeRequest(method, url, body, onSent, signal) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    let cutReason = null;
    const onAbort = () => xhr.abort();
    const cutOff = reason => {
      cutReason = reason;
      xhr.abort();
    };
    // A request in flight when the network goes can hang rather than fail: end it, and send it again once online.
    const cut = whenOffline(() => cutOff("The network went away during the upload."));
    let lastSent = performance.now();
    const watchdog = setInterval(() => {
      if (performance.now() - lastSent > stallMs) cutOff("The upload stalled: nothing was sent for a minute.");
    }, 5_000);
    const settle = (action, value) => {
      signal.removeEventListener("abort", onAbort);
      cut();
      clearInterval(watchdog);
      action(value);
    };
    xhr.open(method, url);
    xhr.upload.addEventListener("progress", e => {
      lastSent = performance.now();
      onSent(e.loaded, e.lengthComputable ? e.total : 0);
    });
    // Every byte is sent: the store may take a while to answer (S3 checks, the local endpoint flushes), far less than this.
    xhr.upload.addEventListener("load", () => { lastSent = performance.now() + 4 * stallMs; });
    xhr.addEventListener("load", () => {
      if (xhr.status >= 200 && xhr.status < 300) return settle(resolve, xhr);
      const error = new Error(storeMessage(xhr) || `The store answered HTTP ${xhr.status} to the upload.`);
      error.status = xhr.status;
      error.retryable = xhr.status >= 500 || xhr.status === 408 || xhr.status === 429;
      settle(reject, error);
    });
    xhr.addEventListener("error", () => settle(reject, retryable(new Error("The connection to the store failed during the upload."))));
    xhr.addEventListener("timeout", () => settle(reject, retryable(new Error("The store did not answer in time."))));
    xhr.addEventListener("abort", () => settle(reject, cutReason && !signal.aborted
      ? retryable(new Error(cutReason))
      : signal.reason ?? new DOMException("The upload was aborted.", "AbortError")));
    if (signal.aborted) return settle(reject, signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    xhr.send(body);
  });
}

/** The reason in a store's error body: a problem's detail (local disk) or S3's XML Message. */
function storeMessage(xhr) {
  const text = xhr.responseText || "";
  try {
    const problem = JSON.parse(text);
    return problem.detail || problem.title || null;
  } catch { /* not JSON */ }

  return /<Message>([^<]*)<\/Message>/.exec(text)?.[1] ?? null;
}

/** Runs one request until it succeeds, waiting while offline and backing off (exponential, with jitter) otherwise. */
async function withRetries(attempt, { signal, retries, onOnline }) {
  for (let failures = 0; ;) {
    try {
      return await attempt();
    } catch (e) {
      if (signal.aborted) throw signal.reason;
      if (!e.retryable) throw e;
      if (!navigator.onLine) {
        await online(signal);
        await onOnline?.();
        continue;
      }

      if (failures >= retries) throw e;
      const ceiling = Math.min(maxBackoffMs, 500 * 2 ** failures++);
      await delay(ceiling / 2 + Math.random() * (ceiling / 2), signal);
    }
  }
}

/** Calls `cut` when the browser goes offline; returns what stops listening. */
function whenOffline(cut) {
  window.addEventListener("offline", cut);
  return () => window.removeEventListener("offline", cut);
}

function online(signal) {
  return new Promise((resolve, reject) => {
    if (navigator.onLine) return resolve();
    const done = () => {
      window.removeEventListener("online", done);
      signal.removeEventListener("abort", done);
      if (signal.aborted) reject(signal.reason);
      else resolve();
    };
    window.addEventListener("online", done);
    signal.addEventListener("abort", done);
  });
}

function delay(ms, signal) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", cancel);
      resolve();
    }, ms);
    const cancel = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    signal.addEventListener("abort", cancel, { once: true });
  });
}

function retryable(error) {
  error.retryable = true;
  return error;
}

/** A refusal by the app: the upload cannot go on with this ticket (a 4xx other than a timeout or a rate limit). */
function isRefusal(error) {
  return error.status >= 400 && error.status < 500 && !error.retryable;
}

function remembered(key) {
  try {
    const ticket = JSON.parse(localStorage.getItem(key) ?? "null");
    // A ticket about to expire is not worth resuming: its part URLs would stop working on the way.
    if (ticket && ticket.uploadsUrl && Date.parse(ticket.expiresAt) - Date.now() > 60_000) return ticket;
  } catch { /* storage denied, or not ours */ }

  forget(key);
  return null;
}

function remember(key, ticket) {
  try {
    localStorage.setItem(key, JSON.stringify(ticket));
  } catch { /* storage denied or full: the upload goes on, without resume */ }
}

function forget(key) {
  try {
    localStorage.removeItem(key);
  } catch { /* storage denied */ }
}

/** Bytes stored and in flight, and the speed over the last seconds. */
class Meter {
  constructor(total, onProgress) {
    this.total = total;
    this.onProgress = onProgress;
    this.stored = 0;
    this.finished = new Set();
    this.inFlight = new Map();
    this.sent = 0; // every byte sent in this session, retries included: what the speed is made of
    this.samples = [];
    this.shown = 0; // the most ever reported: what is reported never goes below it
  }

  part(n, loaded) {
    if (this.finished.has(n)) return;
    const before = this.inFlight.get(n) ?? 0;
    if (loaded > before) this.sent += loaded - before;
    if (loaded > 0) this.inFlight.set(n, loaded);
    else this.inFlight.delete(n);
    this.report();
  }

  done(n, length) {
    if (this.finished.has(n)) return;
    this.inFlight.delete(n);
    this.finished.add(n);
    this.stored += length;
    this.report();
  }

  reset() {
    this.stored = 0;
    this.finished.clear();
    this.inFlight.clear();
  }

  finish() {
    this.inFlight.clear();
    this.stored = this.total;
    this.report();
  }

  report() {
    if (!this.onProgress) return;
    const now = performance.now();
    this.samples.push([now, this.sent]);
    while (this.samples.length > 2 && now - this.samples[0][0] > speedWindowMs) this.samples.shift();
    const [t0, b0] = this.samples[0];
    const seconds = (now - t0) / 1000;
    const bytesPerSecond = seconds > 0.2 ? (this.sent - b0) / seconds : 0;
    let loaded = this.stored;
    for (const value of this.inFlight.values()) loaded += value;
    // A part sent again (after a cut, a 409 or a reload's resume) counts from its first byte: the bar stays where it
    // was until the new attempt passes it, rather than step back. The speed counts every byte sent, and stays honest.
    loaded = Math.max(this.shown, Math.min(this.total, loaded));
    this.shown = loaded;
    const secondsLeft = bytesPerSecond > 0 ? (this.total - loaded) / bytesPerSecond : null;
    this.onProgress({ loaded, total: this.total, bytesPerSecond, secondsLeft });
  }
}
