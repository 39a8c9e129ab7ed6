import type { ParticipantView } from '@konferenz/shared';
import { describe, expect, it } from 'vitest';
import { buildTiles, type TileInputs } from './conference-tiles';
import type { RemoteMedia } from './remote-media';
import { participantView } from './testing/participant-view';

const track = (id: string) => ({ id, kind: 'video' }) as MediaStreamTrack;

function participant(id: string, overrides: Partial<ParticipantView> = {}): ParticipantView {
  return participantView(id, { displayName: id.toUpperCase(), ...overrides });
}

function video(participantId: string, source: 'camera' | 'screen', overrides: Partial<RemoteMedia> = {}): RemoteMedia {
  return {
    consumerId: `${participantId}-${source}`,
    participantId,
    kind: 'video',
    source,
    track: track(`${participantId}-${source}`),
    paused: false,
    ...overrides,
  };
}

function inputs(overrides: Partial<TileInputs> = {}): TileInputs {
  return {
    participants: [participant('me', { role: 'moderator' }), participant('anna'), participant('ben', { microphone: 'muted' })],
    selfId: 'me',
    remote: [],
    localCamera: null,
    localScreen: null,
    selfMuted: false,
    activeSpeakerId: null,
    recentSpeakers: [],
    videoLastN: 12,
    ...overrides,
  };
}

describe('buildTiles', () => {
  it('makes one camera tile per participant, in the server’s order, self included', () => {
    const tiles = buildTiles(inputs());
    expect(tiles.map((tile) => tile.key)).toEqual(['camera:me', 'camera:anna', 'camera:ben']);
    expect(tiles[0]).toMatchObject({ isSelf: true, role: 'moderator', displayName: 'ME', track: null, consumerId: null });
  });

  it('shows the own camera from the local track and others’ from their consumers', () => {
    const mine = track('local');
    const annaCamera = video('anna', 'camera');
    const tiles = buildTiles(inputs({ localCamera: mine, remote: [annaCamera] }));
    expect(tiles[0].track).toBe(mine);
    expect(tiles[1]).toMatchObject({ track: annaCamera.track, consumerId: 'anna-camera' });
    expect(tiles[2].track).toBeNull();
  });

  it('shows the name instead of a paused video, but keeps the consumer for size reports', () => {
    const tiles = buildTiles(inputs({ remote: [video('anna', 'camera', { paused: true })] }));
    expect(tiles[1]).toMatchObject({ track: null, consumerId: 'anna-camera' });
  });

  it('marks muted participants (self from the local state) and the active speaker', () => {
    const tiles = buildTiles(inputs({ selfMuted: true, activeSpeakerId: 'anna' }));
    expect(tiles.map((tile) => [tile.participantId, tile.muted, tile.speaking])).toEqual([
      ['me', true, false],
      ['anna', false, true],
      ['ben', true, false],
    ]);
  });

  it('puts shared screens first, the own one included', () => {
    const screen = track('my-screen');
    const tiles = buildTiles(inputs({ localScreen: screen, remote: [video('ben', 'screen'), video('anna', 'camera')], activeSpeakerId: 'ben' }));
    expect(tiles.map((tile) => tile.key)).toEqual(['screen:me', 'screen:ben', 'camera:me', 'camera:anna', 'camera:ben']);
    expect(tiles[0]).toMatchObject({ source: 'screen', track: screen, isSelf: true });
    expect(tiles[1]).toMatchObject({ source: 'screen', consumerId: 'ben-screen', speaking: false });
    expect(tiles[4]).toMatchObject({ key: 'camera:ben', speaking: true });
  });

  it('ignores audio consumers and media of people who are no longer listed', () => {
    const audio: RemoteMedia = { ...video('anna', 'camera'), kind: 'audio', source: 'microphone', consumerId: 'a1' };
    const tiles = buildTiles(inputs({ remote: [audio, video('gone', 'camera')] }));
    expect(tiles).toHaveLength(3);
    expect(tiles.every((tile) => tile.track === null)).toBe(true);
  });

  it('shows the cameras of the last N speakers, the others as name tiles after them, their consumers kept for the size report', () => {
    const people = ['me', 'anna', 'ben', 'cem', 'dora'].map((id) => participant(id));
    const remote = ['anna', 'ben', 'cem', 'dora'].map((id) => video(id, 'camera'));
    const tiles = buildTiles(inputs({ participants: people, remote, videoLastN: 2, recentSpeakers: ['dora', 'zoe', 'ben'] }));
    expect(tiles.map((tile) => [tile.key, tile.track !== null])).toEqual([
      ['camera:me', false],
      ['camera:ben', true],
      ['camera:dora', true],
      ['camera:anna', false],
      ['camera:cem', false],
    ]);
    expect(tiles.find((tile) => tile.key === 'camera:anna')?.consumerId).toBe('anna-camera');
    // Nobody spoke yet: the first N in the server's order.
    const quiet = buildTiles(inputs({ participants: people, remote, videoLastN: 2 }));
    expect(quiet.filter((tile) => tile.track !== null).map((tile) => tile.participantId)).toEqual(['anna', 'ben']);
  });

  it('shows phone participants as such', () => {
    const tiles = buildTiles(inputs({ participants: [participant('me'), participant('tel', { via: 'phone', camera: 'none' })] }));
    expect(tiles[1]).toMatchObject({ via: 'phone', track: null });
  });
});
