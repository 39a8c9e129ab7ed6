import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeWav } from '@konferenz/testing/wav';
import type { Page } from '@playwright/test';
import chromium from '../chromium.json';
import { expect, test, type ConferenceTab } from './conference-fixtures';
import { ProductNodes } from './product-node';

/**
 * Large rooms, at test size, on a node of their own:
 * - a room that spreads over two mediasoup workers: two workers and a threshold of two consumers
 *   per router (MEDIA_ROUTER_MAX_CONSUMERS; 400 by default), so the second browser already
 *   receives from a router on the other worker, its media piped there. Everyone hears and sees
 *   everyone; killing that worker resets the room and media flow again;
 * - last-N video with VIDEO_LAST_N=1 (12 by default): a browser shows one other camera, the last
 *   speaker's; the other is a name tile and its video stops reaching the browser.
 */
const PORT = 3321;
const RTC_PORT = 40321;
const LAST_N_PORT = 3322;
const LAST_N_RTC_PORT = 40325;

/**
 * Every browser's voice: a tone in syllables (150 ms on, 100 ms off). mediasoup's active speaker
 * detection scores level above each speaker's own floor, so neither a steady tone (its floor rises
 * to the tone) nor Chromium's default fake microphone (a short beep now and then) makes an unmuted
 * speaker reliably dominant.
 */
function syllablesWav(): string {
  const file = join(tmpdir(), 'konferenz-e2e-syllables-v1.wav');
  if (existsSync(file)) return file;
  const rate = 48_000;
  const samples = new Int16Array(rate * 10);
  for (let i = 0; i < samples.length; i++) {
    const voiced = i % (rate / 4) < rate * 0.15;
    samples[i] = voiced ? Math.round(Math.sin((2 * Math.PI * 440 * i) / rate) * 12_000) : 0;
  }
  writeWav(file, rate, samples);
  return file;
}

test.use({
  launchOptions: {
    executablePath: process.env.CHROMIUM_PATH ?? chromium.executablePath,
    args: [...chromium.args, `--use-file-for-fake-audio-capture=${syllablesWav()}`],
  },
});

const nodes = new ProductNodes();
test.afterEach(async () => {
  await nodes.stopAll();
});
test.afterAll(() => {
  nodes.removeDataDirs();
});

/** The server ports a page receives media from: the remote end of each receiving connection's selected candidate pair. */
async function receivingFromPorts(page: Page): Promise<number[]> {
  return page.evaluate(async () => {
    const state = (window as unknown as { __e2ePeerConnections?: { seen: Set<RTCPeerConnection> } }).__e2ePeerConnections;
    const ports: number[] = [];
    for (const pc of state?.seen ?? []) {
      if (pc.connectionState !== 'connected') continue;
      const entries: Array<Record<string, unknown>> = [];
      (await pc.getStats()).forEach((entry: Record<string, unknown>) => entries.push(entry));
      if (!entries.some((e) => e.type === 'inbound-rtp')) continue;
      const transport = entries.find((e) => e.type === 'transport' && e.selectedCandidatePairId);
      const pair = entries.find((e) => e.id === transport?.selectedCandidatePairId);
      const remote = entries.find((e) => e.id === pair?.remoteCandidateId);
      if (typeof remote?.port === 'number') ports.push(remote.port);
    }
    return ports;
  });
}

/** The pid of the mediasoup worker whose WebRtcServer listens on this UDP port. */
function workerOnUdpPort(port: number): number {
  const listing = execFileSync('ss', ['-Hulnp', `sport = :${port}`], { encoding: 'utf8' });
  const pid = Number(listing.match(/pid=(\d+)/)?.[1]);
  if (!pid) throw new Error(`nothing listens on UDP ${port}:\n${listing}`);
  return pid;
}

async function everyoneReceivesEveryone(tabs: ConferenceTab[]): Promise<void> {
  await Promise.all(
    tabs.map((tab) =>
      tab.expectReceiving(
        tabs.filter((other) => other !== tab),
        { setupMs: 20_000 },
      ),
    ),
  );
}

test('a room over two workers: listeners past the threshold receive from the other worker, everyone hears and sees everyone, and a killed worker is survived', async ({
  conf,
}) => {
  test.setTimeout(150_000);
  const node = await nodes.start('wide', PORT, RTC_PORT, { MEDIA_WORKERS: '2', MEDIA_ROUTER_MAX_CONSUMERS: '2' });
  const owner = await conf.roomOwner();
  const host = await conf.join(owner.roomNumber, owner.moderatorPin, 'Moderatorin', { origin: node.url });
  await expect(host.tile()).toBeVisible({ timeout: 20_000 });
  // Sending before the first guest arrives, so the guest's receive transport counts two consumers.
  await expect.poll(async () => ((s) => s.outboundAudioBytes > 0 && s.outboundVideoBytes > 0)(await host.stats()), { timeout: 20_000 }).toBe(true);
  const guests: ConferenceTab[] = [];
  for (const name of ['Gast Eins', 'Gast Zwei']) {
    const guest = await conf.join(owner.roomNumber, owner.participantPin, name, { origin: node.url });
    await expect(guest.tile(host.id)).toBeVisible();
    guests.push(guest);
  }
  const tabs = [host, ...guests];
  await everyoneReceivesEveryone(tabs);

  // The host's receive transport is on the home worker (RTC_PORT); the first guest's, placed
  // when the host's microphone and camera were already two consumers' worth, on the other one.
  const ports = await Promise.all(tabs.map((tab) => receivingFromPorts(tab.page)));
  expect(ports[0]).toEqual([RTC_PORT]);
  expect(ports[1]).toEqual([RTC_PORT + 1]);
  expect(new Set(ports.flat())).toEqual(new Set([RTC_PORT, RTC_PORT + 1]));

  // The worker the first guest receives from dies: the room starts over on live workers.
  const connectionsBefore = await Promise.all(tabs.map((tab) => tab.peerConnections()));
  process.kill(workerOnUdpPort(RTC_PORT + 1), 'SIGKILL');
  const killedAt = Date.now();
  await expect(async () => {
    const created = await Promise.all(tabs.map(async (tab) => (await tab.peerConnections()).created));
    created.forEach((count, i) => expect(count, `${tabs[i]!.displayName}: new transports`).toBeGreaterThan(connectionsBefore[i]!.created));
  }).toPass({ timeout: 15_000, intervals: [250] });
  await everyoneReceivesEveryone(tabs);
  test.info().annotations.push({ type: 'media restored after', description: `${Date.now() - killedAt} ms` });
});

/** Received video bytes per inbound video stream (all of the page's connections), by track. */
async function inboundVideoBytes(page: Page): Promise<Record<string, number>> {
  return page.evaluate(async () => {
    const state = (window as unknown as { __e2ePeerConnections?: { seen: Set<RTCPeerConnection> } }).__e2ePeerConnections;
    const bytes: Record<string, number> = {};
    for (const pc of state?.seen ?? []) {
      if (pc.connectionState === 'closed') continue;
      (await pc.getStats()).forEach((entry: { type: string; kind?: string; trackIdentifier?: string; bytesReceived?: number }) => {
        if (entry.type === 'inbound-rtp' && entry.kind === 'video' && entry.trackIdentifier) bytes[entry.trackIdentifier] = entry.bytesReceived ?? 0;
      });
    }
    return bytes;
  });
}

/** How many of the page's inbound video streams grew within two seconds. */
async function growingVideoStreams(page: Page): Promise<number> {
  const before = await inboundVideoBytes(page);
  await page.waitForTimeout(2_000);
  const after = await inboundVideoBytes(page);
  return Object.keys(after).filter((track) => after[track]! > (before[track] ?? 0)).length;
}

test('last-N video: a browser shows the camera of the last speaker only; the other is a name tile whose video the server stops sending', async ({ conf }) => {
  test.setTimeout(120_000);
  const node = await nodes.start('last-n', LAST_N_PORT, LAST_N_RTC_PORT, { VIDEO_LAST_N: '1' });
  const owner = await conf.roomOwner();
  // Everyone muted: nobody is the active speaker until a guest unmutes.
  const host = await conf.join(owner.roomNumber, owner.moderatorPin, 'Moderatorin', { origin: node.url, muted: true });
  await expect(host.tile()).toBeVisible({ timeout: 20_000 });
  const anna = await conf.join(owner.roomNumber, owner.participantPin, 'Anna', { origin: node.url, muted: true });
  await expect(host.tile(anna.id)).toHaveAttribute('data-video', 'true', { timeout: 20_000 });
  const ben = await conf.join(owner.roomNumber, owner.participantPin, 'Ben', { origin: node.url, muted: true });
  await expect(host.tile(ben.id)).toBeVisible();

  // Nobody spoke: the first camera in the server's order (Anna's) is shown, Ben is a name tile,
  // and of the video streams the host receives, only one keeps arriving.
  await expect(host.tile(anna.id)).toHaveAttribute('data-video', 'true');
  await expect(host.tile(ben.id)).toHaveAttribute('data-video', 'false');
  await expect.poll(() => growingVideoStreams(host.page), { timeout: 15_000 }).toBe(1);

  // Ben speaks: his camera is shown and Anna becomes a name tile.
  await ben.page.getByTestId('toggle-mic').click();
  await expect(host.tile(ben.id)).toHaveAttribute('data-video', 'true', { timeout: 15_000 });
  await expect(host.tile(anna.id)).toHaveAttribute('data-video', 'false');
  await expect.poll(() => growingVideoStreams(host.page), { timeout: 15_000 }).toBe(1);
});
