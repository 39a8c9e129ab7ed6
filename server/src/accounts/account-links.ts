import { isIPv6 } from 'node:net';
import { Inject, Injectable } from '@nestjs/common';
import type { DialInView } from '@konferenz/shared';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';

/** The public URLs that mails and the customer area point at. */
@Injectable()
export class AccountLinks {
  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  get login(): string {
    return `${this.config.publicUrl}/login`;
  }

  join(roomNumber: string): string {
    return `${this.config.publicUrl}/join?room=${roomNumber}`;
  }

  /** The configured dial-in numbers and, when the SIP gateway is on, the room's SIP URI. */
  dialIn(roomNumber: string): DialInView {
    const { port, publicHost, dialInNumbers } = this.config.sip;
    const host = isIPv6(publicHost) ? `[${publicHost}]` : publicHost;
    return { numbers: [...dialInNumbers], sipUri: port > 0 ? `sip:${roomNumber}@${host}:${port}` : null };
  }

  verifyEmail(token: string): string {
    return `${this.config.publicUrl}/verify-email?token=${token}`;
  }
}
