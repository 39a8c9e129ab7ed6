import type { Page } from '@playwright/test';
import { type ConferenceTab, expect, screenshot, test } from './conference-fixtures';

/**
 * Layouts in the real browser: speaker view (one tile large, the others in a strip), remembered
 * per browser; a pin that only this browser sees; full screen on the video stage; someone else's
 * shared screen large by default. And the blank-tile defect: after a guest's reload the host's tile
 * shows the name placeholder until the new video draws, never an empty box.
 */

async function expectAdmitted(tab: ConferenceTab): Promise<void> {
  await expect(tab.page.getByTestId('conference-grid')).toBeVisible();
  await expect(tab.page.getByTestId('connection-status')).toHaveAttribute('data-state', 'connected');
}

const mainTile = (tab: ConferenceTab) => tab.page.getByTestId('speaker-main').locator('figure');
const stripTiles = (tab: ConferenceTab) => tab.page.getByTestId('speaker-strip').locator('figure');

/**
 * Samples, every 40 ms, whether `participantId`'s tile is blank: neither the name placeholder
 * shown nor a video drawing a picture. Counts live in window.__blankTile.
 */
async function watchBlankTile(page: Page, participantId: string): Promise<void> {
  await page.evaluate((id) => {
    const counts = { samples: 0, blank: 0, placeholder: 0, drawing: 0 };
    (window as unknown as { __blankTile: typeof counts }).__blankTile = counts;
    setInterval(() => {
      const tile = document.querySelector(`[data-testid="tile-${id}"]`);
      if (!tile) return;
      counts.samples++;
      const placeholder = tile.querySelector<HTMLElement>('[data-testid="name-placeholder"]');
      const placeholderShown = placeholder !== null && placeholder.getClientRects().length > 0 && getComputedStyle(placeholder).visibility !== 'hidden';
      const video = tile.querySelector('video');
      const videoDraws = video !== null && video.readyState >= 2 && video.videoWidth > 0 && getComputedStyle(video).opacity !== '0';
      if (placeholderShown) counts.placeholder++;
      if (videoDraws) counts.drawing++;
      if (!placeholderShown && !videoDraws) counts.blank++;
    }, 40);
  }, participantId);
}

async function blankTileCounts(page: Page) {
  return page.evaluate(() => (window as unknown as { __blankTile: { samples: number; blank: number; placeholder: number; drawing: number } }).__blankTile);
}

test('speaker view with a strip, remembered per browser; a pin only this browser sees; full screen on the stage', async ({ conf }, testInfo) => {
  test.setTimeout(150_000);
  const owner = await conf.roomOwner();
  const maria = await conf.join(owner.roomNumber, owner.moderatorPin, 'Maria Moderatorin');
  const anna = await conf.join(owner.roomNumber, owner.participantPin, 'Anna Gast');
  // Ben without a camera, to spare the CPU: his tile is his name.
  const ben = await conf.join(owner.roomNumber, owner.participantPin, 'Ben Gast', { cameraOff: true });
  for (const tab of [maria, anna, ben]) await expectAdmitted(tab);
  await maria.expectReceiving([anna, ben], { video: false, setupMs: 30_000 });

  // The grid by default; speaker view on a click: someone else large, everyone else in the strip.
  const stage = maria.page.getByTestId('video-stage');
  await expect(stage).toHaveAttribute('data-layout', 'grid');
  await expect(maria.page.getByTestId('layout-grid')).toHaveAttribute('aria-pressed', 'true');
  await expect(maria.page.getByTestId('layout-speaker')).toHaveText('Sprecher');
  await maria.page.getByTestId('layout-speaker').click();
  await expect(stage).toHaveAttribute('data-layout', 'speaker');
  await expect(maria.page.getByTestId('layout-speaker')).toHaveAttribute('aria-pressed', 'true');
  await expect(mainTile(maria)).toHaveCount(1);
  await expect(stripTiles(maria)).toHaveCount(2);
  await expect(mainTile(maria)).not.toHaveAttribute('data-testid', `tile-${maria.id}`);
  await expect(maria.page.getByTestId('speaker-strip').getByTestId(`tile-${maria.id}`)).toBeVisible();
  // The large tile is drawn larger than a strip tile.
  const mainBox = await mainTile(maria).boundingBox();
  const stripBox = await stripTiles(maria).first().boundingBox();
  expect(mainBox!.width).toBeGreaterThan(2 * stripBox!.width);
  // The others' view is theirs: still the grid.
  await expect(anna.page.getByTestId('video-stage')).toHaveAttribute('data-layout', 'grid');

  // Pin Ben (with the keyboard): he is large for Maria, whoever speaks. He is in the strip, or
  // already large when his microphone made him the active speaker; every tile has the button.
  const benOnStage = stage.getByTestId(`tile-${ben.id}`);
  await expect(benOnStage.getByTestId('pin-tile')).toHaveAttribute('aria-label', 'Ben Gast anheften');
  await benOnStage.getByTestId('pin-tile').focus();
  await maria.page.keyboard.press('Enter');
  await expect(mainTile(maria)).toHaveAttribute('data-testid', `tile-${ben.id}`);
  await expect(mainTile(maria)).toHaveAttribute('data-pinned', 'true');
  await expect(mainTile(maria).getByTestId('pin-tile')).toHaveAttribute('aria-pressed', 'true');
  await expect(mainTile(maria).getByTestId('name-placeholder')).toBeVisible();
  await screenshot(maria.page, testInfo, '40-speaker-view-pinned');
  // Nobody else sees Maria's pin.
  for (const tab of [anna, ben]) {
    await expect(tab.page.getByTestId('video-stage')).toHaveAttribute('data-layout', 'grid');
    await expect(tab.page.locator('[data-pinned="true"]')).toHaveCount(0);
  }
  // Unpinned, the large tile is chosen by speaking again.
  await mainTile(maria).getByTestId('pin-tile').click();
  await expect(maria.page.locator('[data-pinned="true"]')).toHaveCount(0);

  // The choice is remembered in this browser: after a reload, speaker view again.
  await maria.page.reload();
  await expectAdmitted(maria);
  await expect(maria.page.getByTestId('video-stage')).toHaveAttribute('data-layout', 'speaker');
  await expect(stripTiles(maria)).toHaveCount(2);

  // Full screen on the stage, and back.
  const fullscreenElement = () => maria.page.evaluate(() => document.fullscreenElement?.getAttribute('data-testid') ?? null);
  await maria.page.getByTestId('layout-fullscreen').click();
  await expect.poll(fullscreenElement).toBe('video-stage');
  await expect(maria.page.getByTestId('layout-fullscreen')).toHaveAttribute('aria-pressed', 'true');
  await expect(maria.page.getByTestId('layout-fullscreen')).toHaveText('Vollbild beenden');
  await maria.page.getByTestId('layout-fullscreen').click();
  await expect.poll(fullscreenElement).toBe(null);
  await expect(maria.page.getByTestId('layout-fullscreen')).toHaveAttribute('aria-pressed', 'false');

  // Back to the grid, remembered too.
  await maria.page.getByTestId('layout-grid').click();
  await maria.page.reload();
  await expectAdmitted(maria);
  await expect(maria.page.getByTestId('video-stage')).toHaveAttribute('data-layout', 'grid');
});

test('a screen someone shares is shown large by default; choosing the grid while it is there is respected', async ({ conf }) => {
  test.setTimeout(120_000);
  const owner = await conf.roomOwner();
  const maria = await conf.join(owner.roomNumber, owner.moderatorPin, 'Maria Moderatorin', { cameraOff: true });
  const anna = await conf.join(owner.roomNumber, owner.participantPin, 'Anna Gast', { cameraOff: true });
  for (const tab of [maria, anna]) await expectAdmitted(tab);

  await anna.page.getByTestId('toggle-screen').click();
  await expect(maria.page.getByTestId(`tile-screen-${anna.id}`)).toBeVisible({ timeout: 20_000 });
  await expect(maria.page.getByTestId('video-stage')).toHaveAttribute('data-layout', 'speaker');
  await expect(mainTile(maria)).toHaveAttribute('data-testid', `tile-screen-${anna.id}`);
  // The sharer does not get her own screen large.
  await expect(anna.page.getByTestId('video-stage')).toHaveAttribute('data-layout', 'grid');

  await maria.page.getByTestId('layout-grid').click();
  await expect(maria.page.getByTestId('video-stage')).toHaveAttribute('data-layout', 'grid');
  await expect(maria.page.getByTestId(`tile-screen-${anna.id}`)).toBeVisible();
});

test('after a guest reloads, the host sees the name placeholder on her tile until her new video draws, never a blank tile', async ({ conf }) => {
  test.setTimeout(120_000);
  const owner = await conf.roomOwner();
  const maria = await conf.join(owner.roomNumber, owner.moderatorPin, 'Maria Moderatorin', { cameraOff: true });
  const anna = await conf.join(owner.roomNumber, owner.participantPin, 'Anna Gast');
  for (const tab of [maria, anna]) await expectAdmitted(tab);
  await maria.expectReceiving([anna], { setupMs: 30_000 });
  await expect(maria.tile(anna.id)).toHaveAttribute('data-drawing', 'true', { timeout: 20_000 });
  await expect(maria.tile(anna.id).getByTestId('name-placeholder')).toBeHidden();

  await watchBlankTile(maria.page, anna.id);
  await anna.page.reload();
  await expect(anna.page).toHaveURL(/\/conference$/);
  await expectAdmitted(anna);
  // Her tile waits for the new video with her initials…
  await expect(maria.tile(anna.id)).toHaveAttribute('data-drawing', 'true', { timeout: 30_000 });
  await expect(maria.tile(anna.id).getByTestId('name-placeholder')).toBeHidden();
  const counts = await blankTileCounts(maria.page);
  console.log(`blank-tile watch over Anna's reload: ${JSON.stringify(counts)}`);
  expect(counts.samples).toBeGreaterThan(10);
  // …and in no sample was it an empty box.
  expect(counts.blank).toBe(0);
  expect(counts.placeholder).toBeGreaterThan(0);
});
