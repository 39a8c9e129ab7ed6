#!/usr/bin/env node
// `npm run bench:join`: how long a guest waits to hear the conference, with the product's own
// client ("product": from the final join click; its PIN was checked and its socket connected
// during the device check) and with the bare minimum of mediasoup-client and socket.io-client
// against the same server and room ("baseline": from sending the PIN), alternated in one run.
// One JSON line of results on stdout; progress on stderr. See bench/README.md.
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeWav } from '@konferenz/testing/wav';
import { Workspace, customerRoom, enterBenchRun, numberFromEnv, repoRoot, sleep, startProduct } from './lib/product.mjs';

const benchDir = dirname(fileURLToPath(import.meta.url));

const log = (...parts) => console.error('[bench:join]', ...parts);

// ---------------------------------------------------------------------------------------------
// 1. Into a private network namespace (only loopback), unless already there or not possible.
// ---------------------------------------------------------------------------------------------

const isolated = await enterBenchRun(import.meta.url, log);

// ---------------------------------------------------------------------------------------------
// 2. Settings.
// ---------------------------------------------------------------------------------------------

const JOINS = numberFromEnv('BENCH_JOINS', 20);
const WARMUP = numberFromEnv('BENCH_WARMUP', 2);
const PAUSE_MS = numberFromEnv('BENCH_PAUSE_MS', 300);
/**
 * Both kinds of join wait this long with the page ready before the clock starts, so neither
 * starts while the server and browsers are still tearing down the previous join (a product join
 * leaves more behind: two transports, two producers, a video consumer).
 */
const SETTLE_MS = numberFromEnv('BENCH_SETTLE_MS', 1000);
const JOIN_TIMEOUT_MS = numberFromEnv('BENCH_JOIN_TIMEOUT_MS', 20_000);
const port = numberFromEnv('BENCH_PORT', 3400);
const dbPort = numberFromEnv('BENCH_DB_PORT', 27418);
const smtpPort = numberFromEnv('BENCH_MAIL_SMTP_PORT', 1425);
const mailWebPort = numberFromEnv('BENCH_MAIL_WEB_PORT', 1480);
const rtcPort = numberFromEnv('BENCH_RTC_PORT', 40400);
/**
 * What the moderator's fake microphone plays. "tone" (default): a continuous, warbling tone from
 * a WAV file, so the moderator's Opus sends a packet every 20 ms. "beep": Chromium's built-in fake
 * audio (a short beep per second, silence between): with the product's Opus DTX the moderator then
 * sends only a packet every ~400 ms in the silences, which adds up to 400 ms of chance to every
 * join, product and baseline alike.
 */
const MODERATOR_AUDIO = process.env.BENCH_MODERATOR_AUDIO ?? 'tone';
const baseURL = `http://127.0.0.1:${port}`;

const MODERATOR_PIN = '583920';
const PARTICIPANT_PIN = '740215';

const { executablePath: defaultChromium, args: chromiumArgs } = JSON.parse(readFileSync(join(repoRoot, 'e2e/chromium.json'), 'utf8'));
const chromiumPath = process.env.CHROMIUM_PATH ?? defaultChromium;

// ---------------------------------------------------------------------------------------------
// 3. Everything started here is stopped here, also on errors and signals.
// ---------------------------------------------------------------------------------------------

const workspace = new Workspace('konferenz-bench-', log);
const workDir = workspace.dir;
workspace.cleanupOnSignals();

// ---------------------------------------------------------------------------------------------
// 4. The product's server, as a user starts it (bench/lib/product.mjs).
// ---------------------------------------------------------------------------------------------

async function startServer() {
  const ports = { http: port, db: dbPort, smtp: smtpPort, mailWeb: mailWebPort, rtc: rtcPort };
  return startProduct({ workspace, log, ports, env: { LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'warn' } });
}

// ---------------------------------------------------------------------------------------------
// 5. Browsers.
// ---------------------------------------------------------------------------------------------

/** A 10 s mono 48 kHz WAV: a tone warbling between 300 and 500 Hz at 4 Hz (never silence, never stationary). */
function writeToneWav(file) {
  const rate = 48_000;
  const samples = new Int16Array(rate * 10);
  let phase = 0;
  for (let i = 0; i < samples.length; i++) {
    const t = i / rate;
    const frequency = 400 + 100 * Math.sin(2 * Math.PI * 4 * t);
    phase += (2 * Math.PI * frequency) / rate;
    const envelope = 0.6 + 0.3 * Math.sin(2 * Math.PI * 3 * t);
    samples[i] = Math.round(Math.sin(phase) * envelope * 12_000);
  }
  writeWav(file, rate, samples);
}

async function launch(chromium, extraArgs = []) {
  const browser = await chromium.launch({ executablePath: chromiumPath, headless: true, args: [...chromiumArgs, ...extraArgs] });
  workspace.defer(() => browser.close());
  return browser;
}

async function joinThroughUi(page, roomNumber, pin, displayName) {
  await page.goto(`/join?room=${roomNumber}`);
  await page.getByTestId('pin').fill(pin);
  await page.getByTestId('displayName').fill(displayName);
  await page.getByTestId('join-submit').click();
  await page.getByTestId('prejoin').waitFor();
}

/** The moderator: joins through the real UI, sends fake audio and video, and stays. */
async function startModerator(browser, roomNumber) {
  const context = await browser.newContext({ baseURL, locale: 'de-DE', viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  page.on('pageerror', (error) => log('moderator page error:', error.message));
  await joinThroughUi(page, roomNumber, MODERATOR_PIN, 'Moderatorin');
  await page.getByTestId('camera-preview').waitFor({ timeout: 15_000 });
  await page.getByTestId('prejoin-join').click();
  await page.waitForURL('**/conference', { timeout: 15_000 });
  await page.waitForFunction(
    async () => {
      const stats = await window.__konferenz?.getStats();
      return !!stats && stats.outboundAudioBytes > 0 && stats.outboundVideoBytes > 0;
    },
    undefined,
    { timeout: 20_000, polling: 200 },
  );
  log('moderator is in the room, sending audio and video');
  return { context, page };
}

const probe = readFileSync(join(benchDir, 'page-probe.js'), 'utf8');

/**
 * Camera and microphone are granted to every guest context, product and baseline alike, as a
 * returning user has them: the baseline never asks, and Chromium treats pages with and without the
 * grant differently in WebRTC (it hides the ICE host candidates of pages without it behind mDNS).
 */
async function newMeasuredContext(browser, options = {}) {
  const context = await browser.newContext({
    baseURL,
    locale: 'de-DE',
    viewport: { width: 1280, height: 800 },
    permissions: ['camera', 'microphone'],
    ...options,
  });
  await context.addInitScript({ content: probe });
  return context;
}

async function waitForFirstAudio(page) {
  await page.waitForFunction(() => window.__bench.firstAudioMs !== null, undefined, { timeout: JOIN_TIMEOUT_MS, polling: 50 });
  return page.evaluate(() => {
    const bench = window.__bench;
    return {
      ms: bench.firstAudioMs,
      detectedMs: bench.marks.firstAudioDetected,
      packetsAtDetection: bench.packetsAtDetection,
      estimateClamped: !!bench.estimateClamped,
      windowMs: bench.windowMs ?? null,
      appFiles: bench.appFiles ?? 0,
      marks: bench.marks,
    };
  });
}

/** A: the product's own client, from /join through the device check to the conference page. */
async function productJoin(browser, roomNumber, n) {
  const context = await newMeasuredContext(browser);
  try {
    const page = await context.newPage();
    page.on('pageerror', (error) => log(`product join ${n}: page error:`, error.message));
    page.on('console', (message) => {
      if (message.type() === 'error' || message.type() === 'warning') log(`product join ${n}: console ${message.type()}:`, message.text());
    });
    await joinThroughUi(page, roomNumber, PARTICIPANT_PIN, `Gast A${n}`);
    // As a person would: the preview is up (getUserMedia answered) before they click "join".
    await page.getByTestId('camera-preview').waitFor({ timeout: 15_000 });
    await page.waitForFunction(() => window.__bench.gumDone > 0, undefined, { timeout: 15_000 });
    await sleep(SETTLE_MS);
    await page.getByTestId('prejoin-join').click();
    const result = await waitForFirstAudio(page);
    await page
      .getByTestId('leave')
      .click({ timeout: 5_000 })
      .catch((error) => log(`product join ${n}: leave:`, error.message));
    await page
      .getByTestId('leave')
      .waitFor({ state: 'detached', timeout: 5_000 })
      .catch(() => undefined);
    return result;
  } finally {
    await context.close();
  }
}

/**
 * B: the baseline page (bench/baseline-client.js) in a document the product's server really
 * answered (GET /api/auth/session), so it is same-origin and in the loopback address space like
 * the product's pages. (A document fulfilled by page.route counts as "public" to Chromium's Local
 * Network Access checks, which then block its WebSocket to 127.0.0.1.) The bundle is added as a
 * script; bypassCSP lets that inline script past the server's script-src policy.
 */
async function baselineJoin(browser, roomNumber, n, bundle) {
  const context = await newMeasuredContext(browser, { bypassCSP: true });
  try {
    const page = await context.newPage();
    page.on('pageerror', (error) => log(`baseline join ${n}: page error:`, error.message));
    page.on('console', (message) => {
      if (message.type() === 'error' || message.type() === 'warning') log(`baseline join ${n}: console ${message.type()}:`, message.text());
    });
    await page.goto('/api/auth/session');
    await page.addScriptTag({ content: bundle });
    await page.waitForFunction(() => typeof window.baselineJoin === 'function');
    await sleep(SETTLE_MS);
    await page.evaluate(
      (options) => {
        window.__benchJoin = window.baselineJoin(options).catch((error) => {
          window.__benchError = String(error?.stack ?? error);
        });
      },
      { roomNumber, pin: PARTICIPANT_PIN, displayName: `Gast B${n}` },
    );
    let result;
    try {
      result = await waitForFirstAudio(page);
    } catch (error) {
      const pageError = await page.evaluate(() => window.__benchError).catch(() => undefined);
      throw new Error(`baseline join ${n}: ${pageError ?? error.message}`, { cause: error });
    }
    await page.evaluate(() => window.baselineLeave());
    return result;
  } finally {
    await context.close();
  }
}

// ---------------------------------------------------------------------------------------------
// 6. Statistics.
// ---------------------------------------------------------------------------------------------

/** Linear interpolation between closest ranks (numpy's default). */
function quantile(sorted, q) {
  if (sorted.length === 0) return null;
  const position = (sorted.length - 1) * q;
  const lower = Math.floor(position);
  const upper = Math.ceil(position);
  return sorted[lower] + (sorted[upper] - sorted[lower]) * (position - lower);
}
const round = (value, digits = 1) => (value === null ? null : Math.round(value * 10 ** digits) / 10 ** digits);

function summary(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return {
    p50_ms: round(quantile(sorted, 0.5)),
    p95_ms: round(quantile(sorted, 0.95)),
    min_ms: round(sorted[0] ?? null),
    max_ms: round(sorted.at(-1) ?? null),
  };
}

/** Median of each mark over the joins, in order of that median: where the time goes. */
function phases(results) {
  const names = new Set(results.flatMap((result) => Object.keys(result.marks)));
  const medians = [...names].map((name) => {
    const values = results.map((result) => result.marks[name]).filter((value) => typeof value === 'number');
    return [
      name,
      round(
        quantile(
          [...values].sort((a, b) => a - b),
          0.5,
        ),
      ),
    ];
  });
  return Object.fromEntries(medians.sort((a, b) => a[1] - b[1]));
}

// ---------------------------------------------------------------------------------------------
// 7. The run.
// ---------------------------------------------------------------------------------------------

async function main() {
  const started = Date.now();
  log(`isolated network namespace: ${isolated}; work folder ${workDir}`);

  const { build } = await import('esbuild');
  const bundled = await build({
    entryPoints: [join(benchDir, 'baseline-client.js')],
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: 'chrome120',
    minify: true,
    write: false,
    logLevel: 'warning',
  });
  const bundle = bundled.outputFiles[0].text;
  log(`baseline bundle: ${Math.round(bundle.length / 1024)} KiB`);

  const { chromium } = await import('playwright-core');

  log('starting the server');
  const server = await startServer();
  const roomNumber = await customerRoom(server, { moderatorPin: MODERATOR_PIN, participantPin: PARTICIPANT_PIN });
  log(`room ${roomNumber} with PINs`);

  let moderatorArgs = [];
  if (MODERATOR_AUDIO === 'tone') {
    const wav = join(workDir, 'moderator-tone.wav');
    writeToneWav(wav);
    moderatorArgs = [`--use-file-for-fake-audio-capture=${wav}`];
  } else if (MODERATOR_AUDIO !== 'beep') throw new Error('BENCH_MODERATOR_AUDIO must be "tone" or "beep"');
  const moderatorBrowser = await launch(chromium, moderatorArgs);
  const guestBrowser = await launch(chromium);
  const chromiumVersion = guestBrowser.version();
  await startModerator(moderatorBrowser, roomNumber);

  const product = [];
  const baseline = [];
  const total = WARMUP + JOINS;
  for (let i = 0; i < total; i++) {
    const warm = i < WARMUP;
    const label = warm ? `warm-up ${i + 1}/${WARMUP}` : `${i - WARMUP + 1}/${JOINS}`;
    // ABAB..., and which goes first alternates too (AB BA AB ...), so neither always follows the other.
    const order = i % 2 === 0 ? ['product', 'baseline'] : ['baseline', 'product'];
    for (const kind of order) {
      const result = kind === 'product' ? await productJoin(guestBrowser, roomNumber, i) : await baselineJoin(guestBrowser, roomNumber, i, bundle);
      log(
        `${label} ${kind.padEnd(8)} ${String(result.ms).padStart(7)} ms (poll saw it at ${result.detectedMs} ms, ${result.packetsAtDetection} packets${result.estimateClamped ? ', estimate clamped' : ''})`,
      );
      if (!warm) (kind === 'product' ? product : baseline).push(result);
      await sleep(PAUSE_MS);
    }
  }

  if (process.env.BENCH_DETAILS) {
    writeFileSync(process.env.BENCH_DETAILS, `${JSON.stringify({ product, baseline_mediasoup_client: baseline }, null, 1)}\n`);
    log(`per-join details in ${process.env.BENCH_DETAILS}`);
  }
  const productSummary = summary(product.map((result) => result.ms));
  const baselineSummary = summary(baseline.map((result) => result.ms));
  const line = {
    benchmark: 'join',
    joins: JOINS,
    product: productSummary,
    baseline_mediasoup_client: baselineSummary,
    ratio_p50: round(productSummary.p50_ms / baselineSummary.p50_ms, 2),
    isolated_netns: isolated,
    node: process.version,
    chromium: chromiumVersion,
    cpus: cpus().length,
    warmup_joins: WARMUP,
    settle_ms: SETTLE_MS,
    moderator_audio: MODERATOR_AUDIO,
    // The same joins timed by when the 10 ms getStats poll saw the first packet (Chromium caches stats for 50 ms).
    poll_detected_p50_ms: {
      product: summary(product.map((result) => result.detectedMs)).p50_ms,
      baseline_mediasoup_client: summary(baseline.map((result) => result.detectedMs)).p50_ms,
    },
    // Joins whose 20 ms-spacing estimate fell outside what the stats allow (packets came in a burst) and was clamped.
    estimates_clamped: [...product, ...baseline].filter((result) => result.estimateClamped).length,
    // How far apart the bounds the stats put on the first packet's arrival were (median over all joins).
    first_packet_window_p50_ms: summary([...product, ...baseline].map((result) => result.windowMs).filter((value) => value !== null)).p50_ms,
    phases_p50_ms: { product: phases(product), baseline_mediasoup_client: phases(baseline) },
    run_s: round((Date.now() - started) / 1000, 0),
  };
  return line;
}

let exitCode = 0;
try {
  const line = await main();
  await workspace.cleanup();
  process.stdout.write(`${JSON.stringify(line)}\n`);
} catch (error) {
  log('failed:', error.stack ?? error.message);
  exitCode = 1;
  await workspace.cleanup();
}
process.exit(exitCode);
