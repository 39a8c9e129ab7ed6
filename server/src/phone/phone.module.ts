import { Module } from '@nestjs/common';
import { ConferenceModule } from '../conference/conference.module';
import { RoomsModule } from '../rooms/rooms.module';
import { PhoneLinkGateway } from './link/phone-link.gateway';
import { PhoneGatewayService } from './phone-gateway.service';
import { PhoneReadiness } from './phone-readiness';

/** Phone dial-in (see README.md in this folder). */
@Module({
  imports: [ConferenceModule, RoomsModule],
  providers: [PhoneGatewayService, PhoneLinkGateway, PhoneReadiness],
  exports: [PhoneGatewayService],
})
export class PhoneModule {}
