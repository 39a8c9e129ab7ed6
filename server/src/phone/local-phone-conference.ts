import type { ConferenceRequest, ConferenceRequestName, ConferenceResponses } from '@konferenz/shared';
import type { PhoneBridgeRoom } from '@konferenz/sfu';
import type { ConferenceMessages } from '../conference/participant-connection';
import type { ConferenceService } from '../conference/conference.service';
import type { JoinClaims } from '../conference/join-token';
import type { MediaListener } from '../conference/room-media-session';
import type { PhoneConference, PhoneConferenceListener } from './phone-conference';

/** A caller in a conference this node runs: ConferenceService directly, as its participant `claims.pid`. */
export class LocalPhoneConference implements PhoneConference {
  readonly location = 'local';
  #closed = false;

  constructor(
    private readonly conferences: ConferenceService,
    private readonly claims: JoinClaims,
    private readonly connectionId: string,
  ) {}

  async join(listener: PhoneConferenceListener): Promise<void> {
    await this.conferences.connect(
      this.claims,
      {
        id: this.connectionId,
        notify: (event) => {
          if (this.#closed) return;
          // Another node runs the conference now: the caller follows it there.
          if (event.type === 'moved') listener.lost();
          else listener.event(event);
        },
        // Of the browsers' messages only the caller's own attributes matter (a moderator may clear them).
        send: (event, ...payload) => {
          if (!this.#closed && event === 'conference:state')
            listener.attributes((payload as Parameters<ConferenceMessages['conference:state']>)[0].self.attributes);
        },
        close: () => {
          if (!this.#closed) listener.closed();
        },
      },
      'phone',
    );
    // Closed while being seated (the caller hung up, or the conference moved): a dropped connection from now.
    if (this.#closed) this.conferences.disconnected(this.claims.pid, this.connectionId);
  }

  request<N extends ConferenceRequestName>(name: N, payload: ConferenceRequest<N>): Promise<ConferenceResponses[N]> {
    // As this connection: one that was replaced (the caller seated anew elsewhere) cannot act.
    return this.conferences.request(this.claims.pid, name, payload, this.connectionId);
  }

  async participantCount(): Promise<number> {
    return this.conferences.participantCount(this.claims.pid);
  }

  isLocked(): Promise<boolean> {
    return this.conferences.isLocked(this.claims.room);
  }

  mediaRoom(): Promise<PhoneBridgeRoom> {
    return this.conferences.mediaRoom(this.claims.pid);
  }

  attachMediaListener(listener: MediaListener): Promise<void> {
    return this.conferences.attachMediaListener(this.claims.pid, listener);
  }

  detachMediaListener(listener: MediaListener): void {
    this.conferences.detachMediaListener(this.claims.pid, listener);
  }

  /**
   * A caller still seated here counts as a dropped connection (the grace period), like a browser
   * whose socket closed; after `conference:leave`, a removal or a move this changes nothing.
   */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.conferences.disconnected(this.claims.pid, this.connectionId);
  }
}
