import type { ConferenceRequest, ConferenceRequestName, ConferenceResponses, ModeratorRequestName } from '@konferenz/shared';
import { ApiException } from '../common/api-exception';
import type { Participant } from './conference';
import type { LiveConference } from './live-conference';

/**
 * Who may make a request: anyone in the conference (waiting included), admitted participants,
 * or moderators. Checked in one place, `dispatchRequest`, before any handler runs.
 */
export type RequestAccess = 'present' | 'admitted' | 'moderator';

/** The participant asking, in the conference they are in. */
export interface RequestContext {
  live: LiveConference;
  participant: Participant;
}

export interface RequestHandler<N extends ConferenceRequestName> {
  /** The shared protocol names moderators' requests `moderator:*` (the client's panel relies on it): the table must agree. */
  access: N extends ModeratorRequestName ? 'moderator' : Exclude<RequestAccess, 'moderator'>;
  handle(context: RequestContext, payload: ConferenceRequest<N>): Promise<ConferenceResponses[N]>;
}

/** One handler per request name of the shared protocol: a missing or unknown name does not compile. */
export type RequestHandlers = { [N in ConferenceRequestName]: RequestHandler<N> };

/** A part of the table: the handlers of some request names, and no others. */
export type RequestHandlersFor<Names extends ConferenceRequestName> = Pick<RequestHandlers, Names>;

function checkAccess(access: RequestAccess, participant: Participant): void {
  if (access === 'moderator' && participant.role !== 'moderator') throw new ApiException('MODERATOR_ONLY');
  if (access === 'admitted' && participant.state !== 'admitted') throw new ApiException('NOT_ADMITTED');
}

/** Answers one validated request by its handler, once the participant may make it. */
export async function dispatchRequest<N extends ConferenceRequestName>(
  handlers: RequestHandlers,
  name: N,
  context: RequestContext,
  payload: ConferenceRequest<N>,
): Promise<ConferenceResponses[N]> {
  const handler: RequestHandler<N> = handlers[name];
  checkAccess(handler.access, context.participant);
  return handler.handle(context, payload);
}
