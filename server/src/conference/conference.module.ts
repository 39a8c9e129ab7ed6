import { Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { AccountsModule } from '../accounts/accounts.module';
import { ClusterModule } from '../cluster/cluster.module';
import { RoomsModule } from '../rooms/rooms.module';
import { UsersModule } from '../users/users.module';
import { ConferenceMark, ConferenceMarkSchema } from './conference-mark.schema';
import { CONFERENCE_MARKS } from './conference-marks';
import { ConferenceInvitations } from './conference-invitations';
import { ConferenceController } from './conference.controller';
import { ConferenceGateway } from './conference.gateway';
import { ConferenceService } from './conference.service';
import { JOIN_TOKENS, joinTokensProvider } from './conference.tokens';
import { mediaPlaneProvider } from './media-plane.provider';
import { MediaReadiness } from './media-readiness';
import { MongoConferenceMarks } from './mongo-conference-marks';

@Module({
  imports: [RoomsModule, UsersModule, AccountsModule, ClusterModule, MongooseModule.forFeature([{ name: ConferenceMark.name, schema: ConferenceMarkSchema }])],
  controllers: [ConferenceController],
  providers: [
    ConferenceService,
    ConferenceGateway,
    ConferenceInvitations,
    joinTokensProvider,
    mediaPlaneProvider,
    MediaReadiness,
    { provide: CONFERENCE_MARKS, useClass: MongoConferenceMarks },
  ],
  exports: [ConferenceService, JOIN_TOKENS],
})
export class ConferenceModule {}
