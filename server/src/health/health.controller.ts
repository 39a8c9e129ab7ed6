import { Controller, Header, HttpStatus, Res } from '@nestjs/common';
import type { Response } from 'express';
import { ROUTES, type LivenessView, type ReadinessView } from '@konferenz/shared';
import { Public } from '../common/public.decorator';
import { Route } from '../common/route.decorator';
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
  @Route(ROUTES.liveness)
  @Header('Cache-Control', 'no-store')
  liveness(): LivenessView {
    return { status: 'ok' };
  }

  @Public()
  @Route(ROUTES.readiness)
  @Header('Cache-Control', 'no-store')
  async readyz(@Res({ passthrough: true }) response: Response): Promise<ReadinessView> {
    const { ready, parts } = await this.readiness.check();
    if (!ready) response.status(HttpStatus.SERVICE_UNAVAILABLE);
    return { status: ready ? 'ready' : 'unavailable', parts };
  }
}
