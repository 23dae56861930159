/**
 * The code the challenge page runs in the browser, kept here as plain JavaScript strings so that
 * what ships is exactly what is read (no transpiler helpers), and built once at load.
 *
 * The hash is a SHA-256 written in JavaScript with the token's whole 64-byte blocks hashed once
 * (midstate), so each try compresses one or two blocks. Measured in Chromium on this machine it
 * runs 5–8× faster than crypto.subtle.digest, whose promise per hash dominates hashing a few
 * hundred bytes even when batched (bench/challenge.ts prints both): for the same wait a person's
 * browser does that much more work, so the difficulty, and a bot's bill, can be 2–3 bits
 * higher. It also runs on plain-HTTP origins, where crypto.subtle does not exist.
 * test/actions/challenge/browser-solver.test.ts checks it against node:crypto across every block
 * boundary, and challenge-page.chromium.test.ts runs it in Chromium.
 */

/** SHA-256 over ASCII with a midstate: `makeHasher(prefix)(suffix)` → the 8 digest words (reused array). */
export const HASHER_SOURCE = `
var K = new Int32Array([
  0x428a2f98,0x71374491,0xb5c0fbcf,0xe9b5dba5,0x3956c25b,0x59f111f1,0x923f82a4,0xab1c5ed5,
  0xd807aa98,0x12835b01,0x243185be,0x550c7dc3,0x72be5d74,0x80deb1fe,0x9bdc06a7,0xc19bf174,
  0xe49b69c1,0xefbe4786,0x0fc19dc6,0x240ca1cc,0x2de92c6f,0x4a7484aa,0x5cb0a9dc,0x76f988da,
  0x983e5152,0xa831c66d,0xb00327c8,0xbf597fc7,0xc6e00bf3,0xd5a79147,0x06ca6351,0x14292967,
  0x27b70a85,0x2e1b2138,0x4d2c6dfc,0x53380d13,0x650a7354,0x766a0abb,0x81c2c92e,0x92722c85,
  0xa2bfe8a1,0xa81a664b,0xc24b8b70,0xc76c51a3,0xd192e819,0xd6990624,0xf40e3585,0x106aa070,
  0x19a4c116,0x1e376c08,0x2748774c,0x34b0bcb5,0x391c0cb3,0x4ed8aa4a,0x5b9cca4f,0x682e6ff3,
  0x748f82ee,0x78a5636f,0x84c87814,0x8cc70208,0x90befffa,0xa4506ceb,0xbef9a3f7,0xc67178f2
]);
var W = new Int32Array(64);
function compress(H, M, off) {
  var i, a, b, c, d, e, f, g, h, t1, t2, x, y;
  for (i = 0; i < 16; i++) W[i] = M[off + i];
  for (i = 16; i < 64; i++) {
    x = W[i - 15]; y = W[i - 2];
    W[i] = (((x >>> 7) | (x << 25)) ^ ((x >>> 18) | (x << 14)) ^ (x >>> 3)) + W[i - 7] +
      (((y >>> 17) | (y << 15)) ^ ((y >>> 19) | (y << 13)) ^ (y >>> 10)) + W[i - 16] | 0;
  }
  a = H[0]; b = H[1]; c = H[2]; d = H[3]; e = H[4]; f = H[5]; g = H[6]; h = H[7];
  for (i = 0; i < 64; i++) {
    t1 = h + (((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7))) +
      ((e & f) ^ (~e & g)) + K[i] + W[i] | 0;
    t2 = (((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10))) +
      ((a & b) ^ (a & c) ^ (b & c)) | 0;
    h = g; g = f; f = e; e = d + t1 | 0; d = c; c = b; b = a; a = t1 + t2 | 0;
  }
  H[0] = H[0] + a | 0; H[1] = H[1] + b | 0; H[2] = H[2] + c | 0; H[3] = H[3] + d | 0;
  H[4] = H[4] + e | 0; H[5] = H[5] + f | 0; H[6] = H[6] + g | 0; H[7] = H[7] + h | 0;
}
function makeHasher(prefix) {
  var full = prefix.length - (prefix.length % 64);
  var mid = new Int32Array([0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19]);
  var M = new Int32Array(32);
  var H = new Int32Array(8);
  var tail = prefix.slice(full);
  var off, i;
  for (off = 0; off < full; off += 64) {
    M.fill(0);
    for (i = 0; i < 64; i++) M[i >> 2] |= prefix.charCodeAt(off + i) << (24 - (i & 3) * 8);
    compress(mid, M, 0);
  }
  return function (suffix) {
    var s = tail + suffix, len = s.length, bits = (full + len) * 8, blocks = len + 9 <= 64 ? 1 : 2, j;
    M.fill(0);
    for (j = 0; j < len; j++) M[j >> 2] |= s.charCodeAt(j) << (24 - (j & 3) * 8);
    M[len >> 2] |= 0x80 << (24 - (len & 3) * 8);
    M[blocks * 16 - 1] = bits | 0;
    M[blocks * 16 - 2] = Math.floor(bits / 4294967296);
    H.set(mid);
    compress(H, M, 0);
    if (blocks === 2) compress(H, M, 16);
    return H;
  };
}
function hasZeroBits(H, bits) {
  var i = 0;
  while (bits >= 32) { if (H[i] !== 0) return false; i++; bits -= 32; }
  return bits === 0 || (H[i] >>> (32 - bits)) === 0;
}
`;

/**
 * The worker: given { token, difficulty, start, stride, batch }, tries counters start,
 * start + stride, … and posts { tried } after each batch and { tried, found } on success. It
 * never yields; the page terminates it once any worker has found a counter.
 */
export const WORKER_SOURCE = `'use strict';
${HASHER_SOURCE}
self.onmessage = function (event) {
  var m = event.data, hash = makeHasher(m.token + ':'), counter = m.start, i;
  for (;;) {
    for (i = 0; i < m.batch; i++) {
      if (hasZeroBits(hash(String(counter)), m.difficulty)) {
        self.postMessage({ tried: i + 1, found: counter });
        return;
      }
      counter += m.stride;
    }
    self.postMessage({ tried: m.batch });
  }
};
`;

/** The global the provider's script calls once loaded (its `onload` query parameter). */
export const CAPTCHA_ONLOAD = 'bgCaptchaReady';

/** Hashes a worker tries between progress messages: ~10 ms on a desktop core, ~50 ms on a phone. */
const BATCH = 8192;
/** Workers started: one per core up to 4, so a phone finishes sooner without heating for long. */
const MAX_WORKERS = 4;

/**
 * The page script. It reads the challenge from the form (#bg-form: hidden `challenge`,
 * `solution`; data-difficulty; data-replay), shows progress in #bg-progress and words in the
 * #bg-status live region (only at start, end and failure, so a screen reader is not flooded),
 * then submits the form, or, for a challenged form POST (data-replay="1"), shows #bg-continue
 * so the person knows to send their form again.
 *
 * CAPTCHA_PAGE_SCRIPT, for a page with a CAPTCHA box (#bg-captcha: data-provider, data-sitekey,
 * data-action, data-script), also loads the provider's script, renders the widget with the provider's documented
 * `render(element, { sitekey, callback })` once the script calls `bgCaptchaReady`, puts the
 * token into the hidden `captcha` field, and goes on only when both the work and the token are
 * done. A widget whose script cannot load, or that reports an error, is said so: the server
 * cannot tell a browser that failed to load it from a bot that skipped it, so there is no
 * client-side way around the widget.
 */
function pageScript(captchaLoader: string): string {
  return `(function () {
  'use strict';
  var form = document.getElementById('bg-form');
  var work = document.getElementById('bg-work');
  var bar = document.getElementById('bg-progress');
  var status = document.getElementById('bg-status');
  var button = document.getElementById('bg-continue');
  var box = document.getElementById('bg-captcha');
  var captcha = form.elements.namedItem('captcha');
  var worked = false;
  var token = form.elements.namedItem('challenge').value;
  var difficulty = Number(form.getAttribute('data-difficulty'));
  var replay = form.getAttribute('data-replay') === '1';
  var expected = Math.pow(2, difficulty);
  var workers = [];
  var tried = 0;
  var done = false;
  var url = null;
  function say(text) { status.textContent = text; }
  function stop() {
    done = true;
    for (var i = 0; i < workers.length; i++) workers[i].terminate();
    if (url !== null) URL.revokeObjectURL(url);
  }
  function fail() {
    if (done) return;
    stop();
    say('Your browser could not run the check. Reload the page to try again, or contact the site\\u2019s support and quote the reference below.');
  }
  var widgetBroken = false;
  var WIDGET_FAILED = 'The second part of the check could not load. Reload the page to try again, or contact the site\\u2019s support and quote the reference below.';
  function widgetFailed() {
    widgetBroken = true;
    if (captcha !== null) captcha.value = '';
    say(WIDGET_FAILED);
  }
  function found(counter) {
    stop();
    bar.value = 100;
    form.elements.namedItem('solution').value = String(counter);
    worked = true;
    proceed();
  }
  function proceed() {
    if (!worked) return;
    // Finished work must not hide a widget that failed: the person has to reload either way.
    if (box !== null && !captcha.value) { say(widgetBroken ? WIDGET_FAILED : 'Almost done: finish the check in the box.'); return; }
    if (replay) {
      say('Done. Your form was not sent: go back to it and send it again.');
      button.hidden = false;
      button.focus();
    } else {
      say('Done. Continuing\\u2026');
      HTMLFormElement.prototype.submit.call(form);
    }
  }
  function onMessage(event) {
    if (done) return;
    var m = event.data;
    tried += m.tried;
    if (typeof m.found === 'number') found(m.found);
    else bar.value = Math.floor(100 * (1 - Math.exp(-tried / expected)));
  }
${captchaLoader}  // Coming back to this page from the history would show a finished check that does nothing.
  window.addEventListener('pageshow', function (event) { if (event.persisted) window.location.reload(); });
  if (typeof Worker !== 'function' || typeof Blob !== 'function' || !window.URL) { fail(); return; }
  work.hidden = false;
  say('Checking\\u2026');
  try {
    url = URL.createObjectURL(new Blob([${JSON.stringify(WORKER_SOURCE)}], { type: 'text/javascript' }));
    var n = Math.max(1, Math.min(navigator.hardwareConcurrency || 1, ${MAX_WORKERS}));
    for (var i = 0; i < n; i++) {
      var w = new Worker(url);
      w.onmessage = onMessage;
      w.onerror = fail;
      workers.push(w);
      w.postMessage({ token: token, difficulty: difficulty, start: i, stride: n, batch: ${BATCH} });
    }
  } catch (e) {
    fail();
  }
})();`;
}

/**
 * Renders the widget once the provider's script calls back, and loads that script; only in the
 * CAPTCHA page's script, so the proof-of-work page holds no code that loads anything.
 */
const CAPTCHA_LOADER = `  window.${CAPTCHA_ONLOAD} = function () {
    var api = window[box.getAttribute('data-provider')];
    var options = {
      sitekey: box.getAttribute('data-sitekey'),
      callback: function (t) { widgetBroken = false; captcha.value = String(t); proceed(); },
      'expired-callback': function () { captcha.value = ''; },
      'error-callback': widgetFailed
    };
    if (box.hasAttribute('data-action')) options.action = box.getAttribute('data-action');
    try { api.render(box, options); } catch (e) { widgetFailed(); }
  };
  var loader = document.createElement('script');
  loader.src = box.getAttribute('data-script');
  loader.async = true;
  loader.onerror = widgetFailed;
  document.head.appendChild(loader);
`;

/** The proof-of-work page's script. */
export const PAGE_SCRIPT = pageScript('');
/** The same with the CAPTCHA widget (#bg-captcha) beside the proof of work. */
export const CAPTCHA_PAGE_SCRIPT = pageScript(CAPTCHA_LOADER);
