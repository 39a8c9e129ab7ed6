import { Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { MailReadiness } from './mail-readiness';
import { MailService } from './mail.service';
import { MailOutbox } from './outbox/mail-outbox';
import { OutboxClaim, OutboxClaimSchema, OutboxMail, OutboxMailSchema } from './outbox/outbox-mail.schema';
import { OutboxDelivery } from './outbox/outbox-delivery';

@Module({
  imports: [
    MongooseModule.forFeature([
      { name: OutboxMail.name, schema: OutboxMailSchema },
      { name: OutboxClaim.name, schema: OutboxClaimSchema },
    ]),
  ],
  providers: [MailService, MailOutbox, OutboxDelivery, MailReadiness],
  exports: [MailService],
})
export class MailModule {}
