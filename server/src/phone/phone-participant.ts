import { randomUUID } from 'node:crypto';
import type { Logger } from '@nestjs/common';
import { PhoneAudioBridge, RtpSession, type PhoneMixThreads } from '@konferenz/sfu';
import type { ParticipantAttributes } from '@konferenz/shared';
import {
  acceptSdpAnswer,
  callerId,
  createSdpOffer,
  logSafe,
  maskedCallerName,
  type AudioCodecName,
  type LocalMedia,
  type NegotiatedAudio,
  type SipCall,
} from '@konferenz/sip';
import { RoomOnOtherNode } from '../cluster/room-ownership';
import { ApiException } from '../common/api-exception';
import type { AppConfig } from '../config/app-config';
import type { ConferenceEvent } from '../conference/conference-events';
import type { ConferenceService } from '../conference/conference.service';
import type { JoinClaims, JoinTokens } from '../conference/join-token';
import type { RoomAccess } from '../rooms/room-access.service';
import { watchCallerMedia } from './caller-media-watch';
import { ConferencePromptPlayer } from './conference-prompt-player';
import { IvrStateMachine, type PinCheckResult } from './ivr-state-machine';
import type { NodeLinkKey } from './link/node-link-key';
import { RemotePhoneConference } from './link/remote-phone-conference';
import { LocalPhoneConference } from './local-phone-conference';
import type { PhoneConference, PhoneConferenceListener } from './phone-conference';
import { bridgeCodec, negotiateAnswer, OFFERED_CODECS } from './phone-codecs';
import { CallKeys } from './call-keys';
import type { ConferenceAction } from './phone-keypad';
import { watchPhoneMix } from './phone-mix-stats-log';
import { PhoneMenu } from './phone-menu';
import { phoneOrigin } from './phone-origin';
import { PLACEHOLDER_MEDIA } from './placeholder-media';
import { PresenceNotices } from './presence-notices';
import type { PromptLibrary } from './prompt-library';

/** After the conference ended, the goodbye plays; the call ends by then at the latest. */
const GOODBYE_LIMIT_MS = 15_000;
/** A PIN check normally takes milliseconds; one that hangs (the database stopped) must not leave the caller in silence. */
const PIN_CHECK_TIMEOUT_MS = 4_000;
/** Between tries to find where a moved conference runs now, growing up to the longest. */
const RELOCATE_FIRST_WAIT_MS = 200;
const RELOCATE_LONGEST_WAIT_MS = 2_000;

export interface PhoneParticipantDeps {
  config: AppConfig['sip'];
  conferences: ConferenceService;
  access: RoomAccess;
  tokens: JoinTokens;
  /** Opens phone links to other nodes (several nodes). */
  linkKey: NodeLinkKey;
  /** How long a call whose conference moved (its node died or stopped) is kept while the conference is looked for elsewhere. */
  relocateLimitMs: number;
  library: PromptLibrary;
  /** Where the rooms' mixes run. */
  mixThreads: PhoneMixThreads;
  logger: Logger;
}

/**
 * One phone caller, from the answered INVITE to the BYE: the phone menu on the call's RtpSession
 * asks for room number and PIN (checked by RoomAccess with the caller's network source), then the
 * caller joins the conference (via 'phone') as a browser does: on this node, or over the phone
 * link on the node that runs the room (PhoneConference). Conference news becomes prompts, keypad
 * commands become conference requests, and once admitted a PhoneAudioBridge on the same
 * RtpSession carries the audio both ways. The call stays on this node whatever happens to the
 * conference: when it moves (its node died or stopped), the caller is seated again wherever it
 * runs now, and its audio bridged there.
 */
export class PhoneParticipant {
  readonly #call: SipCall;
  readonly #deps: PhoneParticipantDeps;
  #rtp?: RtpSession<NegotiatedAudio>;
  #answeredAt?: number;
  #player?: ConferencePromptPlayer;
  #menu?: PhoneMenu;
  #participantId?: string;
  /** The caller's participant, from its PIN check on: the same one wherever the conference moves. */
  #claims?: JoinClaims;
  /** The caller's way into its conference: undefined before the PIN and while the conference is looked for after a move. */
  #conference?: PhoneConference;
  #relocating = false;
  /** The conference being joined during a re-seat moved on again: the re-seat goes round once more. */
  #movedWhileRelocating = false;
  /** True once the conference seated the caller (until it leaves). */
  #connected = false;
  /** Where the caller stands, as the conference last told (undefined until it did). */
  #standing?: 'waiting' | 'admitted';
  #bridge?: { audio: PhoneAudioBridge; unwatch: () => void };
  #bridgeOpening?: Promise<void>;
  #roomNumber?: string;
  /** The caller's own attributes as the conference last showed them (for the keypad's toggles). */
  #attributes: ParticipantAttributes = {};
  /** The caller's microphone as the conference last told; undefined until the bridge's is in the room (again). */
  #muted?: boolean;
  #conferenceEnded = false;
  #callEnded = false;
  /** Others entering and leaving, gathered into one tone per burst, heard while the caller is inside. */
  readonly #presence = new PresenceNotices((changes) => {
    if (this.#standing === 'admitted' && !this.#conferenceEnded && !this.#callEnded) this.#menu?.notify({ type: 'presence', changes });
  });
  #sdpVersion = 1;
  #unwatchMedia?: () => void;
  readonly #sessionId = String(Date.now());

  constructor(call: SipCall, deps: PhoneParticipantDeps) {
    this.#call = call;
    this.#deps = deps;
  }

  /** Answers the call and starts the menu; never throws (a failure rejects or ends the call). */
  async start(): Promise<void> {
    const call = this.#call;
    call.once('ended', (reason) => {
      this.#logEnd(reason);
      this.#callGone();
    });
    try {
      call.ring();
      const rtp = await RtpSession.open(this.#deps.config.rtpHost, this.#deps.config.rtpPorts ?? 0, PLACEHOLDER_MEDIA).catch((error: Error) => {
        // No port for its media (SIP_RTP_PORTS all taken): the caller may try again later.
        this.#deps.logger.error(`Phone call ${call.callId} refused: ${error.message}`);
        call.reject(503);
        return null;
      });
      if (!rtp) return;
      this.#rtp = rtp;
      if (this.#callEnded) return rtp.close();
      if (call.offer) {
        const negotiated = negotiateAnswer(call.offer, (codecs) => this.#local(codecs));
        if (!negotiated.ok) return call.reject(488);
        rtp.update(negotiated.audio);
        call.answer(negotiated.answer);
      } else {
        call.answer(createSdpOffer(this.#local(OFFERED_CODECS)));
      }
      call.on('reoffer', (reoffer) => {
        this.#sdpVersion++;
        if (!reoffer.sdp) return reoffer.accept(createSdpOffer(this.#local(OFFERED_CODECS)));
        const negotiated = negotiateAnswer(reoffer.sdp, (codecs) => this.#local(codecs));
        if (!negotiated.ok) return reoffer.reject(488);
        rtp.update(negotiated.audio);
        reoffer.accept(negotiated.answer);
      });
      const player = new ConferencePromptPlayer(rtp, this.#deps.library);
      this.#player = player;
      player.onPlayingChanged = (playing) => {
        if (this.#bridge) this.#bridge.audio.outputHeld = playing;
      };
      // Dialled as sip:<room>@host (the form the invitation gives): only the PIN is asked.
      const machine = new IvrStateMachine({ checkPin: (room, pin) => this.#checkPin(room, pin), roomNumber: call.dialledUser });
      const menu = new PhoneMenu(call, new CallKeys(call, rtp), player, machine, {
        join: (entry) => void this.#join(entry.roomNumber),
        action: (action) => void this.#action(action),
      });
      this.#menu = menu;
      call.once('confirmed', (answer) => {
        if (answer) {
          const accepted = acceptSdpAnswer(answer, this.#local(OFFERED_CODECS));
          if (!accepted.ok) return call.hangup();
          rtp.update(accepted.audio);
        }
        this.#logSetup(rtp.media);
        this.#watchMedia(rtp);
        // While the menu waits for keys the caller still gets RTP (silence): some gateways drop a one-way call.
        player.idleSilence = true;
        menu.start();
      });
    } catch (error) {
      this.#deps.logger.error(`Phone call ${call.callId} failed: ${(error as Error).message}`);
      if (call.state === 'incoming') call.reject(500);
      else call.hangup();
    }
  }

  /** A caller that stopped sending RTP, or whose address answers ICMP unreachable, is gone: BYE. */
  #watchMedia(rtp: RtpSession<NegotiatedAudio>): void {
    if (this.#callEnded) return;
    const { mediaTimeoutMs } = this.#deps.config;
    this.#unwatchMedia = watchCallerMedia(rtp, mediaTimeoutMs, () => {
      this.#deps.logger.log(`Phone call ${this.#call.callId}: no RTP from the caller for ${mediaTimeoutMs / 1000} s, hanging up`);
      this.#call.hangup();
    });
    rtp.once('unreachable', () => {
      this.#deps.logger.log(`Phone call ${this.#call.callId}: the caller's RTP port is unreachable (ICMP), hanging up`);
      this.#call.hangup();
    });
  }

  #local(codecs: readonly AudioCodecName[]): LocalMedia {
    const { rtpHost, publicHost } = this.#deps.config;
    const address = rtpHost === '0.0.0.0' ? publicHost : rtpHost;
    return { address, port: this.#rtp!.localPort, codecs, sessionId: this.#sessionId, sessionVersion: this.#sdpVersion };
  }

  /**
   * The PIN check as the menu sees it: a wrong PIN or a lock-out is the caller's answer; anything
   * else (the database down or hanging, a bug) is logged and told as "service unavailable", and
   * a check that takes longer than PIN_CHECK_TIMEOUT_MS counts as such rather than leaving the
   * caller in silence.
   */
  async #checkPin(roomNumber: string, pin: string): Promise<PinCheckResult> {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${PIN_CHECK_TIMEOUT_MS} ms`)), PIN_CHECK_TIMEOUT_MS);
    });
    try {
      return await Promise.race([this.#enter(roomNumber, pin), deadline]);
    } catch (error) {
      const { callId, remote } = this.#call;
      this.#deps.logger.error(
        `Phone PIN check failed for call ${callId} from ${remote.address}:${remote.port} (caller ${callerId(this.#call.origin.user)}, room ${roomNumber}): ${(error as Error).message}`,
      );
      return 'unavailable';
    } finally {
      clearTimeout(timer);
    }
  }

  async #enter(roomNumber: string, pin: string): Promise<PinCheckResult> {
    try {
      const { role } = await this.#deps.access.enter(roomNumber, pin, phoneOrigin(this.#call));
      const claims = this.#deps.tokens.issue({
        room: roomNumber,
        pid: randomUUID(),
        role,
        name: this.#shownName,
      }).claims;
      const conference = await this.#locate(claims);
      if (this.#callEnded) conference.close();
      else {
        this.#conference?.close();
        [this.#claims, this.#conference] = [claims, conference];
      }
      return role;
    } catch (error) {
      if (error instanceof ApiException && error.code === 'TOO_MANY_REQUESTS') return 'locked-out';
      if (error instanceof ApiException && error.code === 'INVALID_ROOM_OR_PIN') return 'invalid';
      throw error;
    }
  }

  /**
   * The caller's way into the room's conference: here when this node runs it (or may open it),
   * else a phone link to the node that does. SERVICE_UNAVAILABLE when no node can be reached.
   */
  async #locate(claims: JoinClaims): Promise<PhoneConference> {
    const { conferences, tokens, linkKey } = this.#deps;
    try {
      await conferences.claim(claims.room);
      return new LocalPhoneConference(conferences, claims, this.#call.id);
    } catch (error) {
      if (!(error instanceof RoomOnOtherNode)) throw error;
      const { room, pid, role, name } = claims;
      // A fresh token, issued when the first was: an "end for all" or removal since then still applies to it.
      return RemotePhoneConference.open(error.nodeUrl, tokens.issue({ room, pid, role, name }, Date.now(), claims.iat).token, linkKey);
    }
  }

  #listener(): PhoneConferenceListener {
    return {
      event: (event) => this.#onEvent(event),
      attributes: (attributes) => (this.#attributes = attributes),
      closed: () => this.#closedByConference(),
      lost: () => {
        if (this.#relocating) this.#movedWhileRelocating = true;
        else void this.#relocate();
      },
    };
  }

  async #join(roomNumber: string): Promise<void> {
    // From here on the conference's prompts, hold music and the room's mix are what the caller hears.
    if (this.#player) this.#player.idleSilence = false;
    const conference = this.#conference;
    if (this.#callEnded || !conference || !this.#claims) return;
    this.#participantId = this.#claims.pid;
    this.#roomNumber = roomNumber;
    try {
      await conference.join(this.#listener());
      this.#connected = true;
    } catch (error) {
      const code = error instanceof ApiException ? error.code : undefined;
      // The conference moved, or its node went, between the PIN check and the seat: followed like any move.
      if (code === 'SERVICE_UNAVAILABLE' || code === 'ROOM_ON_OTHER_NODE') return void this.#relocate();
      // A locked room says so; a failure ends the call with the goodbye.
      const locked = code === 'ROOM_LOCKED';
      if (!locked) this.#deps.logger.error(`Could not connect phone caller to room ${roomNumber}: ${(error as Error).message}`);
      this.#participantId = undefined;
      this.#endWithGoodbye(locked ? 'room-locked' : 'conference-ended');
      return;
    }
    if (this.#callEnded) void this.#leave();
  }

  /**
   * The conference moved (its node died or stopped, or this node gave it up): the call stays, the
   * caller is seated again, as the same participant, wherever the conference runs now, and the
   * audio follows. The caller hears silence meanwhile; if no node runs or takes the conference
   * within relocateLimitMs, it hears goodbye.
   */
  async #relocate(): Promise<void> {
    const claims = this.#claims;
    if (this.#relocating || this.#callEnded || this.#conferenceEnded || !claims) return;
    this.#relocating = true;
    this.#presence.clear();
    this.#closeBridge();
    // A bridge still opening belongs to the conference left behind (it closes itself when done).
    this.#bridgeOpening = undefined;
    this.#conference?.close();
    this.#conference = undefined;
    const { callId } = this.#call;
    const deadline = Date.now() + this.#deps.relocateLimitMs;
    let wait = RELOCATE_FIRST_WAIT_MS;
    try {
      while (!this.#callEnded) {
        let conference: PhoneConference | undefined;
        this.#movedWhileRelocating = false;
        try {
          conference = await this.#locate(claims);
          this.#conference = conference;
          await conference.join(this.#listener());
          // Moved on again while the caller was being seated: after it, as after a failed try.
          if (this.#movedWhileRelocating) throw new Error('the conference moved again while the caller was being seated');
          this.#connected = true;
          this.#deps.logger.log(`Phone call ${callId}: room ${claims.room} moved, the caller is seated again (${conference.location})`);
          return;
        } catch (error) {
          conference?.close();
          this.#conference = undefined;
          const refused = error instanceof ApiException && ['ROOM_LOCKED', 'CONFERENCE_TOKEN_INVALID', 'FORBIDDEN'].includes(error.code);
          if (refused || Date.now() + wait > deadline) {
            this.#deps.logger.warn(`Phone call ${callId}: room ${claims.room} moved and could not be reached again: ${(error as Error).message}`);
            this.#endWithGoodbye();
            return;
          }
          await new Promise((resolve) => setTimeout(resolve, wait));
          wait = Math.min(2 * wait, RELOCATE_LONGEST_WAIT_MS);
        }
      }
    } finally {
      this.#relocating = false;
      if (this.#callEnded) void this.#leave();
    }
  }

  /** Conference news becomes prompts, and the audio bridge follows the caller in and out of the conference. */
  #onEvent(event: ConferenceEvent): void {
    if (this.#callEnded) return;
    const menu = this.#menu!;
    switch (event.type) {
      case 'waiting': {
        // From inside to waiting without a moderator: the last one left ('back-to-waiting'), or
        // has not come back yet to the conference the caller followed to another node.
        const sentBack = this.#standing === 'admitted' && !event.moderatorPresent;
        this.#standing = 'waiting';
        this.#presence.clear();
        this.#closeBridge();
        this.#muted = undefined;
        // Waiting for the moderator to come, or (manual admission, screening) to let the caller in.
        if (sentBack) menu.notify({ type: 'moderator-left', waiting: true });
        else menu.notify({ type: event.moderatorPresent ? 'waiting-for-admission' : 'waiting-for-moderator' });
        return;
      }
      case 'admitted':
        this.#standing = 'admitted';
        menu.notify(event.from === 'waiting' ? { type: 'conference-started' } : { type: 'joined', participantCount: event.participantCount });
        this.#openBridge();
        return;
      case 'microphone-changed': {
        if (event.microphone === 'none') return;
        const muted = event.microphone === 'muted';
        // Said when it changes, whoever changed it; not when the bridge's microphone first appears.
        if (this.#muted !== undefined && this.#muted !== muted) menu.notify({ type: 'mute-changed', muted });
        this.#muted = muted;
        return;
      }
      case 'someone-entered':
        this.#presence.add('entry');
        return;
      case 'someone-left':
        this.#presence.add('exit');
        return;
      case 'moderator-left':
        menu.notify({ type: 'moderator-left', waiting: false });
        return;
      case 'ended':
        this.#endWithGoodbye();
        return;
      case 'media-reset':
        // The room's media were rebuilt: the bridge's transport and producer are gone.
        this.#closeBridge();
        if (this.#standing === 'admitted') this.#openBridge();
        return;
    }
  }

  #openBridge(): void {
    if (this.#bridge || this.#bridgeOpening || !this.#participantId || !this.#rtp) return;
    const participantId = this.#participantId;
    const roomNumber = this.#roomNumber ?? '';
    const rtp = this.#rtp;
    const conference = this.#conference;
    if (!conference) return;
    const opening = (async () => {
      const room = await conference.mediaRoom();
      const codec = bridgeCodec(rtp.media);
      const bridge = await PhoneAudioBridge.create({
        room,
        peerId: participantId,
        codec,
        // The call's RTP session: the mix goes out under the same rule as the prompts, only to an address that has sent RTP.
        caller: rtp,
        mixThreads: this.#deps.mixThreads,
      });
      if (this.#callEnded || this.#standing !== 'admitted' || this.#conference !== conference) {
        bridge.close();
        return;
      }
      this.#bridge = { audio: bridge, unwatch: watchPhoneMix(bridge.roomMix, roomNumber, this.#deps.logger) };
      // The mix's thread died: the caller gets a new bridge (and a new thread), as after a media reset.
      bridge.once('failed', () => {
        if (this.#bridge?.audio !== bridge) return;
        this.#deps.logger.warn(`Phone audio for ${participantId}: the room's mix thread failed; reopening`);
        this.#closeBridge();
        if (this.#standing === 'admitted') this.#openBridge();
      });
      bridge.outputHeld = this.#player?.playing ?? false;
      await conference.attachMediaListener(bridge);
    })()
      .catch((error: Error) => this.#deps.logger.warn(`Phone audio for ${participantId} failed: ${error.message}`))
      .finally(() => {
        if (this.#bridgeOpening === opening) this.#bridgeOpening = undefined;
      });
    this.#bridgeOpening = opening;
  }

  #closeBridge(): void {
    const bridge = this.#bridge;
    this.#bridge = undefined;
    if (!bridge) return;
    this.#conference?.detachMediaListener(bridge.audio);
    bridge.unwatch();
    bridge.audio.close();
  }

  async #action(action: ConferenceAction): Promise<void> {
    const participantId = this.#participantId;
    const conference = this.#conference;
    if (!participantId || !conference || !this.#standing) return;
    const menu = this.#menu!;
    try {
      switch (action.type) {
        case 'toggle-mute': {
          const bridge = this.#bridge?.audio;
          if (!bridge || this.#standing !== 'admitted') return;
          // The microphone-changed event that follows announces the change ("muted" / "unmuted").
          await conference.request('media:setProducerPaused', { producerId: bridge.producerId, paused: this.#muted !== true });
          return;
        }
        case 'participant-count':
          menu.notify({ type: 'participant-count', count: await conference.participantCount() });
          return;
        case 'toggle-lock': {
          const locked = !(await conference.isLocked());
          await conference.request('moderator:setLocked', { locked });
          menu.notify({ type: 'lock-changed', locked });
          return;
        }
        case 'mute-others':
          await conference.request('moderator:muteAll', {});
          menu.notify({ type: 'others-muted' });
          return;
        case 'toggle-attribute': {
          const set = !Object.hasOwn(this.#attributes, action.attribute);
          await conference.request('participant:setAttributes', { attributes: { [action.attribute]: set ? action.value() : null } });
          menu.notify({ type: 'confirmation', prompt: set ? action.prompts.set : action.prompts.cleared });
          return;
        }
      }
    } catch (error) {
      this.#deps.logger.warn(`Phone keypad ${action.type} of ${participantId} refused: ${(error as Error).message}`);
    }
  }

  /** The conference ended, removed or turned away the caller: why, goodbye, then the menu hangs up. */
  #endWithGoodbye(news: 'conference-ended' | 'room-locked' = 'conference-ended'): void {
    if (this.#conferenceEnded || this.#callEnded) return;
    this.#conferenceEnded = true;
    this.#participantId = undefined;
    this.#presence.clear();
    this.#closeBridge();
    this.#menu?.notify({ type: news });
    setTimeout(() => this.#call.hangup(), GOODBYE_LIMIT_MS).unref();
  }

  /** The conference closed this connection (ended, removed, or replaced). */
  #closedByConference(): void {
    if (this.#conferenceEnded || this.#callEnded) return;
    this.#participantId = undefined;
    this.#closeBridge();
    this.#call.hangup();
  }

  /** The caller's name as the participant list shows it: the masked number, or "Telefon". */
  get #shownName(): string {
    return maskedCallerName(this.#call.origin.withheld ? undefined : this.#call.origin.user);
  }

  /** One line per call set up, at info level: who (masked), from where, codec and key path. */
  #logSetup(audio: NegotiatedAudio): void {
    this.#answeredAt = Date.now();
    const { callId, remote, dialledUser } = this.#call;
    const keys =
      audio.telephoneEventPayloadType !== null
        ? 'RFC 4733 (and SIP INFO)'
        : audio.codec === 'PCMU' || audio.codec === 'PCMA'
          ? 'in-band tones or SIP INFO'
          : 'SIP INFO';
    // Written by the caller (percent-decoded): never raw into a log line fail2ban reads.
    const dialled = dialledUser ? `, dialled ${logSafe(dialledUser)}` : '';
    this.#deps.logger.log(`Phone call ${callId} from ${this.#shownName} at ${remote.address}${dialled}: ${audio.codec}, keys by ${keys}`);
  }

  /** One line per call end, at info level: why, and how long it lasted from the answer. */
  #logEnd(reason: string): void {
    const lasted = this.#answeredAt === undefined ? 'never answered' : `after ${Math.round((Date.now() - this.#answeredAt) / 1000)} s`;
    const room = this.#roomNumber ? ` in room ${this.#roomNumber}` : '';
    this.#deps.logger.log(`Phone call ${this.#call.callId} ended (${reason})${room} ${lasted}`);
  }

  /** The caller hung up (or the call failed, or the server stops). */
  #callGone(): void {
    if (this.#callEnded) return;
    this.#callEnded = true;
    this.#presence.clear();
    this.#unwatchMedia?.();
    this.#closeBridge();
    if (this.#player) this.#player.idleSilence = false;
    this.#player?.stop();
    this.#rtp?.close();
    void this.#leave();
  }

  async #leave(): Promise<void> {
    const conference = this.#conference;
    if (!conference) return;
    this.#conference = undefined;
    if (this.#participantId && this.#connected) await conference.request('conference:leave', {}).catch(() => undefined);
    this.#participantId = undefined;
    conference.close();
  }
}
