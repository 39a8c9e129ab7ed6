import type { Attachment } from 'svelte/attachments';

/**
 * Plays a track in a <video> or <audio> element. `onBlocked`: the browser refused to start
 * playback (autoplay policy without a user gesture, e.g. after a reload).
 */
export function playTrack(track: MediaStreamTrack | null, onBlocked?: () => void): Attachment<HTMLMediaElement> {
  return (element) => {
    if (!track) return;
    element.srcObject = new MediaStream([track]);
    element.play().catch((error: unknown) => {
      if ((error as { name?: string }).name === 'NotAllowedError') onBlocked?.();
    });
    return () => {
      element.srcObject = null;
    };
  };
}

/**
 * Reports the size at which an element is drawn, in device pixels (capped at 2× for very dense
 * screens), whenever it changes; 0 × 0 while it is scrolled out of view, the tab is hidden, or
 * after it is removed.
 */
export function observeRenderedSize(report: (width: number, height: number) => void): Attachment<HTMLElement> {
  return (element) => {
    let width = 0;
    let height = 0;
    let inView = true;
    const send = () => {
      const scale = Math.min(window.devicePixelRatio || 1, 2);
      if (inView && !document.hidden) report(width * scale, height * scale);
      else report(0, 0);
    };
    const resizes = new ResizeObserver(([entry]) => {
      ({ width, height } = entry.contentRect);
      send();
    });
    const visibility = new IntersectionObserver(([entry]) => {
      inView = entry.isIntersecting;
      send();
    });
    resizes.observe(element);
    visibility.observe(element);
    document.addEventListener('visibilitychange', send);
    return () => {
      resizes.disconnect();
      visibility.disconnect();
      document.removeEventListener('visibilitychange', send);
      report(0, 0);
    };
  };
}
