import type { RtpSession } from '@konferenz/sfu';

/**
 * Ends a call whose caller has gone quiet on the network: no RTP (of any payload type: audio,
 * telephone-event, comfort noise) and no RTCP for `timeoutMs`, while the caller is expected to
 * send. A caller on hold (a=sendonly/inactive) or one that only listens is left alone; the
 * timeout starts afresh when it resumes. Returns the function that stops watching.
 */
export function watchCallerMedia(rtp: RtpSession, timeoutMs: number, onSilent: () => void): () => void {
  const timer = setInterval(
    () => {
      if (!rtp.callerSends || rtp.silentForMs <= timeoutMs) return;
      clearInterval(timer);
      onSilent();
    },
    Math.max(50, Math.min(1000, timeoutMs / 4)),
  );
  timer.unref();
  return () => clearInterval(timer);
}
