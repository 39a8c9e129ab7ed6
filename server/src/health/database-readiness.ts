import { Injectable } from '@nestjs/common';
import { InjectConnection } from '@nestjs/mongoose';
import { ConnectionStates, type Connection } from 'mongoose';
import { down, ReadinessRegistry, up, type PartState } from './readiness-registry';

/**
 * The database is up when the connection is open and the server answers a ping: an open
 * connection alone does not notice a database that stalled (SIGSTOP) or just died.
 */
@Injectable()
export class DatabaseReadiness {
  constructor(
    registry: ReadinessRegistry,
    @InjectConnection() private readonly connection: Connection,
  ) {
    registry.register('database', () => this.check());
  }

  async check(): Promise<PartState> {
    const state = this.connection.readyState;
    if (state !== ConnectionStates.connected) return down(`not connected (${ConnectionStates[state]})`);
    await this.connection.db!.admin().ping();
    return up();
  }
}
