import { Controller, Get, Header, HttpStatus, Res } from '@nestjs/common';
import type { Response } from 'express';
import { Public } from '../common/public.decorator';
import { LIVENESS_PATH, READINESS_PATH } from './health-paths';
import { ReadinessRegistry } from './readiness-registry';

/**
 * For orchestrators and monitors, at the root like elsewhere (not under /api: no session, no
 * CSRF, no database). Liveness says the process answers, so restarting it would not help when
 * only readiness fails; readiness names the part that is down.
 */
@Controller()
export class HealthController {
  constructor(private readonly readiness: ReadinessRegistry) {}

  @Public()
  @Get(LIVENESS_PATH)
  @Header('Cache-Control', 'no-store')
  liveness(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Public()
  @Get(READINESS_PATH)
  @Header('Cache-Control', 'no-store')
  async readyz(@Res({ passthrough: true }) response: Response): Promise<{ status: 'ready' | 'unavailable'; parts: Record<string, string> }> {
    const { ready, parts } = await this.readiness.check();
    if (!ready) response.status(HttpStatus.SERVICE_UNAVAILABLE);
    return { status: ready ? 'ready' : 'unavailable', parts };
  }
}
