import type { ConferenceRequest } from '@konferenz/shared';
import { isHeldMuted, type Participant } from './conference';
import type { RequestContext, RequestHandlersFor } from './conference-requests';
import type { LiveConference } from './live-conference';
import type { MediaRequestName, RoomMediaSession } from './room-media-session';

/** Opens (or finds) a conference's media session: the service provides it. */
export type MediaOf = (live: LiveConference) => Promise<RoomMediaSession>;

/** Admitted participants' media requests, answered by the conference's media session. */
export function mediaRequests(mediaOf: MediaOf): RequestHandlersFor<MediaRequestName> {
  const forward = <N extends MediaRequestName>(name: N) => ({
    access: 'admitted' as const,
    handle: async ({ live, participant }: RequestContext, payload: ConferenceRequest<N>) => (await mediaOf(live)).request(participant.id, name, payload),
  });
  return {
    'media:rtpCapabilities': forward('media:rtpCapabilities'),
    'media:setRtpCapabilities': forward('media:setRtpCapabilities'),
    'media:createTransport': forward('media:createTransport'),
    'media:connectTransport': forward('media:connectTransport'),
    'media:restartIce': forward('media:restartIce'),
    'media:produce': {
      access: 'admitted',
      handle: async ({ live, participant }, payload) => {
        const media = await mediaOf(live);
        const response = await media.request(participant.id, 'media:produce', payload);
        // A moderator's mute (or the room's on entry) holds until the participant unmutes: a microphone produced later starts paused.
        if (isHeldMuted(participant) && payload.source === 'microphone') await media.muteMicrophone(participant.id);
        return response;
      },
    },
    'media:closeProducer': forward('media:closeProducer'),
    'media:setProducerPaused': {
      access: 'admitted',
      handle: async ({ live, participant }, payload) => {
        const media = await mediaOf(live);
        const response = await media.request(participant.id, 'media:setProducerPaused', payload);
        if (isHeldMuted(participant)) liftHeldMute(media, participant, payload);
        return response;
      },
    },
    'media:resumeConsumer': forward('media:resumeConsumer'),
    'media:setConsumerSize': forward('media:setConsumerSize'),
  };
}

/** Only the participant unmuting their own microphone lifts a moderator's or the room's mute; resuming the camera does not. */
function liftHeldMute(media: RoomMediaSession, participant: Participant, { producerId, paused }: ConferenceRequest<'media:setProducerPaused'>): void {
  const isMicrophone = media.room.producersOf(participant.id).some((producer) => producer.id === producerId && producer.source === 'microphone');
  if (!paused && isMicrophone) {
    participant.mutedByModerator = false;
    participant.mutedOnEntry = false;
  }
}
