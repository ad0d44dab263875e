// The sandbox's only way out under the allowlist network: `node net-forward.mjs SOCKET PORT`.
//
// The container has no interface but loopback. This listens on 127.0.0.1:PORT and carries every connection,
// byte for byte, to the host's egress proxy on the Unix socket SOCKET (mounted in by ags), which decides where
// it may go. Programs inside are pointed at it with HTTP(S)_PROXY. It holds no policy: killing it, or talking
// to the socket directly, leaves the agent with the same proxy or with no network at all.
//
// Started by the sandbox entry before the agent: it returns once the forwarder listens (which then runs on in
// the background), or exits 1 saying why, so the agent never starts with a port that is not there yet.
import { spawn } from 'node:child_process';
import { connect, createServer } from 'node:net';

const SERVE = '--serve';
const args = process.argv.slice(2);
const serving = args[0] === SERVE;
const [socketPath, portText] = serving ? args.slice(1) : args;
const port = Number(portText);
if (!socketPath || !Number.isInteger(port) || port < 1 || port > 65535) {
  process.stderr.write('usage: net-forward SOCKET PORT\n');
  process.exit(2);
}

if (serving) serve(socketPath, port);
else startInBackground(socketPath, port);

function serve(socket: string, listenPort: number): void {
  const server = createServer((client) => {
    const upstream = connect(socket);
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
    client.pipe(upstream);
    upstream.pipe(client);
  });
  server.on('error', (err) => {
    process.stderr.write(
      `ags: the network forwarder cannot listen on 127.0.0.1:${listenPort}: ${err.message}\n`,
    );
    process.exit(1);
  });
  server.listen(listenPort, '127.0.0.1', () => process.stdout.write('ready\n'));
}

function startInBackground(socket: string, listenPort: number): void {
  const child = spawn(process.execPath, [process.argv[1]!, SERVE, socket, String(listenPort)], {
    detached: true,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let said = '';
  child.stdout.on('data', (d: Buffer) => {
    said += d.toString();
    if (said.includes('ready\n')) {
      child.stdout.destroy();
      child.unref();
      process.exit(0);
    }
  });
  child.on('exit', (code) => process.exit(code === 0 ? 1 : (code ?? 1)));
}
