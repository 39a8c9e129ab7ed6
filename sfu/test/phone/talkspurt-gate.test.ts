import { describe, expect, it } from 'vitest';

import { TalkspurtGate, type TalkspurtDecision } from '../../src/phone/talkspurt-gate';

function decisions(gate: TalkspurtGate, levels: number[]): TalkspurtDecision[] {
  return levels.map((level) => gate.decide(level));
}

describe('TalkspurtGate', () => {
  it('sends speech, then 200 ms of hangover, then one frame in 20 while silent', () => {
    const gate = new TalkspurtGate();
    const out = decisions(gate, [...Array(5).fill(20), ...Array(60).fill(127)]);
    expect(out.slice(0, 15)).toEqual(Array(15).fill('send'));
    // The hangover's last frame was the 15th; the stream is kept alive 400 ms after it, and every 400 ms on.
    expect(out.map((d, i) => (d === 'keepalive' ? i : -1)).filter((i) => i >= 0)).toEqual([34, 54]);
    expect(out.filter((d) => d === 'skip')).toHaveLength(60 - 10 - 2);
  });

  it('starts sending on the first frame louder than the threshold, and starts as if speech had just ended', () => {
    const gate = new TalkspurtGate({ silenceLevel: 70 });
    const out = decisions(gate, [...Array(30).fill(75), 69, 75]);
    expect(out.slice(0, 10)).toEqual(Array(10).fill('send'));
    expect(out[10]).toBe('skip');
    expect(out.slice(30)).toEqual(['send', 'send']);
  });

  it('takes its threshold, hangover and keep-alive period as options', () => {
    const gate = new TalkspurtGate({ silenceLevel: 60, hangoverFrames: 2, keepaliveFrames: 3 });
    expect(decisions(gate, [59, 60, 60, 60, 60, 60, 60, 40])).toEqual(['send', 'send', 'send', 'skip', 'skip', 'keepalive', 'skip', 'send']);
  });
});
