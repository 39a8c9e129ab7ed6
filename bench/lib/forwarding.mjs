// What the forwarding benchmarks (bench:worker, bench:sfu) share: a process's CPU time, and a
// sender that paces RTP by elapsed time rather than by timer ticks.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

const clockTicksPerSecond = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout) || 100;

/** CPU time (user + system) a process has used so far, in ms. */
export function cpuMs(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name, which is in parentheses and may hold spaces: utime and stime are 14 and 15.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / clockTicksPerSecond;
}

/** Sends `pps` packets a second (`packet(i)` for the i-th) to ip:port for `seconds`; resolves with the count sent. */
export async function sendPaced(socket, { ip, port, pps, seconds, packet }) {
  const started = performance.now();
  let sent = 0;
  await new Promise((done) => {
    const timer = setInterval(() => {
      const elapsed = (performance.now() - started) / 1000;
      const due = Math.min(Math.floor(elapsed * pps), Math.floor(seconds * pps));
      for (; sent < due; sent += 1) socket.send(packet(sent), port, ip);
      if (elapsed >= seconds) {
        clearInterval(timer);
        done();
      }
    }, 5);
  });
  return sent;
}
