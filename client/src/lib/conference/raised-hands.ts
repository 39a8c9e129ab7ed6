import type { ParticipantAttributes, ParticipantAttributesPatch, ParticipantView } from '@konferenz/shared';

/**
 * "Raise hand" lives entirely in the generic participant attributes: the key is present while the
 * hand is up, its value is when it went up (milliseconds since 1970 as decimal digits, or an ISO
 * date), so every client can show the same order. The phone side sets the same key, so nothing
 * here may assume a browser.
 */
export const HAND_ATTRIBUTE = 'hand';

/** What a participant sends to raise (value: the time) or lower their own hand. */
export function handPatch(raise: boolean, now: number = Date.now()): ParticipantAttributesPatch {
  return { [HAND_ATTRIBUTE]: raise ? String(now) : null };
}

export function isHandRaised(attributes: ParticipantAttributes): boolean {
  return Object.hasOwn(attributes, HAND_ATTRIBUTE);
}

/** When the hand went up, in ms; null when the value is no time we understand (it still counts as raised). */
export function handRaisedAt(attributes: ParticipantAttributes): number | null {
  const value = attributes[HAND_ATTRIBUTE];
  if (value === undefined) return null;
  const at = /^\d+$/.test(value) ? Number(value) : Date.parse(value);
  return Number.isFinite(at) ? at : null;
}

/**
 * The participants whose hand is up, first raised first. A value that is no time goes last, and
 * equal times keep the server's order, so every client shows the same list.
 */
export function raisedHands(participants: readonly ParticipantView[]): ParticipantView[] {
  return participants
    .filter((participant) => isHandRaised(participant.attributes))
    .map((participant, index) => ({ participant, index, at: handRaisedAt(participant.attributes) ?? Infinity }))
    .sort((a, b) => a.at - b.at || a.index - b.index)
    .map(({ participant }) => participant);
}
