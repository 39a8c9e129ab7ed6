import { describe, expect, it } from 'vitest';
import { UndrawnVideos } from './undrawn-videos';

describe('UndrawnVideos', () => {
  it('names each video once when it stops being drawn, again after it was drawn in between', () => {
    const videos = new UndrawnVideos();
    expect(
      videos.update([
        { consumerId: 'a', drawn: true },
        { consumerId: 'b', drawn: false },
      ]),
    ).toEqual(['b']);
    expect(
      videos.update([
        { consumerId: 'a', drawn: true },
        { consumerId: 'b', drawn: false },
      ]),
    ).toEqual([]);
    expect(
      videos.update([
        { consumerId: 'a', drawn: false },
        { consumerId: 'b', drawn: true },
      ]),
    ).toEqual(['a']);
    expect(
      videos.update([
        { consumerId: 'a', drawn: false },
        { consumerId: 'b', drawn: false },
      ]),
    ).toEqual(['b']);
    // A consumer that went away and comes back counts as new.
    expect(videos.update([{ consumerId: 'b', drawn: false }])).toEqual([]);
    expect(videos.update([{ consumerId: 'a', drawn: false }])).toEqual(['a']);
  });
});
