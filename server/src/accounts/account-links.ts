import { Inject, Injectable } from '@nestjs/common';
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

  verifyEmail(token: string): string {
    return `${this.config.publicUrl}/verify-email?token=${token}`;
  }
}
