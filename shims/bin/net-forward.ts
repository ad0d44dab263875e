// The sandbox's only way out under the allowlist network: `node net-forward.mjs SOCKET PORT`.
//
// The container has no interface but loopback. This listens on 127.0.0.1:PORT and carries every connection,
// byte for byte, to the host's egress proxy on the Unix socket SOCKET (mounted in by ags), which decides where
// it may go. Programs inside are pointed at it with HTTP(S)_PROXY. It holds no policy: killing it, or talking
// to the socket directly, leaves the agent with the same proxy or with no network at all.
import { connect, createServer } from 'node:net';

const [socketPath, portText] = process.argv.slice(2);
const port = Number(portText);
if (!socketPath || !Number.isInteger(port) || port < 1 || port > 65535) {
  process.stderr.write('usage: net-forward SOCKET PORT\n');
  process.exit(2);
}

const server = createServer((client) => {
  const upstream = connect(socketPath);
  client.on('error', () => upstream.destroy());
  upstream.on('error', () => client.destroy());
  client.on('close', () => upstream.destroy());
  upstream.on('close', () => client.destroy());
  client.pipe(upstream);
  upstream.pipe(client);
});
server.on('error', (err) => {
  process.stderr.write(`ags: the network forwarder cannot listen on 127.0.0.1:${port}: ${err.message}\n`);
  process.exit(1);
});
server.listen(port, '127.0.0.1');
