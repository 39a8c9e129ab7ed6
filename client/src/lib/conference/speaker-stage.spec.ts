import { describe, expect, it } from 'vitest';
import { type StageTile, speakerStage } from './speaker-stage';

const tile = (key: string, extra: Partial<StageTile> = {}): StageTile => ({ key, source: 'camera', isSelf: false, speaking: false, ...extra });
const self = tile('camera:me', { isSelf: true });
const anna = tile('camera:anna');
const ben = tile('camera:ben');
const none = { pinnedKey: null, previousKey: null };
const keys = (stage: { main: StageTile | null; strip: StageTile[] }) => ({ main: stage.main?.key ?? null, strip: stage.strip.map(({ key }) => key) });

describe('speakerStage', () => {
  it('shows the active speaker large and everyone else, in order, in the strip', () => {
    expect(keys(speakerStage([self, anna, { ...ben, speaking: true }], none))).toEqual({ main: 'camera:ben', strip: ['camera:me', 'camera:anna'] });
  });

  it('never puts oneself large for speaking; alone, one is shown large all the same', () => {
    expect(keys(speakerStage([{ ...self, speaking: true }, anna], none)).main).toBe('camera:anna');
    expect(keys(speakerStage([self], none))).toEqual({ main: 'camera:me', strip: [] });
  });

  it('keeps the previous large tile while nobody speaks, and falls back to the first other one', () => {
    expect(keys(speakerStage([self, anna, ben], { pinnedKey: null, previousKey: 'camera:ben' })).main).toBe('camera:ben');
    expect(keys(speakerStage([self, anna, ben], { pinnedKey: null, previousKey: 'camera:gone' })).main).toBe('camera:anna');
  });

  it('shows a shared screen large by default, over the active speaker', () => {
    const screen = tile('screen:anna', { source: 'screen' });
    expect(keys(speakerStage([screen, self, anna, { ...ben, speaking: true }], none))).toEqual({
      main: 'screen:anna',
      strip: ['camera:me', 'camera:anna', 'camera:ben'],
    });
  });

  it("does not show one's own shared screen large", () => {
    const own = tile('screen:me', { source: 'screen', isSelf: true });
    expect(keys(speakerStage([own, self, { ...anna, speaking: true }], none)).main).toBe('camera:anna');
  });

  it('shows the pinned tile large over a screen and the speaker, until it is gone', () => {
    const screen = tile('screen:anna', { source: 'screen' });
    const tiles = [screen, self, anna, { ...ben, speaking: true }];
    expect(keys(speakerStage(tiles, { pinnedKey: 'camera:anna', previousKey: null })).main).toBe('camera:anna');
    expect(keys(speakerStage(tiles, { pinnedKey: 'camera:me', previousKey: null })).main).toBe('camera:me');
    expect(keys(speakerStage([self, { ...ben, speaking: true }], { pinnedKey: 'camera:anna', previousKey: null })).main).toBe('camera:ben');
  });

  it('has nothing large without tiles', () => {
    expect(speakerStage([], none)).toEqual({ main: null, strip: [] });
  });
});
