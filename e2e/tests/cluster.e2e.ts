import { TestRedis } from '@konferenz/testing/redis-server';
import { expect, test, type ConferenceKit, type ConferenceTab } from './conference-fixtures';
import { ProductNodes, type ProductNode } from './product-node';

/**
 * Two more server nodes beside the product under test, on a real redis-server, sharing its
 * database, mail catcher and secrets (as several nodes must). A browser that opens the join page
 * on the node that does not run the conference is sent to the one that does; a rolling restart of
 * that node moves the conference to the other one, and both browsers come back by themselves,
 * without a PIN, with media both ways.
 */
const LEASE_SECONDS = 3;

let redis: TestRedis;
const nodes = new ProductNodes();

test.beforeAll(async () => {
  redis = await TestRedis.start();
});
test.afterEach(async () => {
  await nodes.stopAll();
});
test.afterAll(async () => {
  await redis?.stop();
  nodes.removeDataDirs();
});

function startNode(name: string, port: number, rtcPort: number): Promise<ProductNode> {
  const url = `http://127.0.0.1:${port}`;
  return nodes.start(name, port, rtcPort, {
    REDIS_URL: redis.url,
    NODE_ID: name,
    NODE_PUBLIC_URL: url,
    NODE_ORIGINS: 'http://127.0.0.1:*',
    ROOM_LEASE_SECONDS: String(LEASE_SECONDS),
  });
}

function stopNode(node: ProductNode): Promise<void> {
  return nodes.stop(node);
}

/** Two nodes and a conference on node A: the moderator's page comes from A, the guest's from B, which sends its socket to A. */
async function conferenceOnNodeA(conf: ConferenceKit) {
  const [a, b] = [await startNode('node-a', 3311, 40311), await startNode('node-b', 3312, 40312)];
  const owner = await conf.roomOwner();
  // A fresh Redis holds the first claim back for one lease: the page keeps trying.
  const moderator = await conf.join(owner.roomNumber, owner.moderatorPin, 'Moderatorin', { origin: a.url });
  await expect(moderator.tile()).toBeVisible({ timeout: 20_000 });
  const guest = await conf.join(owner.roomNumber, owner.participantPin, 'Gast', { origin: b.url });
  await expect(moderator.tile(guest.id)).toBeVisible();
  await expect(guest.tile(moderator.id)).toBeVisible();
  return { a, b, owner, moderator, guest };
}

/** The guest's page shows the conference again without the moderator (a fresh state from the node that took it over), connected. */
async function expectAloneInside(guest: ConferenceTab, moderator: ConferenceTab, timeout: number): Promise<void> {
  await expect(guest.tile(moderator.id)).toBeHidden({ timeout });
  await expect(guest.tile()).toBeVisible();
  await expect(guest.page.getByTestId('waiting-room')).toBeHidden();
  await expect(guest.page.getByTestId('connection-status')).toHaveAttribute('data-state', 'connected');
}

test('a browser on the other node is sent to the one that runs the conference; a rolling restart moves it, and both come back with media', async ({ conf }) => {
  test.setTimeout(180_000);
  const { a, moderator, guest } = await conferenceOnNodeA(conf);
  await moderator.expectReceiving([guest]);
  await guest.expectReceiving([moderator]);

  // Rolling restart of node A: it stops — its rooms are freed at once and its browsers told to
  // move — then starts again. The guest, whose page came from B, is on B at once, still inside
  // (the room's policy keeps those inside when the moderator is away); the moderator, whose page
  // came from A, waits for A.
  const stopping = Date.now();
  const stopped = stopNode(a);
  await expectAloneInside(guest, moderator, 15_000);
  test.info().annotations.push({ type: 'hand-over on stop', description: `${Date.now() - stopping} ms from SIGTERM to the guest seated on node B` });
  await stopped;
  await expect(moderator.page.getByTestId('connection-status')).toHaveAttribute('data-state', 'reconnecting');
  const restarted = await startNode('node-a', 3311, 40311);
  expect(restarted.url).toBe(a.url);

  // The moderator's page reconnected to A and was sent to B, which runs the conference now; the
  // guest is let in. Same participants, no PIN, media both ways again.
  await expect(moderator.tile(guest.id)).toBeVisible({ timeout: 30_000 });
  await expect(guest.tile(moderator.id)).toBeVisible({ timeout: 30_000 });
  await moderator.expectReceiving([guest], { setupMs: 30_000 });
  await guest.expectReceiving([moderator], { setupMs: 30_000 });
});

test('a node that dies: once its lease has run out the guest is back on the other node by itself, still inside; the moderator joins there and media flow', async ({
  conf,
}) => {
  test.setTimeout(180_000);
  const { a, b, owner, moderator, guest } = await conferenceOnNodeA(conf);

  // Node A dies (SIGKILL: no goodbye, its lease stays in Redis until it runs out).
  const died = Date.now();
  a.process.kill('SIGKILL');
  await expect(guest.page.getByTestId('connection-status')).toHaveAttribute('data-state', 'reconnecting');
  // Node B reopens the conference after the lease: the guest is back without a PIN, still inside.
  await expectAloneInside(guest, moderator, LEASE_SECONDS * 1000 + 15_000);
  test.info().annotations.push({ type: 'back after node death', description: `${Date.now() - died} ms (lease ${LEASE_SECONDS} s)` });

  const moderatorAgain = await conf.join(owner.roomNumber, owner.moderatorPin, 'Moderatorin', { origin: b.url });
  await expect(guest.tile(moderatorAgain.id)).toBeVisible();
  await guest.expectReceiving([moderatorAgain]);
  await moderatorAgain.expectReceiving([guest]);
});
