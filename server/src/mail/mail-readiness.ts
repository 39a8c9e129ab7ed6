import { Injectable } from '@nestjs/common';
import { down, ReadinessRegistry, up, type PartState } from '../health/readiness-registry';
import { OutboxDelivery } from './outbox/outbox-delivery';

/**
 * Mail is down while this process's deliveries fail (the outbox's view of the SMTP server, kept
 * up to date by its probes): the mails are kept, but users wait for them.
 */
@Injectable()
export class MailReadiness {
  constructor(
    registry: ReadinessRegistry,
    private readonly delivery: OutboxDelivery,
  ) {
    registry.register('mail', () => this.check());
  }

  async check(): Promise<PartState> {
    const health = await this.delivery.health();
    return health.ok ? up() : down(health.detail ?? 'SMTP delivery failing');
  }
}
