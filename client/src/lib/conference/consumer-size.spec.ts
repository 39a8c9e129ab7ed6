import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ConsumerSizeReporter } from './consumer-size';

describe('ConsumerSizeReporter', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  function reporter() {
    const send = vi.fn();
    const sizes = new ConsumerSizeReporter(send, 300);
    sizes.track('c1');
    return { send, sizes };
  }

  it('sends the last size once resizing settles', () => {
    const { send, sizes } = reporter();
    sizes.report('c1', 100, 50);
    vi.advanceTimersByTime(100);
    sizes.report('c1', 320.4, 179.6);
    vi.advanceTimersByTime(299);
    expect(send).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(send).toHaveBeenCalledExactlyOnceWith('c1', 320, 180);
  });

  it('does not repeat an unchanged size, but does send a change and 0 × 0 (hidden)', () => {
    const { send, sizes } = reporter();
    sizes.report('c1', 640, 360);
    vi.advanceTimersByTime(300);
    sizes.report('c1', 640, 360);
    vi.advanceTimersByTime(300);
    sizes.report('c1', 0, 0);
    vi.advanceTimersByTime(300);
    expect(send.mock.calls).toEqual([
      ['c1', 640, 360],
      ['c1', 0, 0],
    ]);
  });

  it('debounces each consumer on its own', () => {
    const { send, sizes } = reporter();
    sizes.track('c2');
    sizes.report('c1', 10, 10);
    sizes.report('c2', 20, 20);
    vi.advanceTimersByTime(300);
    expect(send).toHaveBeenCalledTimes(2);
  });

  it('drops reports for unknown or forgotten consumers, also ones already pending', () => {
    const { send, sizes } = reporter();
    sizes.report('other', 10, 10);
    sizes.report('c1', 10, 10);
    sizes.forget('c1');
    sizes.report('c1', 0, 0); // a tile's last report after its consumer closed
    vi.advanceTimersByTime(1000);
    expect(send).not.toHaveBeenCalled();
  });

  it('sends nothing after dispose', () => {
    const { send, sizes } = reporter();
    sizes.report('c1', 10, 10);
    sizes.dispose();
    vi.advanceTimersByTime(1000);
    expect(send).not.toHaveBeenCalled();
  });
});
