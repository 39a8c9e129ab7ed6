import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { InjectConnection } from '@nestjs/mongoose';
import type { Connection } from 'mongoose';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';

/**
 * Why a database is not safe for several nodes, or null. FerretDB 1.x applies an update as a read
 * followed by a write, not in one step, so two nodes updating one document at once can both act
 * on what they read (three nodes counting 40 wrong PINs for one room in it stored 30 to 32, on its
 * SQLite and its PostgreSQL backend alike; with several nodes the budgets are counted in Redis
 * now, but the accounts' conditional updates, such as "set the first PINs only once", still rely on
 * it). One node is safe: it talks to the database over one connection.
 */
export function singleWriterReason(buildInfo: Record<string, unknown>): string | null {
  const version = buildInfo['ferretdbVersion'];
  if (typeof version !== 'string') return null;
  return `FerretDB ${version} applies concurrent updates from several nodes as read-then-write (a conditional update, such as setting an account's first PINs only once, may pass on two nodes at once); use a MongoDB replica set for several nodes`;
}

/** With several nodes, says once at start-up when the shared database cannot take their concurrent writes. */
@Injectable()
export class SingleWriterDatabaseCheck implements OnApplicationBootstrap {
  readonly #logger = new Logger('Cluster');

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @InjectConnection() private readonly connection: Connection,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (!this.config.cluster) return;
    try {
      const reason = singleWriterReason(await this.connection.db!.admin().command({ buildInfo: 1 }));
      if (reason) this.#logger.warn(reason);
    } catch (error) {
      this.#logger.warn(`Could not tell which database this is: ${(error as Error).message}`);
    }
  }
}
