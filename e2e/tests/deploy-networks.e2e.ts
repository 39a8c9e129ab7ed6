import { execFileSync, type ChildProcess } from 'node:child_process';
import { randomBytes, createHmac } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { get as httpsGet, request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium as playwrightChromium, type Browser } from '@playwright/test';
import { mediasoupWorkerBin } from '@konferenz/testing/product-env';
import { canBuildHosts, VirtualNetwork, type VirtualHost } from '@konferenz/testing/virtual-hosts';
import chromium from '../chromium.json';
import { ConferenceKit, CSRF_HEADERS, expect, test, type ConferenceTab, type RoomOwner } from './conference-fixtures';
import { MailInbox } from './fixtures';
import {
  browserToneWav,
  enterRoom,
  expectHearsPhone,
  expectPhoneHearsBrowser,
  hangUpAndAttach,
  maskedName,
  note,
  PHONE_TONE_HZ,
  phoneInList,
  recordedSamples,
} from './phone-audio-checks';
import { Softphone } from './softphone';
import { makeTestCertificates, type TestCertificates } from './test-certificates';
import { TurnProbe } from './turn-probe';

/**
 * The product deployed as docs/deployment.md says, across hosts of their own (network namespaces
 * inside the suites' private namespace, testing/src/virtual-hosts.ts), on TEST-NET-3
 * (203.0.113.0/24: addresses that stand for the internet; the relay reaches only the server among them):
 * - the server host: `node server/dist/main.js` in production mode behind nginx with
 *   deploy/nginx/konferenz.conf.template (https on 443, a certificate from a CA this test makes),
 *   and a firewall that lets in only the ports the deployment publishes (80, 443, the media port,
 *   SIP, the callers' RTP range);
 * - the TURN host: coturn (Debian) with deploy/coturn/turnserver.conf, TURN over TLS on 443;
 * - browser hosts (Debian Chromium, trusting the test CA by its key): one in the open, one behind
 *   a router doing NAT (nftables masquerade), one whose firewall drops all UDP and lets TCP go to
 *   the server only, one whose firewall lets out only https to the server and TCP/443 to the TURN
 *   host;
 * - a softphone (baresip) behind another NAT router, dialling the published SIP port.
 * Each browser joins a conference with the open one; audio and video flow both ways, and the
 * candidate pair each used (from getStats) is checked and reported with the join time.
 */
const REPO_ROOT = resolve(__dirname, '..', '..');
const NET = '203.0.113';
const SERVER_ADDRESS = `${NET}.1`;
const TURN_ADDRESS = `${NET}.3`;
const PUBLIC_URL = `https://${SERVER_ADDRESS}`;
/** The ports the deployment publishes (docker-compose.yml, docs/deployment.md). */
const PORTS = { rtc: 40000, sip: 5060, sipRtp: '40200-40399', turn: 3478, turnTls: 443 };
/** Only for the test itself (the mail catcher), reached from the test's own address on the bridge. */
const MAIL = { smtp: 1025, web: 1080 };
const TURN_SECRET = randomBytes(24).toString('hex');
const SECRETS = { SESSION_SECRET: randomBytes(32).toString('base64'), PIN_ENCRYPTION_KEY: randomBytes(32).toString('base64') };

interface CandidateView {
  type: string;
  protocol: string;
  relayProtocol?: string;
  address: string;
}
interface PairView {
  local: CandidateView;
  remote: CandidateView;
}

let folder = '';
let certificates: TestCertificates;
let network: VirtualNetwork;
let serverHost: VirtualHost;
let turnHost: VirtualHost;
const children: ChildProcess[] = [];
const logs: Record<string, string[]> = {};
const browsers = new Map<string, Browser>();
let openBrowserHost: VirtualHost;
let moderatorKit: ConferenceKit | undefined;
let owner: RoomOwner | undefined;
let moderator: ConferenceTab | undefined;

test.skip(!canBuildHosts(), 'needs root inside the private network namespace npm test runs the suites in');

test.beforeAll(async () => {
  test.setTimeout(150_000);
  folder = mkdtempSync(join(tmpdir(), 'konferenz-deploy-'));
  certificates = makeTestCertificates(folder, [SERVER_ADDRESS, TURN_ADDRESS]);
  network = VirtualNetwork.create(NET);
  serverHost = await network.addHost('server', 1);
  turnHost = await network.addHost('turn', 3);
  openBrowserHost = await network.addHost('browser-open', 20);
  // IPv6 on the TURN host as well, so the relay's refusal of ::1 is tested on an IPv6 allocation.
  execFileSync('ip', ['-6', 'addr', 'add', '2001:db8:99::fe/64', 'dev', 'kzhosts', 'nodad']);
  turnHost.run('ip', ['-6', 'addr', 'add', '2001:db8:99::3/64', 'dev', 'eth0', 'nodad']);
  // A second, internal address on the server (as a container network gives one): the media binds
  // every address (RTC_LISTEN_IP 0.0.0.0) and must still offer browsers the announced one only.
  serverHost.run('sh', [
    '-c',
    'ip link add internal0 type veth peer name internal1 && ip addr add 172.17.0.2/16 dev internal0 && ip link set internal1 up && ip link set internal0 up',
  ]);
  serverHost.firewall(serverFirewall(network.gateway));
  startMailCatcher();
  startServer();
  startNginx();
  startTurn();
  await expect
    .poll(async () => httpsStatus(`${PUBLIC_URL}/readyz`), { message: `ready behind nginx:\n${Object.values(logs).flat().join('')}`, timeout: 90_000 })
    .toBe(200);
});

test.afterAll(async () => {
  await moderatorKit?.dispose();
  for (const browser of browsers.values()) await browser.close().catch(() => undefined);
  await Promise.all(children.map(stop));
  network?.close();
  if (folder) rmSync(folder, { recursive: true, force: true });
});

/** In production mode, as the deployment runs it: only loopback for HTTP (nginx is the front door), media, SIP and RTP on every address, told as the public one. */
function startServer(): void {
  spawnOn(serverHost, 'server', process.execPath, [join(REPO_ROOT, 'server/dist/main.js')], {
    ...SECRETS,
    NODE_ENV: 'production',
    HOST: '127.0.0.1',
    PORT: '3000',
    PUBLIC_URL,
    TRUST_PROXY: 'loopback',
    DATA_DIR: join(folder, 'data'),
    SMTP_URL: `smtp://${SERVER_ADDRESS}:${MAIL.smtp}`,
    MEDIA_WORKERS: '1',
    RTC_LISTEN_IP: '0.0.0.0',
    RTC_ANNOUNCED_IP: SERVER_ADDRESS,
    RTC_PORT: String(PORTS.rtc),
    TURN_URLS: [
      `turn:${TURN_ADDRESS}:${PORTS.turn}?transport=udp`,
      `turn:${TURN_ADDRESS}:${PORTS.turn}?transport=tcp`,
      `turns:${TURN_ADDRESS}:${PORTS.turnTls}?transport=tcp`,
    ].join(','),
    TURN_SECRET,
    SIP_PORT: String(PORTS.sip),
    SIP_HOST: '0.0.0.0',
    SIP_PUBLIC_HOST: SERVER_ADDRESS,
    SIP_RTP_HOST: '0.0.0.0',
    SIP_RTP_PORTS: PORTS.sipRtp,
    REGISTRATIONS_PER_IP_PER_HOUR: '100',
    MEDIASOUP_WORKER_BIN: mediasoupWorkerBin(REPO_ROOT),
    LOG_LEVEL: 'warn',
  });
}

/** Debian's nginx with the deployment's own site file, rendered as the nginx image renders its templates (only the named variables). */
function startNginx(): void {
  const dir = join(folder, 'nginx');
  mkdirSync(join(dir, 'acme'), { recursive: true });
  const values: Record<string, string> = {
    KONFERENZ_SERVER_NAME: SERVER_ADDRESS,
    KONFERENZ_UPSTREAM: '127.0.0.1:3000',
    KONFERENZ_TLS_CERT: certificates.chainFile,
    KONFERENZ_TLS_KEY: certificates.keyFile,
    KONFERENZ_ACME_ROOT: join(dir, 'acme'),
  };
  const site = readFileSync(join(REPO_ROOT, 'deploy/nginx/konferenz.conf.template'), 'utf8').replace(
    /\$\{(KONFERENZ_[A-Z_]+)\}/g,
    (_, name: string) => values[name]!,
  );
  writeFileSync(join(dir, 'konferenz.conf'), site);
  writeFileSync(
    join(dir, 'nginx.conf'),
    [
      'daemon off;',
      // The test's temporary folders belong to root; Debian's default www-data could not write nginx's buffers there.
      'user root root;',
      'worker_processes 1;',
      `pid ${join(dir, 'nginx.pid')};`,
      'error_log stderr warn;',
      'events { worker_connections 512; }',
      'http {',
      '  access_log off;',
      ...['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((temp) => `  ${temp}_temp_path ${join(dir, temp)};`),
      `  include ${join(dir, 'konferenz.conf')};`,
      '}',
    ].join('\n'),
  );
  spawnOn(serverHost, 'nginx', '/usr/sbin/nginx', ['-c', join(dir, 'nginx.conf'), '-e', 'stderr']);
}

/** coturn with the deployment's config; what differs per site on the command line, as in docker-compose.yml. */
function startTurn(): void {
  spawnOn(turnHost, 'coturn', '/usr/bin/turnserver', [
    '-c',
    join(REPO_ROOT, 'deploy/coturn/turnserver.conf'),
    `--static-auth-secret=${TURN_SECRET}`,
    // The one peer the relay may reach, as docker-compose.yml passes PUBLIC_IP.
    `--allowed-peer-ip=${SERVER_ADDRESS}`,
    '--realm=konferenz',
    `--listening-ip=${TURN_ADDRESS}`,
    '--listening-ip=2001:db8:99::3',
    `--relay-ip=${TURN_ADDRESS}`,
    '--relay-ip=2001:db8:99::3',
    `--listening-port=${PORTS.turn}`,
    `--tls-listening-port=${PORTS.turnTls}`,
    `--cert=${certificates.chainFile}`,
    `--pkey=${certificates.keyFile}`,
    '--no-dtls',
    '--log-file=stdout',
    `--pidfile=${join(folder, 'turnserver.pid')}`,
  ]);
}

function startMailCatcher(): void {
  spawnOn(serverHost, 'maildev', process.execPath, [
    join(REPO_ROOT, 'node_modules/maildev/dist/bin/maildev.js'),
    ...['--smtp', String(MAIL.smtp), '--web', String(MAIL.web), '--ip', SERVER_ADDRESS, '--web-ip', SERVER_ADDRESS],
    ...['--mail-directory', join(folder, 'mail')],
  ]);
}

/** The server host lets in what the deployment publishes and nothing else (besides the test's own address, which reads the mail catcher). */
function serverFirewall(admin: string): string {
  return firewallDroppingAllBut('input', [
    'tcp dport { 80, 443 } accept',
    `meta l4proto { tcp, udp } th dport { ${PORTS.rtc}, ${PORTS.sip} } accept`,
    `udp dport ${PORTS.sipRtp} accept`,
    `ip saddr ${admin} accept`,
  ]);
}

/**
 * An nftables ruleset that drops every packet of `chain` (what comes in, or what goes out) except
 * what `rules` accept, loopback, and the packets of connections already let through.
 */
function firewallDroppingAllBut(chain: 'input' | 'output', rules: string[]): string {
  const loopback = chain === 'input' ? 'iifname "lo" accept' : 'oifname "lo" accept';
  return [
    'table inet filter {',
    `  chain ${chain} {`,
    `    type filter hook ${chain} priority filter; policy drop;`,
    `    ${loopback}`,
    '    ct state established,related accept',
    ...rules.map((rule) => `    ${rule}`),
    '  }',
    '}',
  ].join('\n');
}

function spawnOn(host: VirtualHost, name: string, command: string, args: string[], env: Record<string, string> = {}): void {
  const child = host.spawn(command, args, { cwd: REPO_ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const log = (logs[name] = [] as string[]);
  child.stdout!.on('data', (chunk: Buffer) => log.push(`[${name}] ${chunk.toString()}`));
  child.stderr!.on('data', (chunk: Buffer) => log.push(`[${name}] ${chunk.toString()}`));
  children.push(child);
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((done) => child.once('exit', done));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
  await exited;
  clearTimeout(timer);
}

/** An https GET from the test that trusts only the test CA: the status, or undefined while nothing answers. */
function httpsStatus(url: string): Promise<number | undefined> {
  return new Promise((done) => {
    const request = httpsGet(url, { ca: readFileSync(certificates.caFile) }, (response) => {
      response.resume();
      done(response.statusCode);
    });
    request.on('error', () => done(undefined));
    request.setTimeout(5_000, () => request.destroy());
  });
}

/** POST /api/conference/join from the test's own address through nginx: the status and error code. */
function joinFromTest(
  body: { roomNumber: string; pin: string; displayName: string },
  headers: Record<string, string> = {},
): Promise<{ status: number; code?: string }> {
  const payload = JSON.stringify(body);
  return new Promise((done, fail) => {
    const request = httpsRequest(
      `${PUBLIC_URL}/api/conference/join`,
      {
        method: 'POST',
        ca: readFileSync(certificates.caFile),
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload), ...CSRF_HEADERS, ...headers },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => done({ status: response.statusCode ?? 0, code: (JSON.parse(Buffer.concat(chunks).toString()) as { code?: string }).code }));
      },
    );
    request.on('error', fail);
    request.end(payload);
  });
}

/** Debian's Chromium on `host`, trusting the test CA by its key (no certificate store of its own), its microphone the browsers' tone. */
async function browserOn(host: VirtualHost): Promise<Browser> {
  const known = browsers.get(host.name);
  if (known) return known;
  const browser = await playwrightChromium.launch({
    executablePath: host.launcher(chromium.executablePath, network.folder),
    args: [...chromium.args, `--ignore-certificate-errors-spki-list=${certificates.caSpki}`, `--use-file-for-fake-audio-capture=${browserToneWav()}`],
  });
  browsers.set(host.name, browser);
  return browser;
}

function kitOn(browser: Browser): ConferenceKit {
  return new ConferenceKit(browser, PUBLIC_URL, new MailInbox(`http://${SERVER_ADDRESS}:${MAIL.web}`), test.info(), { ignoreHTTPSErrors: true });
}

/** The moderator in the open, joined once and kept for every case (each case's guest joins this conference). */
async function conference(): Promise<{ owner: RoomOwner; moderator: ConferenceTab }> {
  if (!owner || !moderator) {
    moderatorKit = kitOn(await browserOn(openBrowserHost));
    owner = await moderatorKit.roomOwner();
    moderator = await moderatorKit.join(owner.roomNumber, owner.moderatorPin, 'Moderatorin');
    await expect(moderator.tile()).toBeVisible({ timeout: 30_000 });
  }
  return { owner, moderator };
}

/** The candidate pair each of the page's connected transports uses, and every candidate the server offered it. */
async function candidatePairs(tab: ConferenceTab): Promise<{ pairs: PairView[]; remoteAddresses: string[] }> {
  return tab.page.evaluate(async () => {
    type Entry = Record<string, unknown> & { id: string; type: string };
    const state = (window as unknown as { __e2ePeerConnections?: { seen: Set<RTCPeerConnection> } }).__e2ePeerConnections;
    const pairs: PairView[] = [];
    const remoteAddresses = new Set<string>();
    const view = (entry: Entry | undefined): CandidateView => ({
      type: String(entry?.candidateType),
      protocol: String(entry?.protocol),
      relayProtocol: entry?.relayProtocol as string | undefined,
      address: String(entry?.address),
    });
    for (const pc of state?.seen ?? []) {
      if (pc.connectionState !== 'connected') continue;
      const byId = new Map<string, Entry>();
      (await pc.getStats()).forEach((entry: Entry) => byId.set(entry.id, entry));
      for (const entry of byId.values()) {
        if (entry.type === 'remote-candidate') remoteAddresses.add(String(entry.address));
        if (entry.type !== 'transport' || !entry.selectedCandidatePairId) continue;
        const pair = byId.get(String(entry.selectedCandidatePairId));
        pairs.push({ local: view(byId.get(String(pair?.localCandidateId))), remote: view(byId.get(String(pair?.remoteCandidateId))) });
      }
    }
    return { pairs, remoteAddresses: [...remoteAddresses] };
  });
}

function describePair(pair: PairView): string {
  const local = `${pair.local.type}/${pair.local.protocol}${pair.local.relayProtocol ? ` (relay over ${pair.local.relayProtocol})` : ''} ${pair.local.address}`;
  return `${local} → ${pair.remote.type}/${pair.remote.protocol} ${pair.remote.address}`;
}

/**
 * A guest on `host` joins the moderator's conference over https: time from opening the join page
 * to the first audio and video from the moderator, media both ways, and the candidate pairs.
 */
async function joinFrom(host: VirtualHost, name: string): Promise<{ pairs: PairView[]; joinMs: number }> {
  const { owner, moderator } = await conference();
  const kit = kitOn(await browserOn(host));
  try {
    const started = Date.now();
    const guest = await kit.join(owner.roomNumber, owner.participantPin, name);
    await expect
      .poll(
        async () => {
          const inbound = (await guest.inboundByParticipant())[moderator.id];
          return (inbound?.audio ?? 0) > 0 && (inbound?.video ?? 0) > 0;
        },
        { message: `${name} receives the moderator's audio and video`, timeout: 45_000, intervals: [100] },
      )
      .toBe(true);
    const joinMs = Date.now() - started;
    await guest.expectReceiving([moderator], { setupMs: 30_000, growWithinMs: 10_000 });
    await moderator.expectReceiving([guest], { setupMs: 30_000, growWithinMs: 10_000 });
    const { pairs, remoteAddresses } = await candidatePairs(guest);
    expect(pairs.length, 'a selected candidate pair for each transport (send and receive)').toBeGreaterThanOrEqual(2);
    // The server offers its announced address only (RTC_ANNOUNCED_IP), never what it binds (0.0.0.0) or a host-internal one.
    expect(remoteAddresses).toEqual([SERVER_ADDRESS]);
    note(`${name}: candidate pairs`, [...new Set(pairs.map(describePair))].join('; '));
    note(`${name}: join time`, `${joinMs} ms from opening the join page to the moderator's first audio and video`);
    // The guest leaves, so the next case's guest joins a conference of two again.
    await guest.page.getByTestId('leave').click();
    await expect(moderator.tile(guest.id)).toBeHidden({ timeout: 15_000 });
    return { pairs, joinMs };
  } finally {
    await kit.dispose();
  }
}

test('https through nginx: HSTS, secure session cookie, the WebSocket upgrade, plain http redirected; only the published ports answer', async () => {
  const page = await (await browserOn(openBrowserHost)).newPage();
  try {
    const response = await page.goto(`${PUBLIC_URL}/`);
    expect(response?.status()).toBe(200);
    expect(response?.headers()['strict-transport-security']).toMatch(/max-age=\d+/);
    expect(await page.evaluate(() => window.isSecureContext)).toBe(true);
    // Socket.IO's WebSocket through nginx's upgrade: Engine.IO's open packet ("0{…}") arrives.
    const opened = await page.evaluate(
      (url) =>
        new Promise<string>((resolve, reject) => {
          const socket = new WebSocket(url);
          socket.onmessage = (event) => {
            resolve(String(event.data));
            socket.close();
          };
          socket.onerror = () => reject(new Error('the WebSocket failed'));
        }),
      `wss://${SERVER_ADDRESS}/socket.io/?EIO=4&transport=websocket`,
    );
    expect(opened).toMatch(/^0\{"sid":/);
    const redirected = await page.request.get(`http://${SERVER_ADDRESS}/join`, { maxRedirects: 0 });
    expect(redirected.status()).toBe(301);
    expect(redirected.headers()['location']).toBe(`${PUBLIC_URL}/join`);
  } finally {
    await page.close();
  }
  const kit = kitOn(await browserOn(openBrowserHost));
  try {
    const customer = await kit.roomOwner();
    const cookie = (await customer.api.storageState()).cookies.find((entry) => entry.httpOnly);
    expect(cookie, 'the session cookie').toBeDefined();
    expect(cookie!.secure).toBe(true);
  } finally {
    await kit.dispose();
  }
  // From another host only the published ports answer: 443 does, the Node server's own port (loopback only) and the database's do not.
  const elsewhere = await network.addHost('probe', 40);
  const connects = (port: number) => {
    try {
      elsewhere.run('timeout', ['3', 'bash', '-c', `exec 3<>/dev/tcp/${SERVER_ADDRESS}/${port}`]);
      return true;
    } catch {
      return false;
    }
  };
  expect(connects(443)).toBe(true);
  expect(connects(3000)).toBe(false);
  expect(connects(27018)).toBe(false);
});

test("behind nginx the per-source PIN limit counts each client's own address, and a forged X-Forwarded-For changes nothing", async () => {
  const kit = kitOn(await browserOn(openBrowserHost));
  try {
    const room = await kit.roomOwner();
    const attempt = (pin: string) => ({ roomNumber: room.roomNumber, pin, displayName: 'Quelle' });
    // Five wrong PINs from the test's address (203.0.113.254) lock that source out …
    for (let failure = 1; failure <= 5; failure++) expect((await joinFromTest(attempt(room.wrongPin))).code, `failure ${failure}`).toBe('INVALID_ROOM_OR_PIN');
    expect(await joinFromTest(attempt(room.participantPin))).toEqual({ status: 429, code: 'TOO_MANY_REQUESTS' });
    // … claiming to be someone else does not get it out (nginx writes X-Forwarded-For itself) …
    expect(await joinFromTest(attempt(room.participantPin), { 'X-Forwarded-For': `${NET}.99` })).toEqual({ status: 429, code: 'TOO_MANY_REQUESTS' });
    // … and a browser on another host, behind the same proxy, is not locked out with it.
    const { page } = await kit.newTab();
    await page.goto('/');
    const fromBrowser = await page.evaluate(
      async ({ body, headers }) =>
        (await fetch('/api/conference/join', { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) }))
          .status,
      { body: attempt(room.participantPin), headers: CSRF_HEADERS },
    );
    expect(fromBrowser).toBe(200);
  } finally {
    await kit.dispose();
  }
});

test('a browser in the open: direct UDP to the media port', async () => {
  const { pairs } = await joinFrom(openBrowserHost, 'Gast offen');
  for (const pair of pairs) expect(pair.local.protocol).toBe('udp');
  for (const pair of pairs) expect(pair.local.type).not.toBe('relay');
});

test("a browser behind NAT (nftables masquerade): UDP from the router's address", async () => {
  const { host } = await network.addRouter('router-nat', 30, '192.168.77', 'browser-nat');
  const { pairs } = await joinFrom(host, 'Gast hinter NAT');
  for (const pair of pairs) {
    expect(pair.local.protocol).toBe('udp');
    expect(['host', 'srflx', 'prflx']).toContain(pair.local.type);
  }
});

test('a browser whose firewall drops all UDP: ICE over TCP to the media port', async () => {
  const host = await network.addHost('browser-no-udp', 21);
  host.firewall(firewallDroppingAllBut('output', [`ip daddr ${SERVER_ADDRESS} meta l4proto tcp accept`]));
  const { pairs } = await joinFrom(host, 'Gast ohne UDP');
  for (const pair of pairs) {
    expect(pair.local.protocol).toBe('tcp');
    expect(pair.remote.protocol).toBe('tcp');
    expect(pair.local.type).not.toBe('relay');
  }
});

test('a browser that may only reach TCP/443 (the site and the TURN host): media relayed over TURN/TLS', async () => {
  const host = await network.addHost('browser-443', 22);
  host.firewall(firewallDroppingAllBut('output', [`ip daddr { ${SERVER_ADDRESS}, ${TURN_ADDRESS} } tcp dport 443 accept`]));
  const { pairs } = await joinFrom(host, 'Gast nur 443');
  for (const pair of pairs) {
    expect(pair.local.type).toBe('relay');
    expect(pair.local.relayProtocol).toBe('tls');
    expect(pair.local.address).toBe(TURN_ADDRESS);
  }
});

test('the TURN relay: expired and forged credentials get 401; every peer but the media server gets 403 (private, loopback, link-local and public ones); a TCP relay gets 442', async () => {
  const credential = (username: string) => createHmac('sha1', TURN_SECRET).update(username).digest('base64');
  const now = Math.floor(Date.now() / 1000);
  const probes: TurnProbe[] = [];
  const open = async (address: string, transport: 'udp' | 'tcp' = 'udp') => {
    const probe = await TurnProbe.open(address, PORTS.turn, transport);
    probes.push(probe);
    return probe;
  };
  try {
    const valid = `${now + 600}:probe`;
    const expired = `${now - 60}:probe`;
    expect((await (await open(TURN_ADDRESS)).allocate(expired, credential(expired))).status, 'an expired credential').toBe(401);
    expect((await (await open(TURN_ADDRESS)).allocate(valid, credential(`${now + 600}:other`))).status, 'a forged credential').toBe(401);
    expect((await (await open(TURN_ADDRESS)).allocate(valid, randomBytes(20).toString('base64'))).status, 'a guessed password').toBe(401);

    const v4 = await open(TURN_ADDRESS);
    const allocation = await v4.allocate(valid, credential(valid));
    expect(allocation.status).toBe(200);
    expect(allocation.relayed?.[0], 'the relay address is the announced one').toBe(TURN_ADDRESS);
    const refused: Record<string, number> = {};
    for (const peer of [
      '127.0.0.1',
      '127.1.2.3',
      '0.0.0.0',
      '0.1.2.3',
      '10.0.0.1',
      '10.255.255.254',
      '172.16.0.1',
      '172.31.255.254',
      '192.168.0.1',
      '192.168.77.10',
      '169.254.169.254',
      // Public, but not the media server: another host on the internet side, and one outside it.
      openBrowserHost.address,
      '198.51.100.7',
    ]) {
      refused[peer] = await v4.permit(peer);
    }
    expect(refused).toEqual(Object.fromEntries(Object.keys(refused).map((peer) => [peer, 403])));
    // The media server itself is on the internet side: that is what the relay is for.
    expect(await v4.permit(SERVER_ADDRESS)).toBe(200);

    const v6 = await open('2001:db8:99::3');
    const allocation6 = await v6.allocate(valid, credential(valid));
    expect(allocation6.status).toBe(200);
    expect(await v6.permit('::1'), 'IPv6 loopback').toBe(403);
    expect(await v6.permit('fe80::1'), 'IPv6 link-local').toBe(403);
    expect(await v6.permit('2001:db8:99::fe'), 'a public IPv6 address that is not the media server').toBe(403);

    // RFC 6062: a TCP relay is asked for over a TCP connection to the server, which carries a UDP
    // allocation as usual (browsers' TURN over TCP); the TCP one is refused (442, unsupported transport).
    expect((await (await open(TURN_ADDRESS, 'tcp')).allocate(valid, credential(valid), 'tcp')).status, 'a TCP relay').toBe(442);
    expect((await (await open(TURN_ADDRESS, 'tcp')).allocate(valid, credential(valid), 'udp')).status, 'a UDP relay over TCP').toBe(200);
    note(
      'TURN refusals',
      `401 for expired, forged and guessed credentials; 403 for ${[...Object.keys(refused), '::1', 'fe80::1', '2001:db8:99::fe'].join(', ')}; 442 for a TCP relay`,
    );
  } finally {
    for (const probe of probes) probe.close();
  }
});

test('a softphone behind NAT dials the published SIP port and hears the conference', async () => {
  const { owner, moderator } = await conference();
  const { host } = await network.addRouter('router-phone', 31, '192.168.78', 'phone');
  const number = '+4930555000301';
  const phone = await Softphone.dial(`sip:konferenz@${SERVER_ADDRESS}:${PORTS.sip}`, {
    dir: test.info().outputPath('baresip-behind-nat'),
    user: number,
    toneHz: PHONE_TONE_HZ,
    host: { address: host.address, spawn: (command, args, options) => host.spawn(command, args, options) },
  });
  try {
    const dialled = Date.now();
    await enterRoom(phone, owner.roomNumber, owner.participantPin);
    const phoneId = await phoneInList(moderator, maskedName(number));
    await expectPhoneHearsBrowser(phone, recordedSamples(phone));
    await expectHearsPhone(moderator, phoneId);
    note('phone behind NAT', `${Date.now() - dialled} ms from the dial to hearing the conference and being heard (room number and PIN keyed in between)`);
  } finally {
    await hangUpAndAttach(phone, 'behind-nat');
  }
});
