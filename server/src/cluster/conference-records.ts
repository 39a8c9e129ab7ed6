import type { ConferenceRecord } from '../conference/conference';

/**
 * Where a live conference keeps its record (ConferenceRecord) for a node that has to rebuild it.
 * One node never needs it (in-process: nothing kept); with several, Redis holds it beside the
 * room's lease. Saving is best effort: a conference goes on while Redis is away, and a record a
 * moment old only costs someone their raised hand after a move.
 */
export interface ConferenceRecords {
  load(roomNumber: string): Promise<ConferenceRecord | null>;
  /**
   * `record` is called only when the record is stored (never in-process), and the changes of one
   * moment (a join changes state several times) are stored once.
   */
  save(roomNumber: string, record: () => ConferenceRecord): void;
  /** The conference is over: nothing to rebuild. */
  remove(roomNumber: string): void;
}

export const CONFERENCE_RECORDS = Symbol('CONFERENCE_RECORDS');

export class InProcessConferenceRecords implements ConferenceRecords {
  async load(): Promise<ConferenceRecord | null> {
    return null;
  }

  save(): void {}

  remove(): void {}
}
