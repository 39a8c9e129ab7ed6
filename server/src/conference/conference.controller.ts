import { Body, Controller, HttpCode, Inject, Req } from '@nestjs/common';
import type { MediaPlane } from '@konferenz/sfu';
import type { Request } from 'express';
import { randomUUID } from 'node:crypto';
import { hostRequestSchema, joinRequestSchema, ROUTES, type ConferenceRole, type HostRequest, type JoinRequest, type JoinResponse } from '@konferenz/shared';
import { CurrentUser, type AuthenticatedUser } from '../auth/authenticated-user';
import { ApiException } from '../common/api-exception';
import { Public } from '../common/public.decorator';
import { Route } from '../common/route.decorator';
import { ZodBody } from '../common/validate';
import { RoomAccess } from '../rooms/room-access.service';
import { ConferenceService } from './conference.service';
import { JOIN_TOKENS } from './conference.tokens';
import type { JoinTokens } from './join-token';
import { MEDIA_PLANE } from './media-plane.provider';

@Controller()
export class ConferenceController {
  constructor(
    private readonly access: RoomAccess,
    private readonly conferences: ConferenceService,
    @Inject(JOIN_TOKENS) private readonly tokens: JoinTokens,
    @Inject(MEDIA_PLANE) private readonly plane: MediaPlane,
  ) {}

  /** The routers' RTP capabilities: fixed by the codecs this server is built with, the same for everyone. */
  @Public()
  @Route(ROUTES.mediaCapabilities)
  mediaCapabilities(): { rtpCapabilities: Record<string, unknown> } {
    return { rtpCapabilities: { ...this.plane.rtpCapabilities } };
  }

  /** Room number and PIN, from anyone: the PIN decides the role. */
  @Public()
  @Route(ROUTES.joinConference)
  @HttpCode(200)
  async join(@Body(new ZodBody(joinRequestSchema)) body: JoinRequest, @Req() request: Request): Promise<JoinResponse> {
    const { role } = await this.access.enter(body.roomNumber, body.pin, { via: 'browser', address: request.ip ?? '' });
    return this.#issue(body.roomNumber, role, body.displayName);
  }

  /** The logged-in customer starts their own room as its moderator, without typing the PIN. */
  @Route(ROUTES.hostConference)
  @HttpCode(200)
  async host(@CurrentUser() user: AuthenticatedUser, @Body(new ZodBody(hostRequestSchema)) body: HostRequest): Promise<JoinResponse> {
    const { roomNumber } = await this.access.ownRoom(user.id);
    return this.#issue(roomNumber, 'moderator', body.displayName);
  }

  async #issue(roomNumber: string, role: ConferenceRole, displayName: string): Promise<JoinResponse> {
    if (role !== 'moderator' && (await this.conferences.isLocked(roomNumber))) throw new ApiException('ROOM_LOCKED');
    const { token, claims } = this.tokens.issue({ room: roomNumber, pid: randomUUID(), role, name: displayName });
    return { token, roomNumber, participantId: claims.pid, role, displayName, expiresAt: new Date(claims.exp).toISOString() };
  }
}
