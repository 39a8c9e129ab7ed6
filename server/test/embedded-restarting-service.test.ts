import { afterEach, describe, expect, it } from 'vitest';
import { RestartingService, type Launch, type RestartPolicy } from '../src/embedded/restarting-service';
import { SupervisedProcess } from '../src/embedded/supervised-process';

const QUICK: RestartPolicy = { minDelayMs: 100, maxDelayMs: 400, stableAfterMs: 60_000 };

/** Collects the log lines instead of printing them. */
function recordingLogger() {
  const lines: string[] = [];
  return { lines, log: (line: string) => lines.push(`log ${line}`), warn: (line: string) => lines.push(`warn ${line}`) };
}

function sleeper(): Launch {
  return { process: new SupervisedProcess('sleep', ['60']), ready: Promise.resolve() };
}

async function until(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('RestartingService', () => {
  const services: RestartingService[] = [];
  afterEach(async () => {
    await Promise.all(services.splice(0).map((service) => service.stop()));
  });

  async function start(launch: () => Launch, policy = QUICK, logger = recordingLogger()) {
    const service = await RestartingService.start({ name: 'sleeper', launch, startupTimeoutMs: 2_000, policy, logger });
    services.push(service);
    return { service, logger };
  }

  it('starts the process again when it is killed, and logs the exit and the restart', async () => {
    const { service, logger } = await start(sleeper);
    const first = service.pid!;
    process.kill(first, 'SIGKILL');
    await until(() => service.pid !== first && logger.lines.length === 2);
    expect(() => process.kill(service.pid!, 0)).not.toThrow();
    expect(logger.lines[0]).toMatch(new RegExp(`^warn sleeper \\(pid ${first}\\) exited unexpectedly \\(SIGKILL\\) after .* s; restarting in 0.1 s$`));
    expect(logger.lines[1]).toMatch(new RegExp(`^log sleeper restarted \\(pid ${service.pid}\\) after .* s down$`));
  });

  it('doubles the wait after each failed attempt up to the maximum', async () => {
    let launches = 0;
    // The first start works; every restart dies before it is ready.
    const launch = (): Launch => {
      launches += 1;
      return launches === 1 ? sleeper() : { process: new SupervisedProcess('sh', ['-c', 'exit 3']), ready: new Promise(() => undefined) };
    };
    const { service, logger } = await start(launch);
    process.kill(service.pid!, 'SIGKILL');
    await until(() => launches >= 5);
    const waits = logger.lines.map((line) => /(?:restarting in|next attempt in) (\S+) s/.exec(line)?.[1]);
    expect(waits.slice(0, 4)).toEqual(['0.1', '0.2', '0.4', '0.4']);
    expect(logger.lines[1]).toMatch(/^warn sleeper could not be restarted \(sleeper exited \(code 3\)/);
  });

  it('waits longer after a short run, and the minimum again after a run that lasted', async () => {
    const { service, logger } = await start(sleeper, { minDelayMs: 100, maxDelayMs: 1_000, stableAfterMs: 300 });
    for (let kill = 0; kill < 2; kill += 1) {
      const pid = service.pid!;
      process.kill(pid, 'SIGKILL');
      await until(() => service.pid !== pid && logger.lines.at(-1)!.startsWith('log'));
    }
    await delay(400);
    process.kill(service.pid!, 'SIGKILL');
    await until(() => logger.lines.length === 5);
    const waits = logger.lines.filter((line) => line.startsWith('warn')).map((line) => /restarting in (\S+) s/.exec(line)?.[1]);
    expect(waits).toEqual(['0.1', '0.2', '0.1']);
  });

  it('cancels a pending restart when stopped during the wait', async () => {
    let launches = 0;
    const { service, logger } = await start(
      () => {
        launches += 1;
        return sleeper();
      },
      { minDelayMs: 10_000, maxDelayMs: 10_000, stableAfterMs: 60_000 },
    );
    process.kill(service.pid!, 'SIGKILL');
    await until(() => logger.lines.length === 1);
    const started = Date.now();
    await service.stop();
    expect(Date.now() - started).toBeLessThan(500);
    await delay(100);
    expect(launches).toBe(1);
  });

  it('stops a restart that is still starting up', async () => {
    const launched: SupervisedProcess[] = [];
    const { service } = await start(() => {
      const process = new SupervisedProcess('sleep', ['60']);
      launched.push(process);
      // Only the first start gets ready: the restart hangs in its start-up.
      return { process, ready: launched.length === 1 ? Promise.resolve() : new Promise(() => undefined) };
    });
    process.kill(service.pid!, 'SIGKILL');
    await until(() => launched.length === 2);
    const started = Date.now();
    await service.stop();
    expect(Date.now() - started).toBeLessThan(500);
    expect(launched[1].running).toBe(false);
  });

  it('does not restart a process it was asked to stop', async () => {
    let launches = 0;
    const { service, logger } = await start(() => {
      launches += 1;
      return sleeper();
    });
    await service.stop();
    await delay(200);
    expect(launches).toBe(1);
    expect(logger.lines).toEqual([]);
  });
});
