import { Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { ClusterModule } from '../cluster/cluster.module';
import { RoomsModule } from '../rooms/rooms.module';
import { ConferenceMark, ConferenceMarkSchema } from './conference-mark.schema';
import { CONFERENCE_MARKS } from './conference-marks';
import { ConferenceController } from './conference.controller';
import { ConferenceGateway } from './conference.gateway';
import { ConferenceService } from './conference.service';
import { JOIN_TOKENS, joinTokensProvider } from './conference.tokens';
import { mediaPlaneProvider } from './media-plane.provider';
import { MediaReadiness } from './media-readiness';
import { MongoConferenceMarks } from './mongo-conference-marks';

@Module({
  imports: [RoomsModule, ClusterModule, MongooseModule.forFeature([{ name: ConferenceMark.name, schema: ConferenceMarkSchema }])],
  controllers: [ConferenceController],
  providers: [
    ConferenceService,
    ConferenceGateway,
    joinTokensProvider,
    mediaPlaneProvider,
    MediaReadiness,
    { provide: CONFERENCE_MARKS, useClass: MongoConferenceMarks },
  ],
  exports: [ConferenceService, JOIN_TOKENS],
})
export class ConferenceModule {}
