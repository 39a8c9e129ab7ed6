/**
 * Several hosts on one machine for tests that need real, distinct addresses: each host a network
 * namespace of its own (held by a `sleep` started with `unshare -n`), joined to one Linux bridge
 * in the caller's namespace by a veth pair. The caller must be root in a private network
 * namespace of its own (npm test runs every suite in one and says so in
 * KONFERENZ_PRIVATE_NETWORK): the bridge and every address live there, and nothing can leave it.
 *
 * For restrictive networks: a router (`addRouter`) is a host on the bridge with a second link to
 * one host behind it on a LAN of its own, which it forwards and hides behind its own address
 * (nftables masquerade); any host can be given a firewall (`firewall`, an nftables ruleset).
 */
import { execFileSync, spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const BRIDGE = 'kzhosts';

/** A network namespace of our own has only loopback, and what this module put into it. */
const onlyOurInterfaces = (): boolean =>
  execFileSync('ip', ['-o', 'link', 'show'])
    .toString()
    .split('\n')
    .filter(Boolean)
    .every((line) => /^\d+: (lo|kzh[^:@]*)[:@]/.test(line));

/** Whether this process may build hosts: root, inside the private network namespace npm test made (no interface but loopback and ours). */
export const canBuildHosts = (): boolean => process.env.KONFERENZ_PRIVATE_NETWORK === '1' && process.getuid?.() === 0 && onlyOurInterfaces();

/**
 * Shell: no duplicate address detection on `device`, so its IPv6 link-local address is final the
 * moment the link is up. Otherwise it changes a second or two later, and a Chromium already
 * running on the host takes that for a network change and fails its requests in flight
 * (ERR_NETWORK_CHANGED). Nothing to do where IPv6 is off.
 */
const settledAddresses = (device: string) => `{ echo 0 > /proc/sys/net/ipv6/conf/${device}/accept_dad 2>/dev/null || true; }`;

const ip = (...args: string[]) => execFileSync('ip', args, { stdio: ['ignore', 'ignore', 'pipe'] });

/** One host: an address on the bridge and a network namespace; what it runs sees only that. */
export class VirtualHost {
  readonly name: string;
  readonly address: string;
  readonly #holder: ChildProcess;

  // No parameter properties: the benchmarks import this file with Node's type stripping.
  constructor(name: string, address: string, holder: ChildProcess) {
    this.name = name;
    this.address = address;
    this.#holder = holder;
  }

  get pid(): number {
    return this.#holder.pid!;
  }

  /** The command and arguments that run `command` on this host; it dies with the process that starts it. */
  command(command: string, args: string[] = []): [string, string[]] {
    return ['setpriv', ['--pdeathsig', 'KILL', '--', 'nsenter', '-t', String(this.pid), '-n', '--', command, ...args]];
  }

  /** Runs `command` on this host and waits for it; throws with its stderr when it fails. */
  run(command: string, args: string[], input?: string): string {
    const [program, programArgs] = this.command(command, args);
    return execFileSync(program, programArgs, { input, stdio: ['pipe', 'pipe', 'pipe'] }).toString();
  }

  /**
   * Replaces this host's nftables ruleset (`nft -f`): e.g. an `inet filter` table whose output
   * chain drops what the network it stands for would not let out.
   */
  firewall(ruleset: string): void {
    this.run('nft', ['-f', '-'], `flush ruleset\n${ruleset}`);
  }

  /** Starts `command` on this host (nsenter execs it: the child's pid is the command's own). */
  spawn(command: string, args: string[], options: SpawnOptions = {}): ChildProcess {
    const [program, programArgs] = this.command(command, args);
    return spawn(program, programArgs, options);
  }

  /** An executable file that runs `command` on this host with the arguments it is given (for launchers that take a path, such as Playwright's). */
  launcher(command: string, folder: string): string {
    const path = join(folder, `on-${this.name}`);
    writeFileSync(path, `#!/bin/sh\nexec setpriv --pdeathsig KILL -- nsenter -t ${this.pid} -n -- ${command} "$@"\n`);
    chmodSync(path, 0o755);
    return path;
  }

  close(): void {
    this.#holder.kill('SIGKILL');
  }
}

/** A bridge `kzhosts` at `<prefix>.254/24` and the hosts on it, `<prefix>.<n>` each. */
export class VirtualNetwork {
  readonly prefix: string;
  readonly #hosts: VirtualHost[] = [];
  readonly #folder = mkdtempSync(join(tmpdir(), 'konferenz-hosts-'));

  constructor(prefix: string) {
    this.prefix = prefix;
  }

  /** The address of the caller's own namespace on the bridge (the tests' "host"). */
  get gateway(): string {
    return `${this.prefix}.254`;
  }

  get folder(): string {
    return this.#folder;
  }

  static create(prefix = '10.99.0'): VirtualNetwork {
    if (!canBuildHosts()) throw new Error('virtual hosts need root inside the private network namespace of npm test (KONFERENZ_PRIVATE_NETWORK=1)');
    const network = new VirtualNetwork(prefix);
    ip('link', 'add', BRIDGE, 'type', 'bridge');
    ip('addr', 'add', `${network.gateway}/24`, 'dev', BRIDGE);
    ip('link', 'set', BRIDGE, 'up');
    return network;
  }

  async addHost(name: string, lastOctet: number): Promise<VirtualHost> {
    const host = new VirtualHost(name, `${this.prefix}.${lastOctet}`, await this.#namespace());
    const [outside, inside] = [`kzh${lastOctet}`, `kzp${lastOctet}`];
    ip('link', 'add', outside, 'type', 'veth', 'peer', 'name', inside);
    ip('link', 'set', inside, 'netns', String(host.pid));
    ip('link', 'set', outside, 'master', BRIDGE, 'up');
    const [program, args] = host.command('sh', [
      '-c',
      `ip link set lo up && ip link set ${inside} name eth0 && ${settledAddresses('eth0')} && ip addr add ${host.address}/24 dev eth0 && ip link set eth0 up && ip route add default via ${this.gateway}`,
    ]);
    execFileSync(program, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    this.#hosts.push(host);
    return host;
  }

  /**
   * A router on the bridge at `<prefix>.<lastOctet>` with one host behind it, `<lanPrefix>.10`
   * (its gateway `<lanPrefix>.1`): what that host sends out leaves with the router's address
   * (nftables masquerade), and nothing from outside reaches it unasked, as behind a home router.
   */
  async addRouter(name: string, lastOctet: number, lanPrefix: string, hostName: string): Promise<{ router: VirtualHost; host: VirtualHost }> {
    const router = await this.addHost(name, lastOctet);
    const host = new VirtualHost(hostName, `${lanPrefix}.10`, await this.#namespace());
    const [routerSide, hostSide] = [`kzr${lastOctet}`, `kzl${lastOctet}`];
    ip('link', 'add', routerSide, 'type', 'veth', 'peer', 'name', hostSide);
    ip('link', 'set', routerSide, 'netns', String(router.pid));
    ip('link', 'set', hostSide, 'netns', String(host.pid));
    router.run('sh', [
      '-c',
      `ip link set ${routerSide} name lan0 && ${settledAddresses('lan0')} && ip addr add ${lanPrefix}.1/24 dev lan0 && ip link set lan0 up && echo 1 > /proc/sys/net/ipv4/ip_forward`,
    ]);
    host.run('sh', [
      '-c',
      `ip link set lo up && ip link set ${hostSide} name eth0 && ${settledAddresses('eth0')} && ip addr add ${host.address}/24 dev eth0 && ip link set eth0 up && ip route add default via ${lanPrefix}.1`,
    ]);
    router.firewall(
      [
        'table ip nat {',
        '  chain postrouting { type nat hook postrouting priority srcnat; oifname "eth0" masquerade; }',
        '}',
        'table inet filter {',
        '  chain forward {',
        '    type filter hook forward priority filter; policy drop;',
        '    iifname "lan0" accept',
        '    ct state established,related accept',
        '  }',
        '}',
      ].join('\n'),
    );
    this.#hosts.push(host);
    return { router, host };
  }

  close(): void {
    for (const host of this.#hosts.splice(0)) host.close();
    try {
      ip('link', 'del', BRIDGE);
    } catch {
      // Already gone.
    }
    rmSync(this.#folder, { recursive: true, force: true });
  }

  /** A new network namespace, held by a `sleep` that dies with this process (pdeathsig), and the namespace with it. */
  async #namespace(): Promise<ChildProcess> {
    const holder = spawn('setpriv', ['--pdeathsig', 'KILL', '--', 'unshare', '-n', 'sleep', 'infinity'], { stdio: 'ignore' });
    await this.#untilNamespaceDiffers(holder.pid!);
    return holder;
  }

  /** unshare has run once the holder's network namespace is no longer ours. */
  async #untilNamespaceDiffers(pid: number): Promise<void> {
    const ours = execFileSync('readlink', ['/proc/self/ns/net']).toString().trim();
    for (let tries = 0; tries < 100; tries++) {
      try {
        if (
          execFileSync('readlink', [`/proc/${pid}/ns/net`])
            .toString()
            .trim() !== ours
        )
          return;
      } catch {
        // Not started yet.
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    throw new Error('the host namespace did not come up');
  }
}
