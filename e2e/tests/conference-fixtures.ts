import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { request as playwrightRequest, type APIRequestContext, type Browser, type BrowserContext, type Page, type TestInfo } from '@playwright/test';
import { expect, screenshot, test as base, type MailInbox } from './fixtures';
import { CSRF_HEADER, type ConferenceStats, type RoomSettingsInput } from '@konferenz/shared';

/**
 * Helpers for the conference tests (conference.e2e.ts): customers whose room is ready (registered
 * and PINs set through the API, the room number read from the welcome mail), participants in
 * browser contexts of their own, and the media counters that prove audio and video really flow.
 */

/** What POST /api/conference/join answers (shared/src/conference/join.ts). */
export interface JoinResponse {
  token: string;
  roomNumber: string;
  participantId: string;
  role: 'moderator' | 'participant';
  displayName: string;
  expiresAt: string;
}

/**
 * Bytes received from one other participant, per kind, read from the page's RTCPeerConnections,
 * and the level of their audio as the browser plays it (inbound-rtp `audioLevel`, 0..1).
 */
export type InboundByParticipant = Record<string, { audio: number; video: number; audioLevel: number }>;

export const CSRF_HEADERS = { [CSRF_HEADER]: '1' };
const PASSWORD = 'Gruener-Reiher-83';
/** Neither repetitions nor runs (shared/src/rules/pin-rules.ts). */
const PIN_CANDIDATES = ['274951', '839162', '5170394', '61839274', '407285', '925713', '381946', '752048'];
const WELCOME_SUBJECT = /Willkommen bei Konferenz/;
/** Key of the tab's join in sessionStorage (client/src/lib/conference/join-storage.ts). */
const JOIN_STORAGE_KEY = 'konferenz.conference';

/** A registered customer whose room has both PINs set; `api` is logged in as them. */
export interface RoomOwner {
  username: string;
  password: string;
  firstName: string;
  lastName: string;
  roomNumber: string;
  moderatorPin: string;
  participantPin: string;
  /** A PIN that is valid in form but opens nothing in this room. */
  wrongPin: string;
  api: APIRequestContext;
}

/**
 * Runs in every page before its own scripts: remembers each RTCPeerConnection the page uses
 * (mediasoup-client's transports), so the tests can read per-track statistics and see whether
 * the page has any media connection at all. Nothing else about WebRTC is changed.
 */
function trackPeerConnections(): void {
  const seen = new Set<RTCPeerConnection>();
  const state = { seen, created: 0 };
  Object.defineProperty(window, '__e2ePeerConnections', { value: state });
  const proto = RTCPeerConnection.prototype;
  for (const method of ['setLocalDescription', 'setRemoteDescription'] as const) {
    const original = proto[method] as (...args: unknown[]) => Promise<void>;
    (proto as unknown as Record<string, unknown>)[method] = function (this: RTCPeerConnection, ...args: unknown[]) {
      if (!seen.has(this)) {
        seen.add(this);
        state.created++;
      }
      return original.apply(this, args);
    };
  }
}

/**
 * Runs in every page before its own scripts: notes the data-testid of every element that is ever
 * added, so a test can tell that something never showed, not even for a moment.
 */
function recordTestIds(): void {
  const seen = new Set<string>();
  Object.defineProperty(window, '__e2eSeenTestIds', { value: seen });
  const note = (node: Node) => {
    if (!(node instanceof Element)) return;
    const own = node.getAttribute('data-testid');
    if (own) seen.add(own);
    node.querySelectorAll('[data-testid]').forEach((element) => seen.add(element.getAttribute('data-testid')!));
  };
  new MutationObserver((records) => records.forEach((record) => record.addedNodes.forEach(note))).observe(document, {
    childList: true,
    subtree: true,
  });
}

/** One participant: a browser context of their own with one conference tab. */
export class ConferenceTab {
  constructor(
    readonly context: BrowserContext,
    public page: Page,
    readonly displayName: string,
    public join: JoinResponse,
  ) {}

  get id(): string {
    return this.join.participantId;
  }

  tile(participantId: string = this.id) {
    return this.page.getByTestId(`tile-${participantId}`);
  }

  /** Whether an element with this data-testid has appeared in the page since it was (re)loaded. */
  async everShown(testId: string): Promise<boolean> {
    return this.page.evaluate((id) => (window as unknown as { __e2eSeenTestIds?: Set<string> }).__e2eSeenTestIds?.has(id) ?? false, testId);
  }

  /** The conference's own counters (window.__konferenz); all zero while there is no media session. */
  async stats(): Promise<ConferenceStats> {
    return this.page.evaluate(async () => {
      const hooks = (window as unknown as { __konferenz?: { getStats(): Promise<ConferenceStats> } }).__konferenz;
      return hooks ? hooks.getStats() : { inboundAudioBytes: 0, inboundVideoBytes: 0, outboundAudioBytes: 0, outboundVideoBytes: 0, consumers: 0 };
    });
  }

  /** RTCPeerConnections the page has used so far, and how many of them are not closed. */
  async peerConnections(): Promise<{ created: number; open: number }> {
    return this.page.evaluate(() => {
      const state = (window as unknown as { __e2ePeerConnections?: { seen: Set<RTCPeerConnection>; created: number } }).__e2ePeerConnections;
      if (!state) return { created: 0, open: 0 };
      return { created: state.created, open: [...state.seen].filter((pc) => pc.connectionState !== 'closed').length };
    });
  }

  /**
   * Bytes received from each other participant: the inbound-rtp entry whose track plays in that
   * participant's <audio data-testid="audio-<id>"> element, or in their video tile; for audio also
   * the entry's current audioLevel.
   */
  async inboundByParticipant(): Promise<InboundByParticipant> {
    return this.page.evaluate(async () => {
      const state = (window as unknown as { __e2ePeerConnections?: { seen: Set<RTCPeerConnection> } }).__e2ePeerConnections;
      const bytesByTrack = new Map<string, number>();
      const levelByTrack = new Map<string, number>();
      for (const pc of state?.seen ?? []) {
        if (pc.connectionState === 'closed') continue;
        const report = await pc.getStats();
        report.forEach((entry: { type: string; trackIdentifier?: string; bytesReceived?: number; audioLevel?: number }) => {
          if (entry.type !== 'inbound-rtp' || !entry.trackIdentifier) return;
          bytesByTrack.set(entry.trackIdentifier, (bytesByTrack.get(entry.trackIdentifier) ?? 0) + (entry.bytesReceived ?? 0));
          if (entry.audioLevel !== undefined) {
            levelByTrack.set(entry.trackIdentifier, Math.max(levelByTrack.get(entry.trackIdentifier) ?? 0, entry.audioLevel));
          }
        });
      }
      const trackId = (element: Element) => ((element as HTMLMediaElement).srcObject as MediaStream | null)?.getTracks()[0]?.id;
      const result: Record<string, { audio: number; video: number; audioLevel: number }> = {};
      const add = (participantId: string, kind: 'audio' | 'video', element: Element) => {
        const id = trackId(element);
        const entry = (result[participantId] ??= { audio: 0, video: 0, audioLevel: 0 });
        entry[kind] += (id && bytesByTrack.get(id)) || 0;
        if (kind === 'audio' && id) entry.audioLevel = Math.max(entry.audioLevel, levelByTrack.get(id) ?? 0);
      };
      for (const element of Array.from(document.querySelectorAll('audio[data-testid^="audio-"]'))) {
        add(element.getAttribute('data-testid')!.slice('audio-'.length), 'audio', element);
      }
      for (const tile of Array.from(document.querySelectorAll('[data-testid^="tile-"]:not([data-testid^="tile-screen-"])'))) {
        const video = tile.querySelector('video');
        if (video) add(tile.getAttribute('data-testid')!.slice('tile-'.length), 'video', video);
      }
      return result;
    });
  }

  /**
   * Audio and (with `video`) video from each of `from` arrive and keep arriving: first some bytes
   * at all (setting up the transports takes a moment), then more within `growWithinMs`.
   */
  async expectReceiving(from: ConferenceTab[], { video = true, setupMs = 15_000, growWithinMs = 3_000 } = {}): Promise<void> {
    const ids = from.map((tab) => tab.id);
    const started = (inbound: InboundByParticipant) => ids.every((id) => (inbound[id]?.audio ?? 0) > 0 && (!video || (inbound[id]?.video ?? 0) > 0));
    await expect
      .poll(async () => started(await this.inboundByParticipant()), {
        message: `${this.displayName} receives audio${video ? ' and video' : ''} from ${from.map((tab) => tab.displayName).join(', ')}`,
        timeout: setupMs,
      })
      .toBe(true);
    const before = await this.inboundByParticipant();
    await expect
      .poll(
        async () => {
          const now = await this.inboundByParticipant();
          return ids.every((id) => now[id]!.audio > before[id]!.audio && (!video || now[id]!.video > before[id]!.video));
        },
        {
          message: `${this.displayName}'s inbound bytes from ${from.map((tab) => tab.displayName).join(', ')} grow within ${growWithinMs} ms`,
          timeout: growWithinMs,
        },
      )
      .toBe(true);
    // The conference's own counters (window.__konferenz) agree.
    const stats = await this.stats();
    expect(stats.inboundAudioBytes).toBeGreaterThan(0);
    if (video) expect(stats.inboundVideoBytes).toBeGreaterThan(0);
    expect(stats.consumers).toBeGreaterThanOrEqual(from.length * (video ? 2 : 1));
  }

  /**
   * Nothing more of `muted`'s audio arrives here over 2 s (once packets already under way when
   * the pause took effect have landed), while `speaking`'s (when given) keeps arriving. Returns the bytes of
   * `muted`'s audio received in all, so a caller can tell "stopped" (some) from "never heard" (0).
   */
  async expectSilenceFrom(muted: ConferenceTab, speaking?: ConferenceTab): Promise<number> {
    const audioOf = (inbound: InboundByParticipant, tab: ConferenceTab) => inbound[tab.id]?.audio ?? 0;
    let last = -1;
    await expect
      .poll(
        async () => {
          const bytes = audioOf(await this.inboundByParticipant(), muted);
          const still = bytes === last;
          last = bytes;
          return still;
        },
        { message: `${this.displayName} stops receiving ${muted.displayName}'s audio`, intervals: [500], timeout: 5_000 },
      )
      .toBe(true);
    const before = await this.inboundByParticipant();
    await this.page.waitForTimeout(2_000);
    const after = await this.inboundByParticipant();
    expect(audioOf(after, muted), `${muted.displayName}'s audio bytes at ${this.displayName}`).toBe(audioOf(before, muted));
    if (speaking) {
      expect(audioOf(after, speaking), `${speaking.displayName}'s audio bytes at ${this.displayName}`).toBeGreaterThan(audioOf(before, speaking));
    }
    return audioOf(after, muted);
  }

  async close(): Promise<void> {
    await this.context.close().catch(() => undefined);
  }
}

export interface JoinOptions {
  cameraOff?: boolean;
  muted?: boolean;
  /** Screenshot of the pre-join step (device check), e.g. '20-prejoin'. */
  prejoinScreenshot?: string;
  /** Another server to open the join page on (a node of several); the product under test by default. */
  origin?: string;
}

/** Creates customers and participants for one test, and closes every browser context afterwards. */
export class ConferenceKit {
  readonly #contexts: BrowserContext[] = [];
  readonly #apis: APIRequestContext[] = [];

  constructor(
    readonly browser: Browser,
    readonly baseURL: string,
    readonly mailInbox: MailInbox,
    readonly testInfo: TestInfo,
    /** For the test's own API calls: `ignoreHTTPSErrors` where the server's certificate comes from a CA the test made (the browsers are told to trust it). */
    readonly apiOptions: { ignoreHTTPSErrors?: boolean } = {},
  ) {}

  /** Registration, welcome mail, login and PINs, all through the API (the UI has its own tests). */
  async roomOwner(): Promise<RoomOwner> {
    const suffix = randomBytes(4).toString('hex');
    const username = `moderator.${suffix}`;
    const email = `${username}@example.test`;
    const api = await playwrightRequest.newContext({ ...this.apiOptions, baseURL: this.baseURL, extraHTTPHeaders: CSRF_HEADERS });
    this.#apis.push(api);
    const registered = await api.post('/api/accounts', {
      data: {
        username,
        email,
        password: PASSWORD,
        firstName: 'Maria',
        lastName: 'Moderatorin',
        language: 'de',
        address: { street: 'Heidestraße', houseNumber: '17a', postalCode: '10557', city: 'Berlin', country: 'DE' },
      },
    });
    expect(registered.status(), await registered.text()).toBe(202);
    const mail = await this.mailInbox.waitForMail(email, WELCOME_SUBJECT);
    const roomNumber = mail.text.match(/Konferenzraum-Nr\.:\s*(\d{4} \d{4})/)?.[1]?.replace(/\D/g, '');
    expect(roomNumber, `room number in the welcome mail:\n${mail.text}`).toMatch(/^\d{8}$/);

    const login = await api.post('/api/auth/login', { data: { login: username, password: PASSWORD } });
    expect(login.status(), await login.text()).toBe(200);
    const [moderatorPin, participantPin, wrongPin] = PIN_CANDIDATES.filter((pin) => !roomNumber!.includes(pin));
    const pins = await api.post('/api/account/pins', { data: { moderatorPin, participantPin } });
    expect(pins.ok(), await pins.text()).toBe(true);
    return {
      username,
      password: PASSWORD,
      firstName: 'Maria',
      lastName: 'Moderatorin',
      roomNumber: roomNumber!,
      moderatorPin: moderatorPin!,
      participantPin: participantPin!,
      wrongPin: wrongPin!,
      api,
    };
  }

  /** Settings left out take their defaults (the answer holds them too). */
  async setRoomSettings(owner: RoomOwner, settings: RoomSettingsInput): Promise<void> {
    const response = await owner.api.put('/api/account/room-settings', { data: settings });
    expect(response.ok(), await response.text()).toBe(true);
    expect(await response.json()).toMatchObject(settings);
  }

  /** A fresh browser context (own cookies and sessionStorage) with one page. */
  async newTab(): Promise<{ context: BrowserContext; page: Page }> {
    const context = await this.browser.newContext({ baseURL: this.baseURL, locale: 'de-DE', viewport: { width: 1280, height: 800 } });
    this.#contexts.push(context);
    await context.addInitScript(trackPeerConnections);
    await context.addInitScript(recordTestIds);
    const page = await context.newPage();
    return { context, page };
  }

  /** Joins through the join page as a guest or host would: room number and PIN, then the device check. */
  async join(roomNumber: string, pin: string, displayName: string, options: JoinOptions = {}): Promise<ConferenceTab> {
    const { context, page } = await this.newTab();
    await page.goto(`${options.origin ?? ''}/join?room=${roomNumber}`);
    await expect(page.getByTestId('roomNumber')).toHaveValue(roomNumber);
    await page.getByTestId('pin').fill(pin);
    await page.getByTestId('displayName').fill(displayName);
    await page.getByTestId('join-submit').click();
    await expect(page.getByTestId('prejoin')).toBeVisible();
    if (options.muted) await page.getByTestId('prejoin-muted').check();
    if (options.cameraOff) await page.getByTestId('prejoin-camera-off').check();
    if (options.prejoinScreenshot) {
      await expect(page.getByTestId(options.cameraOff ? 'camera-preview-off' : 'camera-preview')).toBeVisible();
      await screenshot(page, this.testInfo, options.prejoinScreenshot);
    }
    await page.getByTestId('prejoin-join').click();
    await expect(page).toHaveURL(/\/conference$/);
    return new ConferenceTab(context, page, displayName, await storedJoin(page));
  }

  /** Logs the owner in in a browser context of their own (through the API, sharing the context's cookies). */
  async ownerTab(owner: RoomOwner): Promise<{ context: BrowserContext; page: Page }> {
    const tab = await this.newTab();
    const login = await tab.page.request.post('/api/auth/login', {
      headers: CSRF_HEADERS,
      data: { login: owner.username, password: owner.password },
    });
    expect(login.status(), await login.text()).toBe(200);
    return tab;
  }

  /** The owner's "start own conference" button in the Konferenzcenter: moderator without a PIN. */
  async hostFromAccount(owner: RoomOwner, tab: { context: BrowserContext; page: Page }): Promise<ConferenceTab> {
    await tab.page.goto('/account');
    await tab.page.getByTestId('start-own-conference').click();
    await expect(tab.page).toHaveURL(/\/conference$/);
    const join = await storedJoin(tab.page);
    expect(join.role).toBe('moderator');
    return new ConferenceTab(tab.context, tab.page, `${owner.firstName} ${owner.lastName}`, join);
  }

  async dispose(): Promise<void> {
    for (const context of this.#contexts) await context.close().catch(() => undefined);
    for (const api of this.#apis) await api.dispose().catch(() => undefined);
  }
}

/** The join the page stored for this tab (a reload rejoins with it). */
export async function storedJoin(page: Page): Promise<JoinResponse> {
  const text = await page.evaluate((key) => sessionStorage.getItem(key), JOIN_STORAGE_KEY);
  expect(text, 'the join stored in sessionStorage').toBeTruthy();
  return JSON.parse(text!) as JoinResponse;
}

/**
 * POST /api/conference/join through Node's http module from a chosen local address: the browser
 * cannot pick its source address, so a "second source" for the PIN limits comes from here.
 */
export function joinFromAddress(
  baseURL: string,
  localAddress: string,
  body: { roomNumber: string; pin: string; displayName: string },
): Promise<{ status: number; body: Record<string, unknown> }> {
  const url = new URL('/api/conference/join', baseURL);
  const payload = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const request = httpRequest(
      url,
      {
        method: 'POST',
        localAddress,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload), ...CSRF_HEADERS },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          try {
            resolve({ status: response.statusCode ?? 0, body: JSON.parse(text) as Record<string, unknown> });
          } catch {
            reject(new Error(`POST ${url} from ${localAddress}: ${response.statusCode} ${text}`));
          }
        });
      },
    );
    request.on('error', reject);
    request.end(payload);
  });
}

/** The pid of the process listening on the server's TCP port (inside this network namespace, ours). */
export function serverPid(port: number): number {
  const listing = execFileSync('ss', ['-Hltnp', `sport = :${port}`], { encoding: 'utf8' });
  const pid = Number(listing.match(/pid=(\d+)/)?.[1]);
  if (!pid) throw new Error(`no process listens on port ${port}:\n${listing}`);
  return pid;
}

/**
 * The mediasoup workers of the server under test: its direct children running mediasoup-worker.
 * Only the pid space is shared with the host (the network namespace is private), so another
 * Konferenz on this machine may have workers too: the parent pid tells ours apart.
 */
export function mediasoupWorkers(parentPid: number): number[] {
  try {
    const out = execFileSync('pgrep', ['-P', String(parentPid), '-f', 'mediasoup-worker'], { encoding: 'utf8' });
    return out.split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return []; // pgrep exits 1 when nothing matches
  }
}

export const test = base.extend<{ conf: ConferenceKit }>({
  conf: async ({ browser, baseURL, mailInbox }, use, testInfo) => {
    const kit = new ConferenceKit(browser, baseURL!, mailInbox, testInfo);
    await use(kit);
    await kit.dispose();
  },
});

export { expect, screenshot };
